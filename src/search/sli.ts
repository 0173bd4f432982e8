/**
 * Exact delivery SLIs from the event index, over the tasks of the events received in a window: time
 * from acceptance to successful delivery (percentiles, nearest rank) and the retry rate.
 */
import { nearestRank, TABLE } from "./query";

/** Index-exact SLIs of one window. */
export interface IndexSlis {
  /** Seconds from acceptance to the delivering attempt of delivered tasks (p50/p95/p99). */
  timeToFirstDeliverySeconds: { p50: number | null; p95: number | null; p99: number | null };
  /** Attempts after each task's first / all attempts (0..1); null without attempts. */
  retryRate: number | null;
}

const PERCENTILES = { p50: 50, p95: 95, p99: 99 } as const;

/** The SLIs of the window ending at `now` (one D1 batch: a range scan over the key). */
export async function indexSlis(db: D1Database, windowSeconds: number, now: number): Promise<IndexSlis> {
  const since = now - windowSeconds * 1000;
  const ranks = Object.values(PERCENTILES).map((p) => `MAX(1, (n * ${p} + 99) / 100)`).join(", ");
  const [times, attempts] = await db.batch<Record<string, number | null>>([
    db.prepare(
      `SELECT r, n, t FROM (SELECT updated_at - received_at AS t, ROW_NUMBER() OVER (ORDER BY updated_at - received_at) AS r, COUNT(*) OVER () AS n
       FROM ${TABLE} WHERE received_at >= ? AND destination != '' AND status = 'delivered') WHERE r IN (${ranks})`,
    ).bind(since),
    db.prepare(`SELECT SUM(attempts) AS attempts, SUM(attempts > 0) AS tasks FROM ${TABLE} WHERE received_at >= ? AND destination != ''`).bind(since),
  ]);
  const byRank = new Map(times!.results.map((r) => [Number(r.r), Number(r.t)]));
  const n = Number(times!.results[0]?.n ?? 0);
  const at = (p: number) => {
    const ms = n === 0 ? undefined : byRank.get(nearestRank(p, n));
    return ms === undefined ? null : Math.max(0, ms) / 1000;
  };
  const total = Number(attempts!.results[0]?.attempts ?? 0);
  const tasks = Number(attempts!.results[0]?.tasks ?? 0);
  return {
    timeToFirstDeliverySeconds: { p50: at(PERCENTILES.p50), p95: at(PERCENTILES.p95), p99: at(PERCENTILES.p99) },
    retryRate: total === 0 ? null : (total - tasks) / total,
  };
}
