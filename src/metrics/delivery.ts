/**
 * The consumer's metrics step: one call per consumer batch counts each attempt (outcome and status
 * class per destination) and observes delivery latency and time to successful delivery, then sends the
 * isolate's tally in one MetricsStore request at the end of the batch. It cannot wait for ingest's
 * coalesced flush (flush.ts): a queue invocation's acks and retries take effect only once its
 * `waitUntil` work is done, so a flush a few seconds later held every batch (and every retry delay)
 * that much longer.
 */
import { flushNow, tally, type MetricsStoreEnv } from "./flush";

/** Counter of delivery attempts by destination, outcome and status class. */
export const DELIVERY_COUNTER = "edgehook_deliveries_total";
/** Histogram of attempt latency. */
export const LATENCY_HISTOGRAM = "edgehook_delivery_latency_seconds";
/** Histogram of time from acceptance to successful delivery. */
export const FIRST_DELIVERY_HISTOGRAM = "edgehook_time_to_first_delivery_seconds";

/** What the step needs of one attempt (the consumer's index update has it all). */
export interface AttemptFacts {
  destination: string;
  /** The task's state after the attempt (`pending`: it will be retried). */
  status: string;
  /** HTTP status, 0 when no response arrived. */
  lastStatus: number | null;
  latencyMs: number | null;
  receivedAt: number;
  /** When the attempt was recorded (ms). */
  at: number;
}

/** The `status_class` label: `2xx`…`5xx`, or `none` when no response arrived. */
export function statusClass(status: number | null): string {
  return status === null || status < 100 || status > 599 ? "none" : `${Math.floor(status / 100)}xx`;
}

/** The `outcome` label of a task state after an attempt. */
export function outcomeOf(status: string): string {
  return status === "pending" ? "retry" : status;
}

/** Count a consumer batch's attempts and flush them (one MetricsStore request per batch); never throws. */
export async function recordDeliveries(env: MetricsStoreEnv, attempts: AttemptFacts[]): Promise<void> {
  if (!env.METRICS_STORE) return;
  for (const a of attempts) {
    const destination = { destination: a.destination };
    tally.count(DELIVERY_COUNTER, { ...destination, outcome: outcomeOf(a.status), status_class: statusClass(a.lastStatus) }, a.at);
    if (a.latencyMs !== null) tally.observe(LATENCY_HISTOGRAM, destination, a.latencyMs / 1000);
    if (a.status === "delivered") tally.observe(FIRST_DELIVERY_HISTOGRAM, destination, Math.max(0, a.at - a.receivedAt) / 1000);
  }
  if (attempts.length > 0) await flushNow(env);
}
