/** Pure pieces of the operator surface: query building, cursors, quantiles, previews, URL redaction, sessions, chart buckets. */
import { describe, expect, it } from "vitest";
import { payloadPreview, redactUrl } from "../../src/admin";
import { createSession, csrfFor, fillBuckets, verifySession } from "../../src/dashboard";
import { buildDeadQuery, buildEventQuery, decodeCursor, encodeCursor, likeLiteral, quantile, summaryStatus } from "../../src/search";

describe("buildEventQuery", () => {
  it("has no WHERE without filters and asks for one row more than the page", () => {
    const q = buildEventQuery({ limit: 10 });
    expect("sql" in q && q.sql).not.toContain("WHERE");
    expect("params" in q && q.params).toEqual([11]);
  });
  it("binds every filter as a parameter, never into the SQL text", () => {
    const q = buildEventQuery({ source: "s'; DROP TABLE events;--", type: "invoice.*", status: "dead", destination: "d", since: 1, until: 2, q: "50%_off", limit: 5 });
    if (!("sql" in q)) throw new Error("unexpected cursor error");
    expect(q.sql).not.toContain("DROP");
    expect(q.params).toEqual(["s'; DROP TABLE events;--", "invoice.%", 1, 2, "%50\\%\\_off%", "dead", "d", 6]);
    expect(q.sql).toContain("EXISTS (SELECT 1 FROM tasks t");
  });
  it("an exact type is an equality, a trailing * a prefix", () => {
    const exact = buildEventQuery({ type: "invoice.paid", limit: 1 });
    expect("sql" in exact && exact.sql).toContain("e.event_type = ?");
  });
  it("refuses a malformed or wrong-shaped cursor", () => {
    expect(buildEventQuery({ limit: 1, cursor: "garbage" })).toEqual({ error: "cursor_invalid" });
    expect(buildEventQuery({ limit: 1, cursor: encodeCursor(["x", "y", "z"]) })).toEqual({ error: "cursor_invalid" });
    expect(buildDeadQuery({ limit: 1, cursor: encodeCursor([1, "a", "b"]) })).toEqual({ error: "cursor_invalid" });
  });
  it("cursors round-trip and are URL-safe", () => {
    const c = encodeCursor([1_700_000_000_000, "söurce/+", "evt?=&"]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, ["number", "string", "string"])).toEqual([1_700_000_000_000, "söurce/+", "evt?=&"]);
  });
});

describe("small pure helpers", () => {
  it("likeLiteral escapes LIKE wildcards and the escape character", () => {
    expect(likeLiteral("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
  });
  it("quantile is nearest-rank over sorted values", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(xs, 0.5), quantile(xs, 0.95), quantile(xs, 0.99), quantile([7], 0.99), quantile([], 0.5)]).toEqual([50, 95, 99, 7, null]);
  });
  it("summaryStatus: dead wins, then pending, then delivered", () => {
    expect(summaryStatus(["delivered", "dead", "pending"])).toBe("dead");
    expect(summaryStatus(["delivered", "pending"])).toBe("pending");
    expect(summaryStatus(["delivered"])).toBe("delivered");
    expect(summaryStatus([])).toBe("unrouted");
  });
  it("payloadPreview keeps UTF-8 text (also cut inside a character) and base64s binary", () => {
    expect(payloadPreview(new TextEncoder().encode('{"a":"é"}'))).toEqual({ encoding: "utf8", data: '{"a":"é"}', truncated: false });
    expect(payloadPreview(new TextEncoder().encode("ééé"), 3)).toEqual({ encoding: "utf8", data: "é", truncated: true });
    expect(payloadPreview(new Uint8Array([0xff, 0xfe, 0x00]))).toEqual({ encoding: "base64", data: "//4A", truncated: false });
  });
  it("redactUrl hides credentials and query values", () => {
    expect(redactUrl("https://user:pass@hooks.example.com/in?token=abc&x=1")).toBe("https://redacted@hooks.example.com/in?token=redacted&x=redacted");
    expect(redactUrl("https://hooks.example.com/in")).toBe("https://hooks.example.com/in");
  });
  it("fillBuckets yields consecutive aligned buckets, keeping data where present", () => {
    const out = fillBuckets([{ at: 7_200_000, attempts: 3, delivered: 2, avgLatencyMs: 10 }], 3_700_000, 3_600_000, 3);
    expect(out.map((b) => [b.at, b.attempts])).toEqual([[3_600_000, 0], [7_200_000, 3], [10_800_000, 0]]);
  });
});

describe("dashboard sessions", () => {
  const token = "session-test-token";
  it("a session verifies with its token until it expires, and with no other token", async () => {
    const now = 1_800_000_000_000;
    const s = await createSession(token, now);
    expect(s).not.toContain(token);
    expect(await verifySession(s, token, now + 1000)).toBe(true);
    expect(await verifySession(s, token, now + 13 * 3600_000)).toBe(false);
    expect(await verifySession(s, `${token}x`, now)).toBe(false);
    expect(await verifySession(s.replace(/.$/, (c) => (c === "A" ? "B" : "A")), token, now)).toBe(false);
    expect(await verifySession(`${Number(s.split(".")[0]) + 100}.${s.split(".")[1]}`, token, now)).toBe(false);
    expect(await verifySession(undefined, token, now)).toBe(false);
    expect(await verifySession(s, undefined, now)).toBe(false);
  });
  it("the CSRF token is bound to the session", async () => {
    const a = await createSession(token, 1_800_000_000_000);
    const b = await createSession(token, 1_800_000_001_000);
    expect(await csrfFor(a, token)).not.toBe(await csrfFor(b, token));
  });
});
