/**
 * Pure pieces of the operator surface (query building, cursors, quantiles, previews, URL redaction,
 * sessions, chart buckets), and the D1 index itself: rows written per upsert, query plans, stats.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { payloadPreview, redactUrl } from "../../src/admin";
import { createSession, csrfFor, fillBuckets, verifySession } from "../../src/dashboard";
import {
  buildDeadQuery, buildEventQuery, countDead, decodeCursor, deadWhere, encodeCursor, likeLiteral, listDead, listEvents, nearestRank, percentileQuery,
  setTaskStatus, summaryStatus, throughput, updateStatement, windowStats, writeIndex, type IndexedEvent, type IndexUpdate,
} from "../../src/search";

/** Reference: the value at quantile `q` (0..1) of ascending-sorted numbers (nearest rank); `null` when empty. */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

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
    expect(q.sql).toContain("GROUP BY received_at, source, event_id ORDER BY received_at DESC, source DESC, event_id DESC LIMIT ?");
  });
  it("an exact type is an equality, a trailing * a prefix", () => {
    const exact = buildEventQuery({ type: "invoice.paid", limit: 1 });
    expect("sql" in exact && exact.sql).toContain("event_type = ?");
    const glob = buildEventQuery({ type: "invoice.*", limit: 1 });
    expect("sql" in glob && glob.sql).toContain("event_type LIKE ?");
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
  it("nearestRank (the SQL percentiles' integer arithmetic) picks the element quantile picks", () => {
    for (let n = 1; n <= 250; n++) {
      const xs = Array.from({ length: n }, (_, i) => i + 1);
      for (const p of [50, 95, 99]) expect(nearestRank(p, n), `p${p} of ${n}`).toBe(quantile(xs, p / 100));
    }
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

describe("the D1 index: one row per (event, destination)", () => {
  const db = env.EVENT_INDEX;
  /** A received time of its own, far in the future, so windows see only this test's rows. */
  const farAway = () => Date.now() + 10 * 365 * 86_400_000 + Math.floor(Math.random() * 1e10);
  const update = (over: Partial<IndexUpdate>): IndexUpdate => ({ source: "rows", eventId: `evt_${crypto.randomUUID()}`, eventType: "order.paid", receivedAt: 1, occurredAt: 1, destination: "orders", status: "delivered", attempts: 1, lastStatus: 200, lastError: null, latencyMs: 12, at: 2, ...over });
  const rowsWritten = async (u: IndexUpdate) => (await db.batch([updateStatement(db, u)]))[0]!.meta.rows_written;
  const plan = async (sql: string, params: (string | number)[]) =>
    (await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>()).results.map((r) => r.detail).join("; ");

  it("an upsert writes one row, new or updated; an older state writes none; a task that dies or waits adds its partial-index entry", async () => {
    const receivedAt = farAway();
    // A task waiting for a retry: its row and its entry in the pending partial index (migration 0006).
    const first = update({ receivedAt, status: "pending", attempts: 1, lastStatus: 503, at: receivedAt + 10 });
    expect(await rowsWritten(first)).toBe(2);
    // Delivered: the row rewritten (D1 does not count the pending entry's removal as a row written).
    expect(await rowsWritten({ ...first, status: "delivered", attempts: 2, lastStatus: 200, at: receivedAt + 20 })).toBe(1);
    expect(await rowsWritten({ ...first, status: "pending", at: receivedAt + 15 })).toBe(0);
    // Delivered at its first attempt (the common path): one row, no partial-index entry.
    expect(await rowsWritten(update({ receivedAt, status: "delivered", at: receivedAt + 12 }))).toBe(1);
    const row = await db.prepare("SELECT status, attempts FROM deliveries WHERE received_at = ? AND source = ? AND event_id = ?").bind(receivedAt, first.source, first.eventId).first();
    expect(row).toEqual({ status: "delivered", attempts: 2 });
    // The partial index holds dead tasks only: one more row while a task is dead, none otherwise.
    expect(await rowsWritten(update({ receivedAt, status: "dead", lastStatus: 500, at: receivedAt + 30 }))).toBe(2);
  });

  it("lists walk the primary key in order, never sorting the range; dead letters use the partial index", async () => {
    const cursor = encodeCursor([1_900_000_000_000, "shop", "evt_1"]);
    const filters = [{}, { source: "shop" }, { type: "order.*" }, { type: "order.paid" }, { status: "dead" as const }, { destination: "orders" }, { q: "evt" },
      { source: "shop", type: "order.*", status: "dead" as const, destination: "orders", since: 1, until: 2, q: "x" }, { since: 1, until: 2 }];
    for (const f of filters) {
      for (const extra of [{}, { cursor }]) {
        const q = buildEventQuery({ ...f, ...extra, limit: 50 });
        if (!("sql" in q)) throw new Error("unexpected cursor error");
        const detail = await plan(q.sql, q.params);
        expect(detail, JSON.stringify({ ...f, ...extra })).not.toContain("TEMP B-TREE");
        expect(detail, JSON.stringify({ ...f, ...extra })).toMatch(/deliveries/);
      }
    }
    for (const f of [{}, { destination: "orders" }, { source: "shop", since: 1, until: 2 }]) {
      const q = buildDeadQuery({ ...f, limit: 10, cursor: encodeCursor([1, 2, "a", "b", "c"]) });
      if (!("sql" in q)) throw new Error("unexpected cursor error");
      const detail = await plan(q.sql, q.params);
      expect(detail).toContain("deliveries_dead");
      expect(detail).not.toContain("TEMP B-TREE");
      const where = deadWhere(f);
      expect(await plan(`SELECT COUNT(*) FROM deliveries WHERE ${where.sql}`, where.params)).toContain("deliveries_dead");
    }
    expect(await plan(percentileQuery([50]), [1])).toContain("USING PRIMARY KEY (received_at>?)");
  });

  it("windowStats: counts, attempts, success rate and SQL percentiles equal to quantile over the last attempts' latencies", async () => {
    const receivedAt = farAway() + 1e11; // after every other test's rows: a window has no upper bound
    const source = `stats-${crypto.randomUUID().slice(0, 8)}`;
    const latencies = Array.from({ length: 137 }, () => Math.floor(Math.random() * 5000));
    const updates = latencies.map((latencyMs, i) =>
      update({ source, receivedAt: receivedAt + i, latencyMs, status: i % 10 === 0 ? "dead" : i % 7 === 0 ? "pending" : "delivered", attempts: i % 10 === 0 ? 3 : 1, at: receivedAt + i + 5 }),
    );
    await db.batch(updates.map((u) => updateStatement(db, u)));
    // An event routed nowhere is not a task: it counts in no status and has no latency.
    await db.prepare("INSERT INTO deliveries (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, updated_at) VALUES (?, ?, 'unrouted', '', 'x', 1, 'unrouted', 0, 1)").bind(receivedAt, source).run();
    const stats = await windowStats(db, 3600, receivedAt + 1000);
    const count = (s: string) => updates.filter((u) => u.status === s).length;
    expect(stats.tasks).toEqual({ pending: count("pending"), delivered: count("delivered"), dead: count("dead") });
    const attempts = updates.reduce((n, u) => n + u.attempts, 0);
    expect(stats.attempts).toBe(attempts);
    expect(stats.successRate).toBeCloseTo(count("delivered") / attempts, 10);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(stats.latencyMs).toEqual({ p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99) });
    const empty = await windowStats(db, 60, receivedAt + 10_000_000); // starts after every row
    expect(empty).toMatchObject({ attempts: 0, successRate: null, latencyMs: { p50: null, p95: null, p99: null } });
    const buckets = await throughput(db, receivedAt, 100);
    expect(buckets.reduce((n, b) => n + b.attempts, 0)).toBe(attempts);
    expect(buckets.reduce((n, b) => n + b.delivered, 0)).toBe(count("delivered"));
  });

  it("events of several destinations page by event: each once, newest first, with all their tasks, also filtered by a task's state", async () => {
    const source = `multi-${crypto.randomUUID().slice(0, 8)}`;
    const base = farAway();
    const destinations = ["a", "b", "c"];
    // 17 events with 1–3 tasks each; events 3, 6, 9, … have one dead task. Two share a received time.
    const updates = Array.from({ length: 17 }, (_, i) =>
      destinations.slice(0, 1 + (i % 3)).map((destination, j) =>
        update({ source, eventId: `evt_${String(i).padStart(2, "0")}`, receivedAt: base + (i === 16 ? 15 : i), destination, status: i % 3 === 0 && j === 0 ? "dead" : "delivered", at: base + 100 }),
      ),
    ).flat();
    await writeIndex(env, updates);
    const all: IndexedEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await listEvents(db, { source, limit: 4, ...(cursor ? { cursor } : {}) });
      if ("error" in page) throw new Error("cursor error");
      expect(page.items.length).toBeLessThanOrEqual(4);
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = Array.from({ length: 17 }, (_, i) => i).sort((x, y) => (y === 16 ? 15 : y) - (x === 16 ? 15 : x) || y - x);
    expect(all.map((e) => e.eventId)).toEqual(expected.map((i) => `evt_${String(i).padStart(2, "0")}`));
    for (const e of all) {
      const i = Number(e.eventId.slice(4));
      expect(e.tasks.map((t) => t.destination)).toEqual(destinations.slice(0, 1 + (i % 3)));
      expect(e.status).toBe(i % 3 === 0 ? "dead" : "delivered");
      expect(e.tasks.every((t) => t.receivedAt === e.receivedAt)).toBe(true);
    }
    const dead = await listEvents(db, { source, status: "dead", limit: 50 });
    if ("error" in dead) throw new Error("cursor error");
    expect(dead.items.map((e) => e.eventId)).toEqual(["evt_15", "evt_12", "evt_09", "evt_06", "evt_03", "evt_00"]);
    expect(dead.items[0]!.tasks.map((t) => t.status)).toEqual(["dead"]);
    // The same id accepted again after its dedupe window is another event, with its own tasks.
    await writeIndex(env, [update({ source, eventId: "evt_01", receivedAt: base + 1000, destination: "z", status: "pending", at: base + 1001 })]);
    const again = await listEvents(db, { source, q: "evt_01", limit: 50 });
    if ("error" in again) throw new Error("cursor error");
    expect(again.items.map((e) => [e.receivedAt - base, e.tasks.map((t) => t.destination)])).toEqual([[1000, ["z"]], [1, ["a", "b"]]]);
    const deliveredToB = await listEvents(db, { source, status: "delivered", destination: "b", limit: 50 });
    if ("error" in deliveredToB) throw new Error("cursor error");
    expect(deliveredToB.items).toHaveLength(updates.filter((u) => u.destination === "b").length);
  });

  it("setTaskStatus finds a task by its full key; a replayed task leaves the dead letters; an older change is ignored", async () => {
    const source = `replay-${crypto.randomUUID().slice(0, 8)}`;
    const receivedAt = farAway();
    const dead = update({ source, receivedAt, status: "dead", lastStatus: 503, at: receivedAt + 10 });
    await writeIndex(env, [dead]);
    expect(await countDead(db, { source })).toBe(1);
    const key = { source, eventId: dead.eventId, destination: dead.destination, receivedAt };
    await setTaskStatus(env, [{ ...key, status: "pending", attempts: 0 }], receivedAt + 5);
    expect(await countDead(db, { source })).toBe(1);
    await setTaskStatus(env, [{ ...key, status: "pending", attempts: 0 }], receivedAt + 20);
    expect(await countDead(db, { source })).toBe(0);
    const page = await listDead(db, { source, limit: 10 });
    expect("items" in page && page.items).toEqual([]);
    const events = await listEvents(db, { source, limit: 10 });
    expect("items" in events && events.items[0]!.tasks[0]).toMatchObject({ status: "pending", attempts: 0, updatedAt: receivedAt + 20 });
  });
});
