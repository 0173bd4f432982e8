/**
 * Sending callback events (binding code): accept one `_callback` event in its own ledger object per
 * task outcome. Idempotent by construction (the event id is the task's webhook-id plus the outcome),
 * so callers run it before they record the outcome: a crash in between repeats it, and the repeat is
 * a duplicate.
 */
import { loadConfig, type RuntimeConfig, type RuntimeDestination } from "../config";
import type { AttemptResult } from "../delivery/classify";
import type { AcceptResult, Delivery, EventLedger } from "../ledger";
// The pure planning file, not the ledger face: that face carries the Durable Object class, which
// only workerd can load, and the delivery stage (imported by node unit tests) imports this stage.
import { ledgerName } from "../ledger/plan";
import { logLine } from "../observe";
import { indexAccepted, type SearchEnv } from "../search";
import { CALLBACK_SOURCE, callbackEnvelope, callbackEventId, callbackEventType, carry, chainOf, nextHop, type CallbackKind, type ChainPosition, type ParentTask, type Report } from "./envelope";
import { CALLBACK_SECRET_NAME } from "./graph";
import { signCallbackToken } from "./token";

/** Bindings the workflow stage uses. */
export interface WorkflowEnv extends SearchEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
  EDGEHOOK_CALLBACK_SECRET?: string;
}

/** The checked config, or null (then nothing is sent: the consumer already refuses to run on a bad config). */
function configOf(env: object): RuntimeConfig | null {
  const loaded = loadConfig(env);
  return loaded.ok ? loaded.config : null;
}

/**
 * Accept the callback event reporting `parent`'s outcome, for destination `target`. Past the hop
 * limit or onto a loop the event is still stored (visible, linked) but with no task, and logged.
 */
export async function sendCallbackEvent(env: WorkflowEnv, config: RuntimeConfig, parent: ParentTask, from: ChainPosition, target: string, report: Report): Promise<AcceptResult> {
  const { settings } = config.raw;
  const position = nextHop(from, parent.destination, target, settings.maxHops);
  const eventId = callbackEventId(parent.webhookId, report.kind);
  const eventType = callbackEventType(report.kind);
  const now = Date.now();
  const ledger = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(ledgerName(CALLBACK_SOURCE, eventId)));
  const result = await ledger.accept({
    event: { source: CALLBACK_SOURCE, eventId, eventType, orderingKey: null, occurredAt: now, receivedAt: now, headers: { "content-type": "application/json" }, payload: callbackEnvelope(parent, position, report) },
    destinations: position.refused ? [] : [target],
    dedupeWindowSeconds: settings.dedupeWindowSeconds,
    redriveAfterSeconds: settings.redriveAfterSeconds,
  });
  if (result.status === "accepted") {
    logLine("log", "callback", { eventId, target, hop: position.hop, parent: ledgerName(parent.source, parent.eventId), ...(position.refused ? { refused: position.refused } : {}) }, new Set());
    if (position.refused) await indexAccepted(env, { source: CALLBACK_SOURCE, eventId, eventType, receivedAt: now, occurredAt: now });
  }
  return result;
}

/** The task a delivery belongs to, as a callback event's parent. */
function parentOfDelivery(delivery: Delivery, destination: string): ParentTask {
  return { source: delivery.source, eventId: delivery.eventId, eventType: delivery.eventType, destination, webhookId: delivery.webhookId };
}

/**
 * Consumer step, before an attempt: what is sent (`send`: the stored `delivery`, or its transform's
 * output) to a destination with `callback` carries `edgehook-callback-url`, bound to the task by a
 * signed token valid `callbackTtlSeconds`. The chain position is read from the stored event.
 */
export async function withCallbackUrl(env: WorkflowEnv, destination: RuntimeDestination, delivery: Delivery, send: Delivery = delivery): Promise<Delivery> {
  if (destination.config.callback === undefined) return send;
  const config = configOf(env);
  const secret = env[CALLBACK_SECRET_NAME];
  if (!config?.raw.settings.publicUrl || !secret) return send; // the config check refuses this setup: never reached
  const from = chainOf(delivery.source, delivery.payload);
  const token = await signCallbackToken(secret, {
    w: delivery.webhookId, s: delivery.source, e: delivery.eventId, t: delivery.eventType, d: destination.name,
    h: from.hop, p: from.path, x: Math.floor(Date.now() / 1000) + destination.config.callbackTtlSeconds,
  });
  const url = `${config.raw.settings.publicUrl.replace(/\/+$/, "")}/callbacks/${token}`;
  return { ...send, headers: { ...send.headers, "edgehook-callback-url": url } };
}

/**
 * Consumer step, when an attempt ends its task (before the outcome is recorded): the callback
 * (delivered) or failure callback (dead) event carrying the response, if the destination has one.
 */
export async function sendOutcomeCallback(env: WorkflowEnv, destination: RuntimeDestination, delivery: Delivery, attempt: AttemptResult, kind: "delivered" | "dead", error?: string): Promise<void> {
  const target = kind === "delivered" ? destination.config.callback : destination.config.failureCallback;
  const config = target === undefined ? null : configOf(env);
  if (target === undefined || config === null) return;
  const captured = attempt.response ?? { headers: {}, body: new TextEncoder().encode(attempt.snippet ?? ""), truncated: false };
  const report: Report = {
    kind,
    response: { status: attempt.status, headers: captured.headers, ...carry(captured.body, captured.truncated) },
    ...(error !== undefined ? { error } : {}),
  };
  await sendCallbackEvent(env, config, parentOfDelivery(delivery, destination.name), chainOf(delivery.source, delivery.payload), target, report);
}

/**
 * Before a task is marked dead without an attempt (dead-letter queue, poison message, …): its
 * failure callback, from the last recorded response. Skipped when the task is already delivered.
 */
export async function sendDeadCallback(env: WorkflowEnv, ledger: DurableObjectStub<EventLedger>, destination: string, reason: string): Promise<void> {
  const config = configOf(env);
  const target = config?.destinations.get(destination)?.config.failureCallback;
  if (!config || target === undefined) return;
  const view = await ledger.inspect();
  const task = view?.tasks.find((t) => t.destination === destination);
  if (!view || !task || (task.status !== "pending" && task.status !== "dead")) return;
  const { source, eventId, eventType } = view.event;
  const stored = source === CALLBACK_SOURCE ? await ledger.payload() : null;
  // Its chain position is unknown when the payload cannot be read (encryption key gone): fail closed, no further hop.
  if (stored && !stored.ok) return;
  const from = chainOf(source, stored?.ok ? stored.payload : null);
  const last = task.log.at(-1);
  const report: Report = { kind: "dead", response: { status: task.lastStatus ?? 0, headers: {}, ...carry(new TextEncoder().encode(last?.snippet ?? ""), false) }, error: reason };
  await sendCallbackEvent(env, config, { source, eventId, eventType, destination, webhookId: task.webhookId }, from, target, report);
}

/** The ids of the callback events a task may have started (its children), by outcome. */
export function childIds(webhookId: string): { kind: CallbackKind; eventId: string }[] {
  return (["delivered", "dead", "result"] as const).map((kind) => ({ kind, eventId: callbackEventId(webhookId, kind) }));
}
