/** The open conditions and active dead-task bursts of the alert state, for the API and the dashboard. */
import type { AlertState } from "./policy";
import type { OpenCondition } from "./types";

/** What is open now, oldest first. Pure. */
export function openConditions(state: AlertState): OpenCondition[] {
  const out: OpenCondition[] = [];
  for (const [destination, g] of Object.entries(state.dead)) out.push({ type: "task.dead", destination, source: g.source, since: g.since, count: g.total, lastError: g.lastError });
  for (const [destination, b] of Object.entries(state.breaker)) out.push({ type: "destination.breaker_opened", destination, since: b.since, count: 1, lastError: b.error });
  for (const [destination, p] of Object.entries(state.paused)) out.push({ type: "destination.paused", destination, since: p.since, count: 1, lastError: p.by === "gone" ? "gone" : null });
  for (const [source, t] of Object.entries(state.auth)) if (t.open) out.push({ type: "source.auth_failures", source, since: t.open.since, count: t.open.total, lastError: t.reason });
  for (const [destination, t] of Object.entries(state.rate)) if (t.open) out.push({ type: "delivery.success_rate", destination, since: t.open.since, count: 0, lastError: null });
  if (state.backlog) out.push({ type: "backlog.stalled", since: state.backlog.since, count: state.backlog.pending, lastError: null });
  return out.sort((a, b) => a.since - b.since);
}
