/**
 * `npm run events -- show|replay <source> <id>` addresses every event id (issue 12 item 14): the URL
 * it builds survives URL parsing (which removes `.` and `..` path segments) and carries the id exactly.
 * What it prints of sender text cannot drive the terminal or reorder a line (item 8, in a terminal).
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { run } from "../../scripts/events.mjs";

const IDS = [".", "..", "a/b", "%2F", "%", "a:b", "x%3Ay", "%2E%2E", "../admin", "a?b=c", "a#b", "a+b c", "a&id=b", "evt\u0001\u007f\u0085ctl", "nul\u0000id", "cr\rlf\nid", "ü€😀", "rtl\u202Efdp.exe"];

/** Run the CLI with a fetch that records the request and answers `answer`. */
async function urlOf(args: string[], answer: unknown): Promise<{ url: URL; method: string }> {
  const seen: { url: URL; method: string }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    seen.push({ url: new URL(url), method: init.method ?? "GET" });
    return new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
  };
  await run([...args, "--url", "http://gateway.test"], { fetch, env: { EDGEHOOK_ADMIN_TOKEN: "t" }, out: () => {} });
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

describe("the CLI's one-event URLs", () => {
  it.each(IDS.map((id) => [JSON.stringify(id), id]))("show %s", async (_label, id) => {
    const { url, method } = await urlOf(["show", "stripe", id], { event: { source: "stripe", eventId: id, eventType: "t", receivedAt: 0, payloadBytes: 0 }, tasks: [], payload: null });
    expect(method).toBe("GET");
    expect(url.pathname).toBe("/api/v1/event");
    expect([...url.searchParams]).toEqual([["source", "stripe"], ["id", id]]);
  });

  it.each(IDS.map((id) => [JSON.stringify(id), id]))("replay %s", async (_label, id) => {
    const { url, method } = await urlOf(["replay", "stripe", id, "--destination", "ok"], { replayed: ["ok"] });
    expect(method).toBe("POST");
    expect(url.pathname).toBe("/api/v1/event/replay");
    expect([...url.searchParams]).toEqual([["source", "stripe"], ["id", id]]);
  });
});

describe("the CLI prints sender text visibly", () => {
  const id = "evt\u001B[2J\u202Efdp.exe";
  const type = "inv\nFAKE LINE\u0007";
  const printed = async (args: string[], answer: unknown) => {
    const lines: string[] = [];
    const fetch = async () => new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
    await run([...args, "--url", "http://gateway.test"], { fetch, env: { EDGEHOOK_ADMIN_TOKEN: "t" }, out: (l: string) => lines.push(l) });
    return lines.join("\n");
  };
  const hidden = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

  it("show, list and dead write controls and bidi marks as escapes", async () => {
    const event = { source: "stripe", eventId: id, eventType: type, receivedAt: 0, payloadBytes: 3, status: "dead", tasks: [{ destination: "ok", status: "dead", attempts: 1 }] };
    const shown = await printed(["show", "stripe", id], { event, tasks: [{ destination: "ok", status: "dead", attempts: 1, webhookId: "msg_1", log: [{ at: 0, attempt: 1, status: 500, latencyMs: 1, error: "http_500\u001B[0m" }] }], payload: { encoding: "utf8", data: "{\u202E}", truncated: false } });
    const listed = await printed(["list"], { items: [event], nextCursor: null });
    const dead = await printed(["dead"], { items: [{ updatedAt: 0, source: "stripe", eventId: id, destination: "ok", lastStatus: 500, lastError: "x\u001B" }], nextCursor: null });
    for (const out of [shown, listed, dead]) {
      expect(out).not.toMatch(hidden);
      expect(out).toContain("evt⟨U+001B⟩[2J⟨U+202E⟩fdp.exe");
    }
    expect(shown).toContain("inv⟨U+000A⟩FAKE LINE⟨U+0007⟩");
    expect(shown.split("\n").some((l) => l.startsWith("FAKE LINE"))).toBe(false);
  });
});
