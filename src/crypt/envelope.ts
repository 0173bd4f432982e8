/**
 * Envelope encryption with WebCrypto AES-256-GCM. Each event gets a fresh random data key; the data
 * key is stored wrapped (encrypted) by the first configured key-encryption key, with that key's id,
 * so any configured key can open it later (rotation). Every sealed piece is bound to its event and
 * to its role by additional authenticated data, so pieces cannot be swapped between events or parts.
 */
import { concatBytes, utf8 } from "../shared/bytes";
import { encryptionKeyId, type EncryptionKey } from "./keys";

/** A key-encryption key ready to use. */
export interface KeyEncryptionKey {
  id: string;
  name: string;
  key: CryptoKey;
}

/** The configured keys: the first seals new events, every one opens (rotation). */
export interface Keyring {
  primary: KeyEncryptionKey;
  byId: ReadonlyMap<string, KeyEncryptionKey>;
}

/** A data key as stored beside what it sealed: wrapped by the key `keyId` (named `keyName` when sealed). */
export interface Envelope {
  v: 1;
  keyId: string;
  keyName: string;
  /** 12-byte IV ‖ AES-GCM(KEK, data key) with its 16-byte tag. */
  wrapped: Uint8Array;
}

/** An opened (or new) data key, with the event it belongs to. */
export interface DataKey {
  key: CryptoKey;
  /** What every piece of this event is bound to (the ledger name). */
  context: string;
}

/** Why an envelope or a sealed piece could not be opened. */
export type OpenFailure =
  | { ok: false; reason: "encryption_key_unavailable"; message: string }
  | { ok: false; reason: "payload_unreadable"; message: string };

const IV_BYTES = 12;
const GCM = "AES-GCM";

const keyrings = new WeakMap<readonly EncryptionKey[], Promise<Keyring | null>>();

/**
 * The keyring of a configured key list, imported once per isolate (cached on the list object);
 * `null` when the list is empty (encryption off).
 */
export function keyringOf(keys: readonly EncryptionKey[]): Promise<Keyring | null> {
  let ring = keyrings.get(keys);
  if (!ring) {
    ring = buildKeyring(keys);
    keyrings.set(keys, ring);
  }
  return ring;
}

async function buildKeyring(keys: readonly EncryptionKey[]): Promise<Keyring | null> {
  if (keys.length === 0) return null;
  const imported = await Promise.all(
    keys.map(async ({ name, bytes }) => ({ id: await encryptionKeyId(bytes), name, key: await crypto.subtle.importKey("raw", bytes, GCM, false, ["encrypt", "decrypt"]) })),
  );
  const byId = new Map<string, KeyEncryptionKey>();
  for (const k of imported) if (!byId.has(k.id)) byId.set(k.id, k);
  return { primary: imported[0]!, byId };
}

/** Additional data binding a sealed piece to its event and role. */
function aad(kind: string, context: string): Uint8Array {
  return utf8(`edgehook/v1/${kind}\n${context}`);
}

async function gcmSeal(key: CryptoKey, plain: Uint8Array, additionalData: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  return concatBytes(iv, new Uint8Array(await crypto.subtle.encrypt({ name: GCM, iv, additionalData }, key, plain)));
}

async function gcmOpen(key: CryptoKey, sealed: Uint8Array, additionalData: Uint8Array): Promise<Uint8Array | null> {
  if (sealed.byteLength < IV_BYTES + 16) return null;
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: GCM, iv: sealed.subarray(0, IV_BYTES), additionalData }, key, sealed.subarray(IV_BYTES)));
  } catch {
    return null; // wrong key, or changed bytes: GCM's tag does not verify
  }
}

/**
 * A fresh data key for one event (`context`: its ledger name) and its envelope under the primary key.
 * @example const { dataKey, envelope } = await newDataKey(ring, "stripe:evt_1");
 */
export async function newDataKey(ring: Keyring, context: string): Promise<{ dataKey: DataKey; envelope: Envelope }> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const [key, wrapped] = await Promise.all([
    crypto.subtle.importKey("raw", raw, GCM, false, ["encrypt", "decrypt"]),
    gcmSeal(ring.primary.key, raw, aad("data-key", context)),
  ]);
  raw.fill(0);
  return { dataKey: { key, context }, envelope: { v: 1, keyId: ring.primary.id, keyName: ring.primary.name, wrapped } };
}

/**
 * Open an event's envelope with whichever configured key sealed it. Fails as a value: the key is
 * no longer configured (`encryption_key_unavailable`), or the envelope was changed (`payload_unreadable`).
 */
export async function openDataKey(ring: Keyring | null, envelope: Envelope, context: string): Promise<{ ok: true; dataKey: DataKey } | OpenFailure> {
  const kek = ring?.byId.get(envelope.keyId);
  if (!kek) {
    return {
      ok: false,
      reason: "encryption_key_unavailable",
      message: `this event was encrypted under key id ${envelope.keyId} (secret ${envelope.keyName} when it was stored), which settings.encryptionKeys no longer lists; add that key back to read it`,
    };
  }
  const raw = await gcmOpen(kek.key, envelope.wrapped, aad("data-key", context));
  if (!raw || raw.byteLength !== 32) return { ok: false, reason: "payload_unreadable", message: "the stored data key failed its integrity check (storage changed or corrupted)" };
  const key = await crypto.subtle.importKey("raw", raw, GCM, false, ["encrypt", "decrypt"]);
  raw.fill(0);
  return { ok: true, dataKey: { key, context } };
}

/**
 * Seal one piece of an event (`part`: its role, e.g. `body`, `headers`, `chunk:3`) with its data key.
 * @example const sealed = await sealPart(dataKey, "body", payload);
 */
export function sealPart(dataKey: DataKey, part: string, plain: Uint8Array): Promise<Uint8Array> {
  return gcmSeal(dataKey.key, plain, aad(part, dataKey.context));
}

/** Open one sealed piece; `null` when it was changed, moved from another part or event, or is not sealed by this key. */
export function openPart(dataKey: DataKey, part: string, sealed: Uint8Array): Promise<Uint8Array | null> {
  return gcmOpen(dataKey.key, sealed, aad(part, dataKey.context));
}

/** Bytes a sealed piece adds to its plaintext (IV and tag). */
export const SEAL_OVERHEAD_BYTES = IV_BYTES + 16;
