/**
 * The backlog as the index sees it: how many tasks are pending and when the oldest was received.
 * Reads the partial index `deliveries_pending` (migrations/0006) only, so its cost grows with the
 * backlog, not with the table. A task enters the index after its first attempt: a task that was
 * never attempted (its first queue message still waiting) is not counted.
 */
import { TABLE } from "./query";

/** Pending tasks and the receive time of the oldest (null when none). */
export interface Backlog {
  pending: number;
  oldestPendingAt: number | null;
}

/**
 * Read the backlog from the event index.
 * @example const { pending, oldestPendingAt } = await readBacklog(env.EVENT_INDEX);
 */
export async function readBacklog(db: D1Database): Promise<Backlog> {
  const row = await db
    .prepare(`SELECT count(*) AS pending, min(received_at) AS oldest FROM ${TABLE} INDEXED BY deliveries_pending WHERE status = 'pending'`)
    .first<{ pending: number; oldest: number | null }>();
  return { pending: row?.pending ?? 0, oldestPendingAt: row?.oldest ?? null };
}
