/** Writes to the event index: batched upserts from the consumer, and state changes from the admin API. */
import { writePoints, type MetricsEnv } from "../observe";
import { TABLE, type IndexStatus } from "./query";

/** One task's state after an attempt (or a skip), as the consumer saw it. */
export interface IndexUpdate {
  source: string;
  eventId: string;
  eventType: string;
  receivedAt: number;
  occurredAt: number;
  destination: string;
  status: IndexStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  /** When this update happened (ms since the epoch). */
  at: number;
}

/** Bindings the index uses; without `EVENT_INDEX` the index is off (and without `METRICS`, no data points). */
export interface SearchEnv extends MetricsEnv {
  EVENT_INDEX?: D1Database;
}

/**
 * The upsert for one update: one row per (event, destination), so one row written (an update of a
 * WITHOUT ROWID row with no index entry is one row too; a task becoming dead adds its entry in the
 * partial dead-letter index). Later states win (`updated_at` guard), so batches that land out of
 * order never move a task back.
 */
export function updateStatement(db: D1Database, u: IndexUpdate): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO ${TABLE} (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, last_status, last_error, latency_ms, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (received_at, source, event_id, destination) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
         last_status = excluded.last_status, last_error = excluded.last_error, latency_ms = COALESCE(excluded.latency_ms, ${TABLE}.latency_ms),
         updated_at = excluded.updated_at
       WHERE excluded.updated_at >= ${TABLE}.updated_at`,
    )
    .bind(u.receivedAt, u.source, u.eventId, u.destination, u.eventType, u.occurredAt, u.status, u.attempts, u.lastStatus, u.lastError, u.latencyMs, u.at);
}

/** Write a batch of updates to the index in one D1 batch (one round trip), and attempts to Analytics Engine. */
export async function writeIndex(env: SearchEnv, updates: IndexUpdate[]): Promise<void> {
  writePoints(
    env,
    updates
      .filter((u) => u.latencyMs !== null)
      .map((u) => ({ kind: "attempt", source: u.source, destination: u.destination, status: u.status, eventType: u.eventType, latencyMs: u.latencyMs, attempts: u.attempts, httpStatus: u.lastStatus })),
  );
  const db = env.EVENT_INDEX;
  if (!db || updates.length === 0) return;
  await db.batch(updates.map((u) => updateStatement(db, u)));
}

/**
 * Index an accepted event that has no task (routed to no destination, or every route filtered it
 * out): such events never reach the delivery consumer. One row, destination '' and status
 * `unrouted`. Call off the response path (waitUntil).
 * @example ctx.waitUntil(indexAccepted(env, event).catch(() => {}))
 */
export async function indexAccepted(env: SearchEnv, e: { source: string; eventId: string; eventType: string; receivedAt: number; occurredAt: number }): Promise<void> {
  if (!env.EVENT_INDEX) return;
  await env.EVENT_INDEX.prepare(
    `INSERT INTO ${TABLE} (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, updated_at) VALUES (?, ?, ?, '', ?, ?, 'unrouted', 0, ?) ON CONFLICT DO NOTHING`,
  )
    .bind(e.receivedAt, e.source, e.eventId, e.eventType, e.occurredAt, e.receivedAt)
    .run();
}

/** A task to set, by its full key: `receivedAt` comes from the index row or the ledger (the key starts with it). */
export interface TaskKey {
  source: string;
  eventId: string;
  destination: string;
  receivedAt: number;
}

/** Set the index state of some tasks (after a replay, or to sync with the ledger) unless a later update landed. */
export async function setTaskStatus(env: SearchEnv, tasks: (TaskKey & { status: IndexStatus; attempts?: number })[], at: number): Promise<void> {
  const db = env.EVENT_INDEX;
  if (!db || tasks.length === 0) return;
  await db.batch(
    tasks.map((t) =>
      db
        .prepare(`UPDATE ${TABLE} SET status = ?, attempts = COALESCE(?, attempts), updated_at = ? WHERE received_at = ? AND source = ? AND event_id = ? AND destination = ? AND updated_at <= ?`)
        .bind(t.status, t.attempts ?? null, at, t.receivedAt, t.source, t.eventId, t.destination, at),
    ),
  );
}

/** Remove dead tasks from the dead-letter list (the ledger keeps its record until its window ends). */
export async function purgeDead(env: SearchEnv, where: { sql: string; params: (string | number)[] }): Promise<number> {
  if (!env.EVENT_INDEX) return 0;
  const result = await env.EVENT_INDEX.prepare(`UPDATE ${TABLE} SET status = 'purged' WHERE ${where.sql}`).bind(...where.params).run();
  return result.meta.changes;
}
