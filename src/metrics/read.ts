/** Reads of the MetricsStore: this isolate's tally is flushed first, so what it counted is included. */
import { flushNow, metricsStore, type MetricsStoreEnv } from "./flush";
import type { MetricsSnapshot } from "./store";
import type { RejectSample } from "./tally";

/** This isolate's tally flushed, then the store's snapshot (empty without the binding). */
export async function readSnapshot(env: MetricsStoreEnv, windowsSeconds: number[]): Promise<MetricsSnapshot> {
  await flushNow(env);
  const store = metricsStore(env);
  return store ? await store.snapshot(Date.now(), windowsSeconds) : { totals: {}, histograms: {}, windows: {} };
}

/** This isolate's tally flushed, then a source's most recent reject samples (none without the binding). */
export async function readRejections(env: MetricsStoreEnv, source: string, limit: number): Promise<RejectSample[]> {
  await flushNow(env);
  const store = metricsStore(env);
  return store ? await store.rejections(source, limit) : [];
}
