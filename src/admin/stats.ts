/**
 * The operator's stats: per window, the index's exact figures (task counts, success rate, latency,
 * time to first delivery, retry rate) beside the counters' aggregated ones (ingress, duplicates,
 * rejects, destination 4xx/5xx, cost estimate), plus the backlog and dead count now. `figures` says
 * for each field where it comes from and over what window. Shared by the API and the dashboard.
 */
import { counterSlis, readSnapshot, type CounterSlis } from "../metrics";
import { countDead, indexSlis, readBacklog, windowStats, type IndexSlis, type WindowStats } from "../search";
import type { AdminEnv } from "./env";

/** Windows reported by the stats route. */
export const STATS_WINDOWS = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400 } as const;

/** One window's figures. */
export type OperatorWindow = WindowStats & IndexSlis & CounterSlis;

/** Everything the stats route and the overview show. */
export interface OperatorStats {
  windows: Record<keyof typeof STATS_WINDOWS, OperatorWindow>;
  backlog: { pending: number; oldestPendingAgeSeconds: number };
  dead: number;
  figures: Record<string, string>;
}

const INDEX = "exact: event index, tasks of the events received in the window";
const COUNTERS = "aggregated: MetricsStore counters (exact counts summed per whole minute), answers and attempts in the window";

/** Where each figure comes from (returned with the figures, and in docs/api.md). */
export const FIGURES: Record<string, string> = {
  tasks: INDEX,
  attempts: INDEX,
  successRate: INDEX,
  latencyMs: INDEX,
  timeToFirstDeliverySeconds: `${INDEX}; acceptance to the delivering attempt, nearest rank`,
  retryRate: `${INDEX}; attempts after each task's first / all attempts`,
  accepted: COUNTERS,
  acceptedPerSecond: `${COUNTERS}; accepted / window seconds`,
  duplicateRate: `${COUNTERS}; (duplicates + conflicting copies) / accepted`,
  rejectedByReason: COUNTERS,
  destinations: `${COUNTERS}; per destination attempts and the share answered 4xx / 5xx`,
  estimatedCostPerMillion: `estimate: ${COUNTERS}; list prices of docs/cost.md per accepted event, further attempt and reject, per million accepted`,
  backlog: "exact: event index, now; pending = attempted tasks waiting for a retry (not yet attempted ones wait in the queue)",
  dead: "exact: event index, now; dead tasks in the dead-letter list",
};

/** Read every figure at `now` (index: two D1 batches per window and two reads; counters: one store request). */
export async function operatorStats(env: AdminEnv, db: D1Database, now: number): Promise<OperatorStats> {
  const windows = Object.entries(STATS_WINDOWS);
  const [snapshot, index, backlog, dead] = await Promise.all([
    readSnapshot(env, windows.map(([, s]) => s)),
    Promise.all(windows.map(async ([, s]) => ({ ...(await windowStats(db, s, now)), ...(await indexSlis(db, s, now)) }))),
    readBacklog(db),
    countDead(db, {}),
  ]);
  const out = Object.fromEntries(windows.map(([k, s], i) => [k, { ...index[i]!, ...counterSlis(snapshot.windows[s] ?? {}, s) }]));
  return {
    windows: out as OperatorStats["windows"],
    backlog: { pending: backlog.pending, oldestPendingAgeSeconds: backlog.oldestPendingAt === null ? 0 : Math.max(0, Math.floor((now - backlog.oldestPendingAt) / 1000)) },
    dead,
    figures: FIGURES,
  };
}
