/**
 * What a flush tells the alerts stage: verification failures (the 401 family) per source since this
 * isolate's previous signal, with the most frequent reason. Pure.
 */
import { AUTH_FAILURE_CODES, INGEST_COUNTER } from "./ingest";
import { parseSeries, type Delta } from "./tally";

/** One source's verification failures in a delta. */
export interface AuthFailureSignal {
  kind: "auth_failures";
  source: string;
  count: number;
  reason: string;
  at: number;
}

/** The auth-failure signals of a delta, one per source with any (sources sorted). */
export function authFailureSignals(delta: Delta, at: number): AuthFailureSignal[] {
  const bySource = new Map<string, Map<string, number>>();
  for (const [key, byMinute] of Object.entries(delta.counters)) {
    const { name, labels } = parseSeries(key);
    if (name !== INGEST_COUNTER || labels.result !== "rejected" || !AUTH_FAILURE_CODES.has(labels.reason ?? "")) continue;
    const n = Object.values(byMinute).reduce((a, b) => a + b, 0);
    const reasons = bySource.get(labels.source!) ?? new Map<string, number>();
    reasons.set(labels.reason!, (reasons.get(labels.reason!) ?? 0) + n);
    bySource.set(labels.source!, reasons);
  }
  return [...bySource.keys()].sort().map((source) => {
    const reasons = [...bySource.get(source)!].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { kind: "auth_failures", source, count: reasons.reduce((a, [, n]) => a + n, 0), reason: reasons[0]![0], at };
  });
}
