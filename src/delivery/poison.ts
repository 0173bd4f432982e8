/**
 * Poison messages: a message whose handling throws the same way on every delivery must not loop.
 * An exception the runtime does not mark as transient ends the task dead (`poison_message`) once the
 * message has been delivered POISON_AFTER_ATTEMPTS times; transient ones (a Durable Object
 * overloaded or reset) keep their retries until the queue's max_retries hands the message to the
 * dead-letter queue. Either way the task ends dead in its ledger and in the index: visible, replayable.
 */
import { signalAlerts, type AlertSignal, type AlertsEnv } from "../alerts";
import type { RuntimeDestination } from "../config";
import type { DeliveryMessage, EventLedger, TaskStatus } from "../ledger";
import { writeIndex, type SearchEnv } from "../search";
import { sendDeadCallback, type WorkflowEnv } from "../workflow";
import { settleOrder, type OrderingEnv } from "./ordered";
export { deadReason } from "./dead-reason";

/** Deliveries of one message after which a non-transient exception makes its task dead. */
export const POISON_AFTER_ATTEMPTS = 5;

/** Bindings dead-recording uses. */
export interface DeadEnv extends SearchEnv, AlertsEnv, WorkflowEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
}

/** Does the runtime mark this error as transient (`retryable` / `overloaded` on Durable Object errors)? */
export function isTransient(error: unknown): boolean {
  const e = error as { retryable?: unknown; overloaded?: unknown } | null;
  return typeof e === "object" && e !== null && (e.retryable === true || e.overloaded === true);
}

/** After an exception on a message's `attempts`-th delivery: retry it (infrastructure), or end its task as poison. Pure. */
export function poisonVerdict(error: unknown, attempts: number): "retry" | "dead" {
  return !isTransient(error) && attempts >= POISON_AFTER_ATTEMPTS ? "dead" : "retry";
}

/**
 * Mark a message's task dead in its ledger with `reason` (a task already final keeps its state) and
 * index the result, so dead tasks show on the dead-letter list and dashboard. Throws when the ledger
 * cannot be reached (the caller retries); an index failure is only logged (the ledger is the truth).
 * The dead task is an alert signal: pushed to `alerts` when given (the caller signals its batch once),
 * else signalled here.
 */
export async function recordDead(env: DeadEnv, body: DeliveryMessage, reason: string, alerts?: AlertSignal[]): Promise<TaskStatus | null> {
  const ledger = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(body.ledger));
  await sendDeadCallback(env, ledger, body.destination, reason); // before the mark: a crash in between repeats it (a duplicate)
  const status = await ledger.markDead(body.destination, reason);
  if (status !== "dead") return status;
  try {
    const view = await ledger.inspect();
    const task = view?.tasks.find((t) => t.destination === body.destination);
    if (view && task) {
      const { source, eventId, eventType, receivedAt, occurredAt } = view.event;
      const signal: AlertSignal = { kind: "task.dead", source, eventId, destination: body.destination, reason, error: task.lastError, at: Date.now() };
      if (alerts) alerts.push(signal);
      else await signalAlerts(env, [signal]);
      await writeIndex(env, [{ source, eventId, eventType, receivedAt, occurredAt, destination: body.destination, status: "dead", attempts: task.attempts, lastStatus: task.lastStatus, lastError: task.lastError, latencyMs: null, at: Date.now() }]);
    }
  } catch (error) {
    console.error(JSON.stringify({ msg: "index_write_failed", ledger: body.ledger, error: String(error) }));
  }
  return status;
}

/**
 * End a poison message: its task dead (`reason`, default `poison_message`), the message acked, and
 * under ordering the key freed (the next event of the key is enqueued). When the ledger cannot be
 * reached, retry later.
 */
export async function endPoisoned(env: DeadEnv & OrderingEnv, message: Message<DeliveryMessage>, destination: RuntimeDestination | undefined, retryDelaySeconds: number, reason = "poison_message"): Promise<void> {
  try {
    await recordDead(env, message.body, reason);
  } catch (error) {
    console.error(JSON.stringify({ msg: "poison_record_failed", ledger: message.body.ledger, destination: message.body.destination, error: String(error) }));
    message.retry({ delaySeconds: retryDelaySeconds });
    return;
  }
  message.ack();
  if (!destination) return;
  try {
    const next = await settleOrder(env, destination, message.body, "dead", null);
    if (next !== null) await env.DELIVERY_QUEUE.send(next, { contentType: "json" });
  } catch (error) {
    console.error(JSON.stringify({ msg: "poison_settle_failed", ledger: message.body.ledger, destination: destination.name, error: String(error) }));
  }
}
