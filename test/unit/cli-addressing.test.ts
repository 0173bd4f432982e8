/**
 * `npm run events -- show|replay <source> <id>` addresses every event id (issue 12 item 14): the URL
 * it builds survives URL parsing (which removes `.` and `..` path segments) and carries the id exactly.
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
