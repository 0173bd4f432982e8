/** Reads from the event index: events list, dead letters, stats. */
import { buildDeadQuery, buildEventQuery, DEAD_ORDER, deadWhere, encodeCursor, nearestRank, percentileQuery, TABLE, type DeadFilter, type EventFilter, type IndexStatus } from "./query";
import type { IndexUpdate } from "./write";

/** A task as the index holds it: its key (with the event's `receivedAt`), the fields of its last update, and when that was. */
export type IndexedTask = Omit<IndexUpdate, "eventType" | "occurredAt" | "at"> & { updatedAt: number };

/** An event as the index holds it, with its tasks and a summary status. */
export interface IndexedEvent {
  source: string;
  eventId: string;
  eventType: string;
  receivedAt: number;
  occurredAt: number;
  /** `dead` if any task is dead, else `pending` if any is pending, else `delivered`; `unrouted` without tasks. */
  status: IndexStatus | "unrouted";
  tasks: IndexedTask[];
}

/** A page of results and the cursor of the next page (`null` on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface TaskRow {
  received_at: number;
  source: string;
  event_id: string;
  destination: string;
  status: IndexStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  updated_at: number;
}

interface EventRow {
  source: string;
  event_id: string;
  event_type: string;
  received_at: number;
  occurred_at: number;
}

const toTask = (r: TaskRow): IndexedTask => ({
  receivedAt: r.received_at,
  source: r.source,
  eventId: r.event_id,
  destination: r.destination,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  latencyMs: r.latency_ms,
  updatedAt: r.updated_at,
});

/** The summary status of an event from its tasks' states (`unrouted`: no destination matched). */
export function summaryStatus(statuses: IndexStatus[]): IndexStatus | "unrouted" {
  if (statuses.length === 0) return "unrouted";
  for (const s of ["dead", "pending", "delivered", "stale", "filtered", "expired", "purged"] as const) if (statuses.includes(s)) return s;
  return "delivered";
}

/** One page of events matching a filter, newest first. */
export async function listEvents(db: D1Database, filter: EventFilter): Promise<Page<IndexedEvent> | { error: "cursor_invalid" }> {
  const query = buildEventQuery(filter);
  if ("error" in query) return query;
  const rows = (await db.prepare(query.sql).bind(...query.params).all<EventRow>()).results;
  const page = rows.slice(0, filter.limit);
  const tasks = page.length === 0 ? [] : await tasksOf(db, page);
  const items = page.map((e) => {
    // By the full event key: an id accepted again after its dedupe window is another event (another received_at).
    const own = tasks.filter((t) => t.receivedAt === e.received_at && t.source === e.source && t.eventId === e.event_id);
    return { source: e.source, eventId: e.event_id, eventType: e.event_type, receivedAt: e.received_at, occurredAt: e.occurred_at, status: summaryStatus(own.map((t) => t.status)), tasks: own };
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.received_at, last.source, last.event_id]) : null };
}

/** The indexed tasks of some events (one key-prefix lookup per event, batched); the '' row of an unrouted event is no task. */
async function tasksOf(db: D1Database, events: EventRow[]): Promise<IndexedTask[]> {
  const results = await db.batch<TaskRow>(
    events.map((e) =>
      db.prepare(`SELECT * FROM ${TABLE} WHERE received_at = ? AND source = ? AND event_id = ? AND destination != '' ORDER BY destination`).bind(e.received_at, e.source, e.event_id),
    ),
  );
  return results.flatMap((r) => r.results.map(toTask));
}

/** One page of dead letters, most recently dead first. */
export async function listDead(db: D1Database, filter: DeadFilter & { limit: number; cursor?: string }): Promise<Page<IndexedTask> | { error: "cursor_invalid" }> {
  const query = buildDeadQuery(filter);
  if ("error" in query) return query;
  const rows = (await db.prepare(query.sql).bind(...query.params).all<TaskRow>()).results;
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(DEAD_ORDER.map((c) => last[c])) : null,
  };
}

