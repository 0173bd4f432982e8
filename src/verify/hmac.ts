/**
 * HMAC verification over a data-described scheme: most providers differ only in where the signature
 * and timestamp sit, how the key is decoded, and what bytes are signed.
 */
import { fromBase64, fromHex, utf8 } from "../shared/bytes";
import { timingSafeEqual } from "./compare";
import { verifySigned, type ParsedSignature, type SignatureAlgorithm, type SignatureEncoding, type SignedScheme, type TimestampUnit } from "./signed";
import type { InboundRequest, VerifyOptions, VerifyResult } from "./types";

/** WebCrypto hash names for HMAC. */
export type HmacAlgorithm = "SHA-1" | "SHA-256" | "SHA-512";
/** How a secret string becomes key bytes. */
export type KeyEncoding = "utf8" | "whsec-base64" | "hex" | "base64";

/** A data description of one HMAC scheme. */
export interface HmacScheme {
  algorithm: HmacAlgorithm;
  key: KeyEncoding;
  encoding: SignatureEncoding;
  /** Finds the signature candidates; `null` means the signature header is absent. */
  parse: (request: InboundRequest) => ParsedSignature | null;
  /** Signed content; `{body}` exactly once, optional `{timestamp}`, `{id}`, `{method}`, `{url}`. */
  template: string;
  /** Present when the scheme signs a timestamp that must be within tolerance. */
  timestamp?: TimestampUnit;
  /** Shown to the operator when the signature does not match. */
  hint?: string;
}

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 };
const keyCache = new Map<string, Promise<CryptoKey | null>>();

/** Decode a secret string into key bytes; `null` when it is not in the expected encoding. */
export function decodeKey(secret: string, encoding: KeyEncoding): Uint8Array | null {
  switch (encoding) {
    case "utf8":
      return utf8(secret);
    case "whsec-base64":
      return fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
    case "hex":
      return fromHex(secret);
    case "base64":
      return fromBase64(secret);
  }
}

/** Import (once per isolate) an HMAC key; `null` when the secret cannot be decoded. */
export function hmacKey(secret: string, encoding: KeyEncoding, algorithm: HmacAlgorithm, usage: "sign" | "verify"): Promise<CryptoKey | null> {
  const cacheKey = `${algorithm}\u0000${encoding}\u0000${usage}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const bytes = decodeKey(secret, encoding);
    key = bytes && bytes.byteLength > 0
      ? crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: algorithm }, false, [usage])
      : Promise.resolve(null);
    keyCache.set(cacheKey, key);
  }
  return key;
}

/**
 * The HMAC primitive for a hash and key encoding. Keys are imported for `sign`: the MAC is computed
 * once per secret and compared in constant time with each candidate (see `matchAny` in signed.ts).
 */
export function hmacAlgorithm(algorithm: HmacAlgorithm, key: KeyEncoding): SignatureAlgorithm {
  const size = DIGEST_BYTES[algorithm];
  const mac = async (k: CryptoKey, content: Uint8Array) => new Uint8Array(await crypto.subtle.sign("HMAC", k, content));
  return {
    name: `HMAC-${algorithm.replace("-", "")}`,
    importKey: (secret) => hmacKey(secret, key, algorithm, "sign"),
    normalise: (signature) => (signature.byteLength === size ? signature : null),
    verify: async (k, signature, content) => timingSafeEqual(await mac(k, content), signature),
    mac,
  };
}

/** Each HMAC scheme as a signed scheme, built once (schemes are long-lived preset and config objects). */
const signedSchemes = new WeakMap<HmacScheme, SignedScheme>();

/** Verify a request against an HMAC scheme (bounds, then the timestamp window, then the MAC: {@link verifySigned}). */
export function verifyHmac(scheme: HmacScheme, request: InboundRequest, options: VerifyOptions): Promise<VerifyResult> {
  let signed = signedSchemes.get(scheme);
  if (!signed) {
    signed = { ...scheme, algorithm: hmacAlgorithm(scheme.algorithm, scheme.key) };
    signedSchemes.set(scheme, signed);
  }
  return verifySigned(signed, request, options);
}
