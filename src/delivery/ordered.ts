/**
 * Ordered delivery in the consumer (docs/ordering.md). drop-stale asks the key's sequencer before an
 * attempt; strict hands the event to the sequencer, which releases one event per key at a time.
 * After a strict event's final outcome the next one of its key is attempted at once (chaining).
 */
import type { RuntimeDestination } from "../config";
import type { DeliveryMessage, EventLedger } from "../ledger";
import type { KeySequencer, SequencedEvent, SequencerSettings } from "../ordering";
import { bare } from "./inline";

/** Bindings ordering uses. */
export interface OrderingEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
  KEY_SEQUENCER: DurableObjectNamespace<KeySequencer>;
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
}

/** Events chained in one consumer invocation before the rest go back through the queue. */
export const CHAIN_LIMIT = 25;

/** The sequencer settings of a destination. */
export function sequencerSettings(destination: RuntimeDestination): SequencerSettings {
  const { ordering, timeoutMs } = destination.config;
  return { windowMs: ordering.reorderWindowSeconds * 1000, leaseMs: timeoutMs + 30_000, onDeadHead: ordering.onDeadHead };
}

/** The sequenced form of a message, or null when the event is unordered (no key). */
export function sequencedEvent(body: DeliveryMessage): SequencedEvent | null {
  if (body.key === undefined || body.occurredAt === undefined || body.eventId === undefined) return null;
  return { ledger: body.ledger, destination: body.destination, key: body.key, occurredAt: body.occurredAt, eventId: body.eventId };
}

/** The sequencer object of a (destination, key). */
export function sequencer(env: Pick<OrderingEnv, "KEY_SEQUENCER">, destination: string, key: string): DurableObjectStub<KeySequencer> {
  return env.KEY_SEQUENCER.get(env.KEY_SEQUENCER.idFromName(`${destination}\n${key}`));
}

/**
 * Decide, before any attempt, what happens to each message under the destination's ordering mode:
 * `go` (attempt now), `held` (the sequencer owns it: ack), `stale` (recorded; ack, never send) or
 * `wait` (drop-stale: another event of the key is in flight; put the message back for a moment).
 */
export async function gateOrder(env: OrderingEnv, destination: RuntimeDestination, message: Message<DeliveryMessage>): Promise<"go" | "held" | "stale" | "wait"> {
  const mode = destination.config.ordering.mode;
  const event = sequencedEvent(message.body);
  if (mode === "none" || event === null || message.body.sequenced) return "go";
  const seq = sequencer(env, destination.name, event.key);
  const settings = sequencerSettings(destination);
  if (mode === "drop-stale") {
    const verdict = await seq.admitNewest(event, settings.leaseMs);
    if (verdict !== "stale") return verdict;
    await env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(event.ledger)).markStale(destination.name);
    return "stale";
  }
  return (await seq.offer(event, bare(message.body), settings)) === "go" ? "go" : "held";
}

/**
 * Tell the key's sequencer how the in-flight event ended. Final → frees the key; under strict it
 * returns the next event's message to attempt at once (or null). Retrying → keeps the key's slot
 * until the retry is due.
 */
export async function settleOrder(env: OrderingEnv, destination: RuntimeDestination, body: DeliveryMessage, status: string, retryAt: number | null): Promise<DeliveryMessage | null> {
  const mode = destination.config.ordering.mode;
  const event = sequencedEvent(body);
  if (mode === "none" || event === null) return null;
  const seq = sequencer(env, destination.name, event.key);
  const settings = sequencerSettings(destination);
  // A task its transform dropped (`filtered`) is final and frees its key like a delivered one.
  const final = status === "delivered" || status === "dead" || status === "filtered";
  if (final && mode === "drop-stale") await seq.releaseNewest(event.ledger);
  else if (final) return seq.settle(event.ledger, status === "dead" ? "dead" : "delivered", settings);
  else if (retryAt !== null) await seq.extend(event.ledger, retryAt + settings.leaseMs);
  return null;
}

/**
 * A stand-in for a queue message of a chained event: ack is a no-op, retry re-sends it with its
 * delay (the send joins `pending`, which the consumer awaits before it returns).
 */
export function chainedMessage(env: OrderingEnv, body: DeliveryMessage, pending: Promise<unknown>[]): Message<DeliveryMessage> {
  return {
    id: `chained:${body.ledger}`,
    timestamp: new Date(),
    body: { ...body, sequenced: true },
    attempts: 1,
    ack: () => {},
    retry: (options?: QueueRetryOptions) => {
      pending.push(env.DELIVERY_QUEUE.send({ ...body, sequenced: true }, { contentType: "json", delaySeconds: options?.delaySeconds ?? 0 }));
    },
  } as Message<DeliveryMessage>;
}
