/**
 * Inline deliveries (InlineDelivery in src/ledger/types.ts): the ledger's first message for a task
 * carries what its first attempt needs, so that attempt costs no `claim` round trip. With encryption
 * at rest on, the message carries the body and headers sealed as stored; they are opened here.
 */
import { loadConfig } from "../config";
import { keyringOf, openDataKey, openPart, type EncryptionKey } from "../crypt";
import type { Delivery, DeliveryMessage, InlineDelivery } from "../ledger";
import { fromBase64 } from "../shared/bytes";

/**
 * The delivery a message carries inline, when its attempt may skip the claim: on the message's
 * first delivery, and only if the attempt (at most `leaseMs`: timeout plus margin) ends before the
 * task's first re-drive check. Otherwise null: claim from the ledger (also when a sealed delivery
 * cannot be opened with `keys`; the claim then reports why).
 */
export async function inlineDelivery(message: Message<DeliveryMessage>, leaseMs: number, now = Date.now(), keys: readonly EncryptionKey[] = []): Promise<Delivery | null> {
  const inline = message.body.inline;
  if (inline === undefined || message.attempts !== 1 || now + leaseMs >= inline.until) return null;
  const payload = fromBase64(inline.payload);
  if (payload === null) return null;
  const { until: _, payload: __, sealed, ...identity } = inline;
  if (!sealed) return { ...identity, payload };
  const opened = await openSealed(sealed, message.body.ledger, payload, keys);
  return opened && { ...identity, ...opened };
}

/** Open a sealed inline body and headers with the configured keys; null when they cannot be. */
async function openSealed(sealed: NonNullable<InlineDelivery["sealed"]>, ledger: string, payload: Uint8Array, keys: readonly EncryptionKey[]): Promise<Pick<Delivery, "payload" | "headers"> | null> {
  const wrapped = fromBase64(sealed.wrapped);
  const headers = fromBase64(sealed.headers);
  if (!wrapped || !headers) return null;
  const key = await openDataKey(await keyringOf(keys), { v: 1, keyId: sealed.keyId, keyName: sealed.keyName, wrapped }, ledger);
  if (!key.ok) return null;
  const [body, head] = await Promise.all([openPart(key.dataKey, "body", payload), openPart(key.dataKey, "headers", headers)]);
  return body && head ? { payload: body, headers: JSON.parse(new TextDecoder().decode(head)) as Record<string, string> } : null;
}

/** The configured payload encryption keys (empty when off, or when the config cannot load: the claim then decides). */
export function encryptionKeysOf(env: object): readonly EncryptionKey[] {
  const loaded = loadConfig(env);
  return loaded.ok ? loaded.config.encryptionKeys : [];
}

/** A message without its inline delivery: what deferred, parked and sequenced copies carry. */
export function bare(body: DeliveryMessage): DeliveryMessage {
  if (body.inline === undefined) return body;
  const { inline: _, ...rest } = body;
  return rest;
}