/** How many dead tasks match a filter. */
export async function countDead(db: D1Database, filter: DeadFilter): Promise<number> {
  const where = deadWhere(filter);
  return (await db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE ${where.sql}`).bind(...where.params).first<{ n: number }>())?.n ?? 0;
}

/** The next dead tasks matching a filter that became dead before `before` (for bulk replay). */
export async function nextDead(db: D1Database, filter: DeadFilter, before: number, limit: number): Promise<IndexedTask[]> {
  const where = deadWhere(filter);
  const rows = await db
    .prepare(`SELECT * FROM ${TABLE} WHERE ${where.sql} AND updated_at <= ? ORDER BY ${DEAD_ORDER.join(", ")} LIMIT ?`)
    .bind(...where.params, before, limit)
    .all<TaskRow>();
  return rows.results.map(toTask);
}

/** Delivery stats over a window, from the task rows of the events received in it. */
export interface WindowStats {
  windowSeconds: number;
  /** Current task states of events received in the window. */
  tasks: Record<string, number>;
  /** Attempts made for those tasks (each task's current attempt count; a replay starts it again). */
  attempts: number;
  /** Share of attempts that delivered (0..1): delivered tasks / attempts (a delivered task ended with one delivering attempt); `null` without attempts. */
  successRate: number | null;
  /** Percentiles of the latency of each task's last attempt (nearest rank). */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** Percentiles reported by `windowStats`. */
const PERCENTILES = { p50: 50, p95: 95, p99: 99 } as const;

/** Counts by status, success rate and latency percentiles for the window ending at `now` (range scans over the key). */
export async function windowStats(db: D1Database, windowSeconds: number, now: number): Promise<WindowStats> {
  const since = now - windowSeconds * 1000;
  const [byStatus, latencies] = await db.batch<Record<string, number | string | null>>([
    db.prepare(`SELECT status, COUNT(*) AS n, SUM(attempts) AS attempts FROM ${TABLE} WHERE received_at >= ? AND destination != '' GROUP BY status`).bind(since),
    db.prepare(percentileQuery(Object.values(PERCENTILES))).bind(since),
  ]);
  const tasks: Record<string, number> = { pending: 0, delivered: 0, dead: 0 };
  let attempts = 0;
  for (const r of byStatus!.results) {
    tasks[String(r.status)] = Number(r.n);
    attempts += Number(r.attempts ?? 0);
  }
  const byRank = new Map(latencies!.results.map((r) => [Number(r.r), Number(r.latency_ms)]));
  const n = Number(latencies!.results[0]?.n ?? 0);
  const at = (p: number) => (n === 0 ? null : byRank.get(nearestRank(p, n)) ?? null);
  return {
    windowSeconds,
    tasks,
    attempts,
    successRate: attempts === 0 ? null : Math.min(1, (tasks.delivered ?? 0) / attempts),
    latencyMs: { p50: at(PERCENTILES.p50), p95: at(PERCENTILES.p95), p99: at(PERCENTILES.p99) },
  };
}

/** Attempts of the tasks of events received in one time bucket (for the dashboard's charts). */
export interface Bucket {
  at: number;
  attempts: number;
  /** Tasks delivered (each by one attempt). */
  delivered: number;
  /** Mean latency of the tasks' last attempts. */
  avgLatencyMs: number | null;
}

/** Attempts per bucket of received time since `since`, oldest first (empty buckets omitted). */
export async function throughput(db: D1Database, since: number, bucketMs: number): Promise<Bucket[]> {
  const rows = await db
    .prepare(
      `SELECT CAST(received_at / ? AS INTEGER) * ? AS bucket, SUM(attempts) AS n, SUM(status = 'delivered') AS ok, AVG(latency_ms) AS latency
       FROM ${TABLE} WHERE received_at >= ? AND destination != '' GROUP BY bucket ORDER BY bucket`,
    )
    .bind(bucketMs, bucketMs, since)
    .all<{ bucket: number; n: number; ok: number; latency: number | null }>();
  return rows.results.map((r) => ({ at: r.bucket, attempts: r.n, delivered: r.ok, avgLatencyMs: r.latency === null ? null : Math.round(r.latency) }));
}
