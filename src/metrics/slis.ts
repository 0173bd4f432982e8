/**
 * Aggregated SLIs from the MetricsStore's per-minute counter sums of one window: ingress rate,
 * duplicate rate, rejects by reason, destination 4xx/5xx rates, and a list-price cost estimate.
 * Pure: sums in, figures out.
 */
import { DELIVERY_COUNTER } from "./delivery";
import { INGEST_COUNTER } from "./ingest";
import { parseSeries } from "./tally";

/** Figures of one window from the counters (exact counts, summed per whole minute). */
export interface CounterSlis {
  accepted: number;
  acceptedPerSecond: number;
  /** (duplicates + conflicting copies) / accepted; null when nothing was accepted. */
  duplicateRate: number | null;
  rejectedByReason: Record<string, number>;
  /** Per destination: attempts and the share answered 4xx and 5xx. */
  destinations: Record<string, { attempts: number; rate4xx: number; rate5xx: number }>;
  /** Estimated list-price cost per million accepted events of the operations counted (docs/cost.md). */
  estimatedCostPerMillion: number | null;
}

/**
 * List prices per operation counted, in $ (docs/cost.md, "Priced at list prices"): an accepted event
 * delivered at its first attempt (ledger pipeline, index and its retention, batch of 1), each further
 * attempt (queue message ops, a ledger record row and request, an index row), and each reject (a
 * Worker request).
 */
export const PRICE = { acceptedEvent: 10.41e-6, extraAttempt: 3.35e-6, reject: 0.3e-6 } as const;

/** The counter figures of a window of `seconds` from its per-series sums. */
export function counterSlis(sums: Record<string, number>, seconds: number): CounterSlis {
  let accepted = 0;
  let duplicates = 0;
  let attempts = 0;
  const rejectedByReason: Record<string, number> = {};
  const destinations: Record<string, { attempts: number; c4: number; c5: number }> = {};
  for (const [key, n] of Object.entries(sums)) {
    const { name, labels } = parseSeries(key);
    if (name === INGEST_COUNTER) {
      if (labels.result === "accepted") accepted += n;
      else if (labels.result === "duplicate" || labels.result === "conflict") duplicates += n;
      else if (labels.result === "rejected" && labels.reason) rejectedByReason[labels.reason] = (rejectedByReason[labels.reason] ?? 0) + n;
    } else if (name === DELIVERY_COUNTER && labels.destination !== undefined) {
      const d = (destinations[labels.destination] ??= { attempts: 0, c4: 0, c5: 0 });
      d.attempts += n;
      attempts += n;
      if (labels.status_class === "4xx") d.c4 += n;
      if (labels.status_class === "5xx") d.c5 += n;
    }
  }
  const rejected = Object.values(rejectedByReason).reduce((a, b) => a + b, 0);
  const extraAttempts = Math.max(0, attempts - accepted);
  return {
    accepted,
    acceptedPerSecond: accepted / seconds,
    duplicateRate: accepted === 0 ? null : duplicates / accepted,
    rejectedByReason,
    destinations: Object.fromEntries(Object.entries(destinations).sort(([a], [b]) => a.localeCompare(b)).map(([k, d]) => [k, { attempts: d.attempts, rate4xx: d.c4 / d.attempts, rate5xx: d.c5 / d.attempts }])),
    estimatedCostPerMillion: accepted === 0 ? null : Math.round(((accepted * PRICE.acceptedEvent + extraAttempts * PRICE.extraAttempt + rejected * PRICE.reject) / accepted) * 1e6 * 100) / 100,
  };
}
