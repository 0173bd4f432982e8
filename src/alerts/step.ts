/**
 * The delivery consumer's alert step: one signalAlerts call per consumer batch at most. Dead tasks,
 * breaker and pause transitions, and failed attempts are signalled with the batch that saw them;
 * successes only are tallied in the isolate and ride along with the next signal (or go on their own
 * after TALLY_FLUSH_MS), so a healthy pipeline makes no AlertCenter request per batch.
 */
import type { GateChange } from "../gate";
import type { IndexUpdate } from "../search";
import { signalAlerts, type AlertsEnv } from "./signal";
import type { AlertSignal } from "./types";

/** How long successes may wait in an isolate's tally before they are signalled on their own. */
export const TALLY_FLUSH_MS = 30_000;

/** Successes per destination not yet signalled, per isolate (lost on eviction: counts, not alerts). */
const tally = new Map<string, number>();
/** When this isolate last signalled (its first batch starts the clock: a lone healthy batch makes no request). */
let lastFlush: number | null = null;

/** Signals for the gate's transitions in one report of `destination`, with the last error of its attempts. */
export function gateSignals(destination: string, changes: readonly GateChange[], lastError: string | null, now: number): AlertSignal[] {
  return changes.map((change): AlertSignal => change === "paused_gone"
    ? { kind: "pause", destination, paused: true, by: "gone", at: now }
    : { kind: "breaker", destination, state: change === "breaker_opened" ? "open" : "closed", error: lastError, at: now });
}

/** Dead tasks and attempt counts from a batch's index updates, plus `extra` (gate transitions); one request at most. */
export async function reportAlerts(env: AlertsEnv, updates: readonly IndexUpdate[], extra: readonly AlertSignal[], now = Date.now()): Promise<void> {
  const signals: AlertSignal[] = [...extra];
  const failures = new Map<string, number>();
  for (const u of updates) {
    if (u.latencyMs === null) continue; // not an attempt
    if (u.status === "delivered") tally.set(u.destination, (tally.get(u.destination) ?? 0) + 1);
    else failures.set(u.destination, (failures.get(u.destination) ?? 0) + 1);
    if (u.status === "dead") signals.push({ kind: "task.dead", source: u.source, eventId: u.eventId, destination: u.destination, reason: u.lastError ?? "dead", error: u.lastError, at: u.at });
  }
  lastFlush ??= now;
  if (signals.length === 0 && failures.size === 0 && (tally.size === 0 || now - lastFlush < TALLY_FLUSH_MS)) return;
  for (const destination of new Set([...tally.keys(), ...failures.keys()])) {
    signals.push({ kind: "attempts", destination, successes: tally.get(destination) ?? 0, failures: failures.get(destination) ?? 0, at: now });
  }
  tally.clear();
  lastFlush = now;
  await signalAlerts(env, signals);
}
