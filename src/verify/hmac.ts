/**
 * HMAC verification over a data-described scheme: most providers differ only in where the signature
 * and timestamp sit, how the key is decoded, and what bytes are signed.
 */
import { concatBytes, fromBase64, fromHex, utf8 } from "../shared/bytes";
import { fail, type InboundRequest, type VerifyOptions, type VerifyResult } from "./types";

/** WebCrypto hash names for HMAC. */
export type HmacAlgorithm = "SHA-1" | "SHA-256" | "SHA-512";
/** How a secret string becomes key bytes. */
export type KeyEncoding = "utf8" | "whsec-base64" | "hex" | "base64";
/** How a signature travels in its header. */
export type SignatureEncoding = "hex" | "base64";
/** How a timestamp is written. */
export type TimestampUnit = "s" | "ms" | "rfc3339";

/** What a scheme's header parser found: encoded signature candidates, and signed fields. */
export interface ParsedSignature {
  candidates: string[];
  timestamp?: string;
  id?: string;
}

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

/** Parse a signed timestamp into milliseconds; `null` when malformed. */
export function parseTimestamp(value: string, unit: TimestampUnit): number | null {
  if (unit === "rfc3339") {
    const ms = Date.parse(value);
    return /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(ms) ? ms : null;
  }
  if (!/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return unit === "s" ? n * 1000 : n;
}

/** Build the signed bytes from a template, splicing in the raw body untouched. */
export function signedContent(template: string, request: InboundRequest, fields: Omit<ParsedSignature, "candidates">): Uint8Array {
  const [before = "", after = ""] = template.split("{body}");
  const fill = (text: string) =>
    text
      .replaceAll("{timestamp}", fields.timestamp ?? "")
      .replaceAll("{id}", fields.id ?? "")
      .replaceAll("{method}", request.method)
      .replaceAll("{url}", request.url);
  return concatBytes(utf8(fill(before)), request.body, utf8(fill(after)));
}

function decodeSignature(text: string, encoding: SignatureEncoding): Uint8Array | null {
  return encoding === "hex" ? fromHex(text) : fromBase64(text);
}

/** Verify a request against an HMAC scheme: signature first, then the timestamp window. */
export async function verifyHmac(scheme: HmacScheme, request: InboundRequest, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = scheme.parse(request);
  if (!parsed) return fail("signature_missing", "the signature header is missing");
  if (parsed.candidates.length === 0) {
    return fail("signature_invalid", "the signature header carries no signature of a known scheme version");
  }
  if (scheme.timestamp && parsed.timestamp === undefined) {
    return fail("signature_missing", "the signed timestamp is missing");
  }
  const size = DIGEST_BYTES[scheme.algorithm];
  const signatures = parsed.candidates
    .map((c) => decodeSignature(c, scheme.encoding))
    .filter((s): s is Uint8Array => s !== null && s.byteLength === size);
  if (signatures.length === 0) {
    return fail("signature_invalid", `the signature is not a ${size}-byte ${scheme.encoding} value: is the header truncated or re-encoded?`);
  }
  const content = signedContent(scheme.template, request, parsed);
  let matched = -1;
  for (let i = 0; i < options.secrets.length && matched < 0; i++) {
    const key = await hmacKey(options.secrets[i]!, scheme.key, scheme.algorithm, "verify");
    if (!key) continue;
    for (const signature of signatures) {
      if (await crypto.subtle.verify("HMAC", key, signature, content)) {
        matched = i;
        break;
      }
    }
  }
  if (matched < 0) {
    return fail(
      "signature_invalid",
      scheme.hint ??
        "no configured secret produced this signature: check the secret (no trailing newline) and that nothing re-serialised the body before it reached Edgehook",
    );
  }
  if (scheme.timestamp) {
    const at = parseTimestamp(parsed.timestamp!, scheme.timestamp);
    if (at === null) return fail("signature_invalid", "the signed timestamp is malformed");
    if (Math.abs(options.now - at) > options.toleranceSeconds * 1000) {
      return fail(
        "timestamp_out_of_tolerance",
        `the signed timestamp is more than ${options.toleranceSeconds}s from now: a replay, a delayed retry, or a clock problem`,
      );
    }
  }
  return { ok: true, secretIndex: matched };
}
