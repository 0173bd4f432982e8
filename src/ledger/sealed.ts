/**
 * Encryption at rest for the ledger (src/crypt does the cryptography): which data key an event is
 * sealed with, and its forwarded headers sealed and opened. Anything else a stage stores in the
 * ledger that carries payload bytes goes through `sealPart`/`openPart` with the same data key.
 */
import { keyringOf, newDataKey, openDataKey, openPart, sealPart, type DataKey, type EncryptionKey, type Envelope, type OpenFailure } from "../crypt";
import { utf8 } from "../shared/bytes";
import { ledgerName } from "./plan";
import type { StoredEvent } from "./store";
import type { TransformedDelivery } from "./types";

/** A new event's data key and envelope under the first configured key; `null` when encryption is off. */
export async function sealFor(keys: readonly EncryptionKey[], context: string): Promise<{ dataKey: DataKey; envelope: Envelope } | null> {
  const ring = await keyringOf(keys);
  return ring ? newDataKey(ring, context) : null;
}

/** The data key a stored event is sealed with: `null` when stored in clear; a failure value when it cannot be opened. */
export async function dataKeyOf(keys: readonly EncryptionKey[], event: StoredEvent): Promise<{ ok: true; dataKey: DataKey | null } | OpenFailure> {
  if (!event.sealed) return { ok: true, dataKey: null };
  return openDataKey(await keyringOf(keys), event.sealed, ledgerName(event.source, event.eventId));
}

/** Seal forwarded headers (as JSON). */
export function sealHeaders(dataKey: DataKey, headers: Record<string, string>): Promise<Uint8Array> {
  return sealPart(dataKey, "headers", utf8(JSON.stringify(headers)));
}

/** An event's forwarded headers in clear; `null` when the sealed copy fails its integrity check. */
export async function headersOf(event: StoredEvent, dataKey: DataKey | null): Promise<Record<string, string> | null> {
  if (!dataKey || !event.sealedHeaders) return event.headers;
  return openHeaders(dataKey, event.sealedHeaders);
}

/** Open sealed headers; `null` when they fail their integrity check. */
export async function openHeaders(dataKey: DataKey, sealed: Uint8Array): Promise<Record<string, string> | null> {
  const plain = await openPart(dataKey, "headers", sealed);
  return plain ? (JSON.parse(new TextDecoder().decode(plain)) as Record<string, string>) : null;
}

/** A task's transform output as stored sealed: what it would send (body, headers, type, path) sealed; its note in clear. */
export async function sealTransformed(dataKey: DataKey, destination: string, output: TransformedDelivery): Promise<TransformedDelivery> {
  const { payload, headers, eventType, path, sealed: _, ...note } = output;
  const [body, fields] = await Promise.all([
    payload ? sealPart(dataKey, `transform:${destination}:body`, payload) : null,
    sealPart(dataKey, `transform:${destination}:fields`, utf8(JSON.stringify({ headers, eventType, path }))),
  ]);
  return { ...note, sealed: { ...(body ? { payload: body } : {}), fields } };
}

/** A stored transform output in clear (as is when not sealed); `null` when a sealed piece fails its integrity check. */
export async function openTransformed(dataKey: DataKey | null, destination: string, stored: TransformedDelivery): Promise<TransformedDelivery | null> {
  const { sealed, ...note } = stored;
  if (!sealed) return stored;
  if (!dataKey) return null;
  const [body, fields] = await Promise.all([
    sealed.payload ? openPart(dataKey, `transform:${destination}:body`, sealed.payload) : null,
    openPart(dataKey, `transform:${destination}:fields`, sealed.fields),
  ]);
  if (!fields || (sealed.payload && !body)) return null;
  return { ...note, ...(body ? { payload: body } : {}), ...(JSON.parse(new TextDecoder().decode(fields)) as Pick<TransformedDelivery, "headers" | "eventType" | "path">) };
}

/** The failure value for a sealed piece whose integrity check failed. */
export const UNREADABLE: OpenFailure = { ok: false, reason: "payload_unreadable", message: "the stored payload failed its integrity check (storage changed or corrupted)" };
