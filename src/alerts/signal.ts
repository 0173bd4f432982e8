/** How other stages reach the alert stage: one request to the single AlertCenter object per call. */
import type { AlertCenter } from "./center";
import type { AlertSignal } from "./types";

/** Bindings the alert stage uses (config and secrets are read by the AlertCenter from its own env). */
export interface AlertsEnv {
  ALERT_CENTER?: DurableObjectNamespace<AlertCenter>;
}

/** The one AlertCenter of a deployment (a single object: alerts are rare, and one place dedupes them). */
export function alertCenter(env: Required<AlertsEnv>): DurableObjectStub<AlertCenter> {
  return env.ALERT_CENTER.get(env.ALERT_CENTER.idFromName("alerts"));
}

/**
 * Hand signals to the alert stage; one Durable Object request per call, never throws (errors
 * logged). An empty list still wakes the center (the cron uses that to keep backlog checks running).
 * @example await signalAlerts(env, [{ kind: "breaker", destination: "orders", state: "open", error: "HTTP 503", at: Date.now() }]);
 */
export async function signalAlerts(env: AlertsEnv, signals: AlertSignal[]): Promise<void> {
  if (!env.ALERT_CENTER) return;
  try {
    await alertCenter({ ALERT_CENTER: env.ALERT_CENTER }).signal(signals);
  } catch (error) {
    console.error(JSON.stringify({ msg: "alert_signal_failed", signals: signals.length, error: String(error) }));
  }
}
