/**
 * Coalesced flushing of this isolate's tally: the first count after a flush schedules one flush
 * FLUSH_AFTER_MS later (`waitUntil`), so an isolate sends at most one MetricsStore request per
 * interval however many requests it serves. Admin reads flush at once. Each flush that carried
 * verification failures tells the alert stage (`source.auth_failures`) in one more request.
 */
import { signalAlerts, type AlertsEnv } from "../alerts";
import { authFailureSignals } from "./signals";
import { Tally } from "./tally";
import type { MetricsStore } from "./store";

/** Name of the one MetricsStore object. */
const METRICS_OBJECT = "metrics";

/** Delay between an isolate's first count and its flush. */
export const FLUSH_AFTER_MS = 3_000;

/** Bindings of the metrics stage; without METRICS_STORE, nothing is counted (nor signalled). */
export interface MetricsStoreEnv extends AlertsEnv {
  METRICS_STORE?: DurableObjectNamespace<MetricsStore>;
}

/** Something that can keep a promise alive after the response (an ExecutionContext). */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** This isolate's tally. */
export const tally = new Tally();
let scheduled = false;

/** The store stub, or null when the binding is missing. */
export function metricsStore(env: MetricsStoreEnv): DurableObjectStub<MetricsStore> | null {
  const ns = env.METRICS_STORE;
  return ns ? ns.get(ns.idFromName(METRICS_OBJECT)) : null;
}

/** Send what the tally holds in one request (nothing when it is empty); a failed send is put back. */
export async function flushNow(env: MetricsStoreEnv): Promise<void> {
  const store = metricsStore(env);
  if (!store || tally.empty) return;
  const delta = tally.take();
  const at = Date.now();
  try {
    await store.add(delta, at);
  } catch (error) {
    tally.restore(delta);
    console.error(JSON.stringify({ msg: "metrics_flush_failed", error: String(error) }));
    return;
  }
  // Failures since this isolate's previous signal, per source (sent after the store took them, so a
  // retried flush never signals twice). signalAlerts never throws.
  const auth = authFailureSignals(delta, at);
  if (auth.length > 0) await signalAlerts(env, auth);
}

/** Make sure a flush is coming: schedule one unless one already is (without a context, flush at once). */
export function scheduleFlush(env: MetricsStoreEnv, ctx: WaitUntil | undefined): void {
  if (scheduled) return;
  const run = async () => {
    await new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS));
    scheduled = false;
    await flushNow(env);
  };
  if (!ctx) {
    void flushNow(env);
    return;
  }
  scheduled = true;
  ctx.waitUntil(run());
}
