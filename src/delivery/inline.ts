/**
 * Inline deliveries (InlineDelivery in src/ledger/types.ts): the ledger's first message for a task
 * carries what its first attempt needs, so that attempt costs no `claim` round trip.
 */
import type { Delivery, DeliveryMessage } from "../ledger";
import { fromBase64 } from "../shared/bytes";

/**
 * The delivery a message carries inline, when its attempt may skip the claim: on the message's
 * first delivery, and only if the attempt (at most `leaseMs`: timeout plus margin) ends before the
 * task's first re-drive check. Otherwise null: claim from the ledger.
 */
export function inlineDelivery(message: Message<DeliveryMessage>, leaseMs: number, now = Date.now()): Delivery | null {
  const inline = message.body.inline;
  if (inline === undefined || message.attempts !== 1 || now + leaseMs >= inline.until) return null;
  const payload = fromBase64(inline.payload);
  if (payload === null) return null;
  const { until: _, payload: __, ...identity } = inline;
  return { ...identity, payload };
}

/** A message without its inline delivery: what deferred, parked and sequenced copies carry. */
export function bare(body: DeliveryMessage): DeliveryMessage {
  if (body.inline === undefined) return body;
  const { inline: _, ...rest } = body;
  return rest;
}
