/**
 * The consumer's transform step: before a claimed task is sent, run its transform (or reuse the
 * output its version already made, kept in the ledger), then send the shaped delivery, record the
 * task `filtered` (the transform returned null) or `dead` with `transform_failed`.
 */
import { loadConfig, type EdgehookConfig, type RuntimeDestination } from "../config";
import type { Delivery, DeliveryMessage, EventLedger, Outcome, TransformedDelivery } from "../ledger";
import { logLine } from "../observe";
import type { IndexUpdate } from "../search";
import { runInSandbox, transformVersion, type TransformEnv } from "./sandbox";
import { applyOutput, targetUrl, transformInput } from "./shape";

/** The part of a claimed task the step needs (src/delivery ClaimedTask). */
export interface TransformTask {
  message: Message<DeliveryMessage>;
  ledger: DurableObjectStub<EventLedger>;
  attempt: number;
  delivery: Delivery;
}

/** A task the step finished without sending: its index update (health is always neutral). */
export interface TransformDone {
  update: IndexUpdate;
  health: "neutral";
  retryAt: null;
}

/** What to send (and where), or the task's final state, or null when the task was finished meanwhile. */
export type TransformStep = { send: Delivery; url: string | undefined } | { done: TransformDone | null };

/** Longest error text kept in the attempt log (the same bound as a response snippet). */
const ERROR_BYTES = 512;

/**
 * The transform a delivery from `source` to `destination` goes through: the route's, else the
 * destination's; null when none (config validation guarantees the name exists and routes agree).
 * @example transformFor(config, "stripe", "orders") // { name: "slim-order", code: "export default …" }
 */
export function transformFor(config: EdgehookConfig, source: string, destination: string): { name: string; code: string } | null {
  const routes = Object.hasOwn(config.sources, source) ? config.sources[source]!.destinations : [];
  const route = routes.find((r) => typeof r !== "string" && r.destination === destination && r.transform !== undefined);
  const name = (route && typeof route !== "string" ? route.transform : undefined) ?? (Object.hasOwn(config.destinations, destination) ? config.destinations[destination]!.transform : undefined);
  if (name === undefined || !Object.hasOwn(config.transforms, name)) return null;
  return { name, code: config.transforms[name]!.code };
}

/** The output a transform makes for a delivery, or why there is none. */
export async function produce(env: TransformEnv, transform: { name: string; code: string }, delivery: Delivery, now: number): Promise<{ ok: true; output: TransformedDelivery } | { ok: false; error: string }> {
  const version = await transformVersion(transform.code);
  const run = await runInSandbox(env, transform.code, transformInput(delivery));
  if (!run.ok) return run;
  const applied = applyOutput(delivery, run.output);
  if (!applied.ok) return applied;
  const base = { name: transform.name, version, at: now };
  const { shaped } = applied;
  return { ok: true, output: shaped.dropped ? { ...base, dropped: true } : { ...base, dropped: false, payload: shaped.payload, headers: shaped.headers, eventType: shaped.eventType, path: shaped.path } };
}

/** The index update for a task the step finished. */
function doneUpdate(delivery: Delivery, destination: string, status: IndexUpdate["status"], attempts: number, error: string | null, now: number): TransformDone {
  const { source, eventId, eventType, receivedAt, occurredAt } = delivery;
  return { health: "neutral", retryAt: null, update: { source, eventId, eventType, receivedAt, occurredAt, destination, status, attempts, lastStatus: null, lastError: error, latencyMs: null, at: now } };
}

/**
 * Consumer step: shape a claimed task through its destination's (or route's) transform.
 * Ledger failures throw (the consumer's guard retries the message); transform failures are values.
 */
export async function transformTask(env: TransformEnv & object, task: TransformTask, destination: RuntimeDestination): Promise<TransformStep> {
  const loaded = loadConfig(env);
  const transform = loaded.ok ? transformFor(loaded.config.raw, task.delivery.source, destination.name) : null;
  if (transform === null) return { send: task.delivery, url: destination.config.url };
  const started = Date.now();
  const version = await transformVersion(transform.code);
  let output = await task.ledger.transformed(destination.name, version);
  if (output === null) {
    const made = await produce(env, transform, task.delivery, started);
    if (!made.ok) return { done: await fail(task, destination, made.error, started) };
    output = await task.ledger.keepTransformed(destination.name, made.output);
    if (output === null) {
      task.message.ack(); // finished meanwhile by another attempt
      return { done: null };
    }
  }
  if (output.dropped) {
    const status = await task.ledger.markFiltered(destination.name);
    task.message.ack();
    logLine("log", "transform_dropped", { source: task.delivery.source, destination: destination.name, webhookId: task.delivery.webhookId, version }, new Set());
    return { done: doneUpdate(task.delivery, destination.name, status ?? "filtered", task.attempt - 1, "transform_dropped", Date.now()) };
  }
  const delivery: Delivery = { ...task.delivery, payload: output.payload ?? task.delivery.payload, headers: output.headers ?? task.delivery.headers, eventType: output.eventType ?? task.delivery.eventType };
  const { url } = destination.config;
  return { send: delivery, url: url === undefined ? undefined : targetUrl(url, output.path ?? null) };
}

/** End the task dead with `transform_failed`, the error in its attempt log; replayable after a fix. */
async function fail(task: TransformTask, destination: RuntimeDestination, error: string, started: number): Promise<TransformDone> {
  const now = Date.now();
  const outcome: Outcome = { kind: "dead", record: { attempt: task.attempt, at: started, status: 0, latencyMs: now - started, error: "transform_failed", snippet: error.slice(0, ERROR_BYTES) } };
  const status = await task.ledger.record(destination.name, outcome);
  task.message.ack();
  logLine("log", "attempt", { destination: destination.name, webhookId: task.delivery.webhookId, attempt: task.attempt, status: 0, outcome: "dead", error: "transform_failed", ms: now - started }, new Set());
  return doneUpdate(task.delivery, destination.name, status ?? "dead", task.attempt, "transform_failed", now);
}
