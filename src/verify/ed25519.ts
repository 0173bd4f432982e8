/**
 * Ed25519 (RFC 8032) as a {@link SignatureAlgorithm}: Discord interactions (hex public key) and
 * Standard Webhooks v1a (`whpk_` + base64 public key). WebCrypto's `verify` does the work.
 */
import { fromBase64, fromHex } from "../shared/bytes";
import type { SignatureAlgorithm } from "./signed";

/** How an Ed25519 public key is written in config. */
export type Ed25519KeyEncoding = "hex" | "whpk-base64";

const cache = new Map<string, Promise<CryptoKey | null>>();

/** Decode a 32-byte public key; `null` when malformed. */
export function decodeEd25519Key(text: string, encoding: Ed25519KeyEncoding): Uint8Array | null {
  const trimmed = text.trim();
  const bytes = encoding === "hex" ? fromHex(trimmed) : fromBase64(trimmed.startsWith("whpk_") ? trimmed.slice(5) : trimmed);
  return bytes && bytes.byteLength === 32 ? bytes : null;
}

/**
 * The 32-byte private seed of a Standard Webhooks signing key: `whsk_` + base64 of the seed (32 bytes)
 * or of seed ‖ public key (64 bytes, libsodium's form, as in the spec's v1a vector); `null` otherwise.
 * Only the seed is used: the public key is always derived from it, never read from the key text.
 */
export function decodeEd25519Seed(text: string): Uint8Array | null {
  if (!text.startsWith("whsk_")) return null;
  const bytes = fromBase64(text.slice("whsk_".length));
  return bytes && (bytes.byteLength === 32 || bytes.byteLength === 64) ? bytes.slice(0, 32) : null;
}

/** Import (once per isolate) an Ed25519 public key for verify; `null` when malformed. */
export function ed25519Key(text: string, encoding: Ed25519KeyEncoding): Promise<CryptoKey | null> {
  const id = `${encoding}\u0000${text}`;
  let key = cache.get(id);
  if (!key) {
    const raw = decodeEd25519Key(text, encoding);
    key = raw ? crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]).catch(() => null) : Promise.resolve(null);
    cache.set(id, key);
  }
  return key;
}

/** The Ed25519 primitive with keys in the given encoding. */
export function ed25519Algorithm(encoding: Ed25519KeyEncoding): SignatureAlgorithm {
  return {
    name: "Ed25519",
    importKey: (secret) => ed25519Key(secret, encoding),
    normalise: (signature) => (signature.byteLength === 64 ? signature : null),
    verify: (key, signature, content) => crypto.subtle.verify({ name: "Ed25519" }, key, signature, content),
  };
}
