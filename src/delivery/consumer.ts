/**
 * Queue consumer: for each message, claim the task from its ledger, attempt it, record the outcome,
 * then ack or retry. Success is recorded before the ack, so a redelivered message is skipped.
 */
import { loadConfig, type RuntimeConfig } from "../config";
import type { DeliveryMessage, EventLedger, Outcome } from "../ledger";
import { writeIndex, type IndexUpdate, type SearchEnv } from "../search";
import { backoffSeconds, classifyResponse, errorClass, MAX_QUEUE_DELAY_SECONDS } from "./classify";
import { sendDelivery } from "./send";

/** Bindings the consumer uses. */
export interface DeliveryEnv extends SearchEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
}

/** Retry delay when the ledger or config cannot be reached: short, jittered, growing with the message's attempts. */
function infraDelay(attempts: number): number {
  return backoffSeconds(attempts, { maxAttempts: 100, baseSeconds: 5, capSeconds: 300 }, 0.5 + Math.random() / 2);
}

/** Is this a well-formed v1 delivery message? */
export function isDeliveryMessage(body: unknown): body is DeliveryMessage {
  const m = body as DeliveryMessage | null;
  return typeof m === "object" && m !== null && m.v === 1 && typeof m.ledger === "string" && typeof m.destination === "string";
}

/**
 * Handle one message to the end: it is always acked or retried exactly once. Returns the task's new
 * state for the search index when an attempt was made.
 */
export async function processMessage(message: Message<unknown>, config: RuntimeConfig, env: DeliveryEnv): Promise<IndexUpdate | null> {
  const body = message.body;
  if (!isDeliveryMessage(body)) {
    console.error(JSON.stringify({ msg: "message_malformed", id: message.id }));
    message.ack();
    return null;
  }
  const ledger = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(body.ledger));
  const destination = config.destinations.get(body.destination);
  try {
    if (!destination) {
      // Removed from config: the task can never be delivered; make that visible instead of retrying forever.
      await ledger.markDead(body.destination, "destination_not_configured");
      message.ack();
      return null;
    }
    const claim = await ledger.claim(body.destination, destination.config.timeoutMs + 5_000);
    if (claim.action === "skip") {
      message.ack();
      return null;
    }
    if (claim.action === "wait") {
      message.retry({ delaySeconds: Math.min(claim.delaySeconds, MAX_QUEUE_DELAY_SECONDS) });
      return null;
    }
    const result = await sendDelivery(destination, claim.delivery, claim.attempt);
    const now = Date.now();
    const decision = classifyResponse(result, claim.attempt, destination.config.retry, now, Math.random());
    const outcome: Outcome = {
      kind: decision.kind,
      record: {
        attempt: claim.attempt,
        at: now - result.latencyMs,
        status: result.status,
        latencyMs: result.latencyMs,
        ...(decision.kind === "delivered" ? {} : { error: decision.error ?? errorClass(result) }),
        ...(result.snippet ? { snippet: result.snippet } : {}),
      },
      ...(decision.kind === "retry" ? { retryAt: now + decision.delaySeconds * 1000 } : {}),
    };
    const status = await ledger.record(body.destination, outcome);
    console.log(JSON.stringify({ msg: "attempt", ledger: body.ledger, destination: body.destination, attempt: claim.attempt, status: result.status, outcome: decision.kind, ms: result.latencyMs }));
    if (decision.kind === "retry") message.retry({ delaySeconds: decision.delaySeconds });
    else message.ack();
    const { delivery } = claim;
    return {
      source: delivery.source,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      receivedAt: delivery.receivedAt,
      occurredAt: delivery.occurredAt,
      destination: body.destination,
      status: status ?? (decision.kind === "retry" ? "pending" : decision.kind),
      attempts: claim.attempt,
      lastStatus: result.status,
      lastError: outcome.record.error ?? null,
      latencyMs: result.latencyMs,
      at: now,
    };
  } catch (error) {
    // Ledger unreachable or the record failed: retry the message; the claim lease keeps attempts single.
    console.error(JSON.stringify({ msg: "consumer_error", ledger: body.ledger, destination: body.destination, error: String(error) }));
    message.retry({ delaySeconds: infraDelay(message.attempts) });
    return null;
  }
}

/** The delivery queue's handler. */
export async function handleDeliveryBatch(batch: MessageBatch<unknown>, env: DeliveryEnv): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const updates = await Promise.all(batch.messages.map((message) => processMessage(message, loaded.config, env)));
  try {
    await writeIndex(env, updates.filter((u): u is IndexUpdate => u !== null));
  } catch (error) {
    console.error(JSON.stringify({ msg: "index_write_failed", error: String(error) }));
  }
}
