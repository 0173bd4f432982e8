/** Reads from the event index: events list, dead letters, stats. */
import { buildDeadQuery, buildEventQuery, deadWhere, encodeCursor, quantile, type DeadFilter, type EventFilter, type IndexStatus } from "./query";
import type { IndexUpdate } from "./write";

/** A task as the index holds it: the fields of its last update, and when that was. */
export type IndexedTask = Omit<IndexUpdate, "eventType" | "receivedAt" | "occurredAt" | "at"> & { updatedAt: number };

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
  for (const s of ["dead", "pending", "delivered", "stale", "expired", "purged"] as const) if (statuses.includes(s)) return s;
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
    const own = tasks.filter((t) => t.source === e.source && t.eventId === e.event_id);
    return { source: e.source, eventId: e.event_id, eventType: e.event_type, receivedAt: e.received_at, occurredAt: e.occurred_at, status: summaryStatus(own.map((t) => t.status)), tasks: own };
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.received_at, last.source, last.event_id]) : null };
}

/** The indexed tasks of some events (one query per event, batched). */
async function tasksOf(db: D1Database, events: EventRow[]): Promise<IndexedTask[]> {
  const results = await db.batch<TaskRow>(
    events.map((e) => db.prepare("SELECT * FROM tasks WHERE source = ? AND event_id = ? ORDER BY destination").bind(e.source, e.event_id)),
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
    nextCursor: rows.length > filter.limit && last ? encodeCursor([last.updated_at, last.source, last.event_id, last.destination]) : null,
  };
}

/** How many dead tasks match a filter. */
export async function countDead(db: D1Database, filter: DeadFilter): Promise<number> {
  const where = deadWhere(filter);
  return (await db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE ${where.sql}`).bind(...where.params).first<{ n: number }>())?.n ?? 0;
}

/** The next dead tasks matching a filter that became dead before `before` (for bulk replay). */
export async function nextDead(db: D1Database, filter: DeadFilter, before: number, limit: number): Promise<IndexedTask[]> {
  const where = deadWhere(filter);
  const rows = await db
    .prepare(`SELECT * FROM tasks WHERE ${where.sql} AND updated_at <= ? ORDER BY updated_at, source, event_id, destination LIMIT ?`)
    .bind(...where.params, before, limit)
    .all<TaskRow>();
  return rows.results.map(toTask);
}

/** Delivery stats over a window. */
export interface WindowStats {
  windowSeconds: number;
  /** Current task states of events received in the window. */
  tasks: Record<string, number>;
  attempts: number;
  /** Share of attempts that delivered (0..1), `null` without attempts. */
  successRate: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** Counts by status, success rate and latency percentiles for the window ending at `now`. */
export async function windowStats(db: D1Database, windowSeconds: number, now: number): Promise<WindowStats> {
  const since = now - windowSeconds * 1000;
  const [byStatus, attempts] = await db.batch<Record<string, number | string | null>>([
    db.prepare("SELECT status, COUNT(*) AS n FROM tasks WHERE received_at >= ? GROUP BY status").bind(since),
    db.prepare("SELECT ok, latency_ms FROM attempts WHERE at >= ? ORDER BY latency_ms").bind(since),
  ]);
  const tasks: Record<string, number> = { pending: 0, delivered: 0, dead: 0 };
  for (const r of byStatus!.results) tasks[String(r.status)] = Number(r.n);
  const rows = attempts!.results;
  const latencies = rows.map((r) => Number(r.latency_ms ?? 0));
  const ok = rows.filter((r) => Number(r.ok) === 1).length;
  return {
    windowSeconds,
    tasks,
    attempts: rows.length,
    successRate: rows.length === 0 ? null : ok / rows.length,
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) },
  };
}

/** Attempts in one time bucket (for the dashboard's charts). */
export interface Bucket {
  at: number;
  attempts: number;
  delivered: number;
  avgLatencyMs: number | null;
}

/** Attempts per time bucket since `since`, oldest first (empty buckets omitted). */
export async function throughput(db: D1Database, since: number, bucketMs: number): Promise<Bucket[]> {
  const rows = await db
    .prepare("SELECT CAST(at / ? AS INTEGER) * ? AS bucket, COUNT(*) AS n, SUM(ok) AS ok, AVG(latency_ms) AS latency FROM attempts WHERE at >= ? GROUP BY bucket ORDER BY bucket")
    .bind(bucketMs, bucketMs, since)
    .all<{ bucket: number; n: number; ok: number; latency: number | null }>();
  return rows.results.map((r) => ({ at: r.bucket, attempts: r.n, delivered: r.ok, avgLatencyMs: r.latency === null ? null : Math.round(r.latency) }));
}
