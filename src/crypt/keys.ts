/**
 * Key-encryption keys (KEKs): Worker secrets holding 32 random bytes, standard base64
 * (`openssl rand -base64 32`). A key is named by its id, a fingerprint that says which key sealed an
 * event without revealing anything about the key, so rotation can find the right one.
 */
import { fromBase64, toBase64Url, utf8, concatBytes } from "../shared/bytes";

/** Bytes in a key-encryption key and in each event's data key (AES-256). */
export const ENCRYPTION_KEY_BYTES = 32;

/** A key-encryption key as configured: the secret's name and its decoded bytes. */
export interface EncryptionKey {
  name: string;
  bytes: Uint8Array;
}

/**
 * Decode a key's value: standard padded base64 of exactly 32 bytes; `null` otherwise (never throws,
 * and the caller must not echo the value).
 * @example decodeEncryptionKey("q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=") // Uint8Array(32)
 */
export function decodeEncryptionKey(value: string): Uint8Array | null {
  const bytes = fromBase64(value);
  return bytes !== null && bytes.byteLength === ENCRYPTION_KEY_BYTES ? bytes : null;
}

/** Domain label hashed before the key, so the id is no digest anyone else computes. */
const KEY_ID_LABEL = utf8("edgehook key id v1\n");

/**
 * A key's id: the first 8 bytes of SHA-256(label ‖ key), base64url (11 characters). One-way: it
 * tells keys apart, including a new value put under an old secret name.
 * @example await encryptionKeyId(bytes) // "k3Jx…"
 */
export async function encryptionKeyId(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", concatBytes(KEY_ID_LABEL, bytes));
  return toBase64Url(new Uint8Array(digest).subarray(0, 8));
}
