/** The attempt log's snippet: what the destination answered, read within its bounds. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { postSigned } from "../../src/delivery/send";
import type { RuntimeDestination } from "../../src/config";

const destination = { name: "d", secretValue: "", config: { url: "https://d.example/hooks", timeoutMs: 5_000 } } as unknown as RuntimeDestination;

afterEach(() => vi.unstubAllGlobals());

describe("postSigned snippet", () => {
  it("keeps a short declared-length answer whatever its text, even the word the wait uses internally", async () => {
    for (const text of ["timeout", "ok", ""]) {
      vi.stubGlobal("fetch", async () => new Response(text, { status: 200, headers: { "content-length": String(text.length) } }));
      const result = await postSigned(destination, new Headers(), new Uint8Array(), Date.now());
      expect(result).toMatchObject({ status: 200, snippet: text });
      expect(result.transportError).toBeUndefined();
    }
  });
});
