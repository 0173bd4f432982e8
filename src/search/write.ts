/** Writes to the event index: batched upserts from the consumer, and state changes from the admin API. */
import { writePoints, type MetricsEnv } from "../observe";
import type { IndexStatus } from "./query";

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
 * The statements for one update. Later states win (`updated_at` guard), so batches that land out of
 * order never move a task back; an attempt row is added when an attempt was made (latency known).
 */
export function updateStatements(db: D1Database, u: IndexUpdate): D1PreparedStatement[] {
  const out = [
    db
      .prepare(
        `INSERT INTO events (source, event_id, event_type, received_at, occurred_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, event_id) DO UPDATE SET updated_at = MAX(events.updated_at, excluded.updated_at)`,
      )
      .bind(u.source, u.eventId, u.eventType, u.receivedAt, u.occurredAt, u.at),
    db
      .prepare(
        `INSERT INTO tasks (source, event_id, destination, status, attempts, last_status, last_error, latency_ms, received_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, event_id, destination) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
           last_status = excluded.last_status, last_error = excluded.last_error, latency_ms = COALESCE(excluded.latency_ms, tasks.latency_ms),
           updated_at = excluded.updated_at
         WHERE excluded.updated_at >= tasks.updated_at`,
      )
      .bind(u.source, u.eventId, u.destination, u.status, u.attempts, u.lastStatus, u.lastError, u.latencyMs, u.receivedAt, u.at),
  ];
  if (u.latencyMs !== null) {
    out.push(
      db
        .prepare("INSERT INTO attempts (at, source, destination, ok, status, latency_ms) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(u.at, u.source, u.destination, u.status === "delivered" ? 1 : 0, u.status, u.latencyMs),
    );
  }
  return out;
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
  await db.batch(updates.flatMap((u) => updateStatements(db, u)));
}

/**
 * Index an accepted event that has no task (routed to no destination, or every route filtered it
 * out): such events never reach the delivery consumer. Call off the response path (waitUntil).
 * @example ctx.waitUntil(indexAccepted(env, event).catch(() => {}))
 */
export async function indexAccepted(env: SearchEnv, e: { source: string; eventId: string; eventType: string; receivedAt: number; occurredAt: number }): Promise<void> {
  if (!env.EVENT_INDEX) return;
  await env.EVENT_INDEX.prepare("INSERT INTO events (source, event_id, event_type, received_at, occurred_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING")
    .bind(e.source, e.eventId, e.eventType, e.receivedAt, e.occurredAt, e.receivedAt)
    .run();
}

/** Set the index state of some tasks (after a replay, or to sync with the ledger) unless a later update landed. */
export async function setTaskStatus(
  env: SearchEnv,
  tasks: { source: string; eventId: string; destination: string; status: IndexStatus; attempts?: number }[],
  at: number,
): Promise<void> {
  const db = env.EVENT_INDEX;
  if (!db || tasks.length === 0) return;
  await db.batch(
    tasks.map((t) =>
      db
        .prepare("UPDATE tasks SET status = ?, attempts = COALESCE(?, attempts), updated_at = ? WHERE source = ? AND event_id = ? AND destination = ? AND updated_at <= ?")
        .bind(t.status, t.attempts ?? null, at, t.source, t.eventId, t.destination, at),
    ),
  );
}

/** Remove dead tasks from the dead-letter list (the ledger keeps its record until its window ends). */
export async function purgeDead(env: SearchEnv, where: { sql: string; params: (string | number)[] }): Promise<number> {
  if (!env.EVENT_INDEX) return 0;
  const result = await env.EVENT_INDEX.prepare(`UPDATE tasks SET status = 'purged' WHERE ${where.sql}`).bind(...where.params).run();
  return result.meta.changes;
}
