/**
 * The shared shape of every signature scheme: parse the header(s), refuse what is over the work caps,
 * check the signed timestamp, build the signed bytes, then match the configured keys against the
 * signature candidates. HMAC, Ed25519 and ECDSA schemes differ only in the {@link SignatureAlgorithm}
 * they plug in.
 */
import { concatBytes, fromBase64, fromHex, toBase64, utf8 } from "../shared/bytes";
import { timingSafeEqual } from "./compare";
import { VERIFY_LIMITS, headerTooLarge, tooManyCandidates, tooManyChecks } from "./limits";
import { fail, type InboundRequest, type VerifyOptions, type VerifyResult } from "./types";

/** How a signature travels in its header. */
export type SignatureEncoding = "hex" | "base64";
/** How a timestamp is written. */
export type TimestampUnit = "s" | "ms" | "rfc3339";

/** What a scheme's header parser found: encoded signature candidates, and signed fields. */
export interface ParsedSignature {
  candidates: string[];
  timestamp?: string;
  id?: string;
  /** Length of the signature header as received; over the cap, the parser leaves `candidates` empty. */
  headerChars?: number;
}

/** A signature primitive: key import (cached by the caller's closure), and a MAC or a constant-time verify. */
export interface SignatureAlgorithm {
  /** Short name for operator messages, e.g. "HMAC-SHA256". */
  name: string;
  /** Import a configured secret / public key; `null` when it is not in the expected encoding. */
  importKey: (secret: string) => Promise<CryptoKey | null>;
  /** Turn decoded signature bytes into what WebCrypto verifies; `null` when malformed (wrong length, bad DER). */
  normalise: (signature: Uint8Array) => Uint8Array | null;
  verify: (key: CryptoKey, signature: Uint8Array, content: Uint8Array) => Promise<boolean>;
  /**
   * MAC schemes only: compute the MAC of the content, so {@link matchAny} computes it once per secret
   * and compares it with every candidate, instead of one `verify` over the whole body per candidate.
   */
  mac?: (key: CryptoKey, content: Uint8Array) => Promise<Uint8Array>;
}

/** A data description of one signature scheme over any primitive. */
export interface SignedScheme {
  algorithm: SignatureAlgorithm;
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

/** Templates split around `{body}`, once per template (a handful per config). */
const templateParts = new Map<string, readonly [string, string]>();

function partsOf(template: string): readonly [string, string] {
  let parts = templateParts.get(template);
  if (!parts) {
    const [before = "", after = ""] = template.split("{body}");
    parts = [before, after];
    if (templateParts.size < 256) templateParts.set(template, parts);
  }
  return parts;
}

/** Build the signed bytes from a template, splicing in the raw body untouched. */
export function signedContent(template: string, request: InboundRequest, fields: Omit<ParsedSignature, "candidates">): Uint8Array {
  const [before, after] = partsOf(template);
  // Body-only schemes sign the bytes as received: no copy (it matters at megabyte bodies).
  if (before === "" && after === "") return request.body;
  const fill = (text: string) =>
    !text.includes("{")
      ? text
      : text
          .replaceAll("{timestamp}", fields.timestamp ?? "")
          .replaceAll("{id}", fields.id ?? "")
          .replaceAll("{method}", request.method)
          .replaceAll("{url}", request.url);
  if (after === "") return concatBytes(utf8(fill(before)), request.body);
  return concatBytes(utf8(fill(before)), request.body, utf8(fill(after)));
}

/**
 * Decode a signature's text form; `null` when malformed. Base64 must be canonical (zero padding bits),
 * so exactly one text form of a signature is accepted.
 */
export function decodeSignature(text: string, encoding: SignatureEncoding): Uint8Array | null {
  if (encoding === "hex") return fromHex(text);
  const bytes = fromBase64(text);
  return bytes && toBase64(bytes) === text ? bytes : null;
}

/** Check a signed timestamp against the tolerance window (both directions). */
export function checkTimestamp(value: string, unit: TimestampUnit, options: VerifyOptions): VerifyResult | null {
  const at = parseTimestamp(value, unit);
  if (at === null) return fail("signature_invalid", "the signed timestamp is malformed");
  if (Math.abs(options.now - at) > options.toleranceSeconds * 1000) {
    return fail(
      "timestamp_out_of_tolerance",
      `the signed timestamp is more than ${options.toleranceSeconds}s from now: a replay, a delayed retry, or a clock problem`,
    );
  }
  return null;
}

/**
 * Match the configured keys against the candidates; returns the index of the first matching secret or
 * -1. MAC schemes compute each secret's MAC once and compare it with every candidate in constant time
 * ({@link timingSafeEqual}, no early exit across candidates): `crypto.subtle.verify` would be constant
 * time too, but it recomputes the MAC over the whole body per candidate, so an unauthenticated request
 * could multiply the work by the number of candidates it sends (issue 12). Asymmetric schemes have no
 * such shortcut: each pair is a `verify`, and {@link verifySigned} bounds the pairs.
 */
export async function matchAny(
  algorithm: SignatureAlgorithm,
  secrets: readonly string[],
  signatures: readonly Uint8Array[],
  content: Uint8Array,
): Promise<number> {
  for (let i = 0; i < secrets.length; i++) {
    const key = await algorithm.importKey(secrets[i]!);
    if (!key) continue;
    if (algorithm.mac) {
      const expected = await algorithm.mac(key, content);
      let hit = false;
      for (const signature of signatures) hit = timingSafeEqual(expected, signature) || hit;
      if (hit) return i;
      continue;
    }
    for (const signature of signatures) {
      if (await algorithm.verify(key, signature, content)) return i;
    }
  }
  return -1;
}

const DEFAULT_HINT =
  "no configured secret produced this signature: check the secret (no trailing newline) and that nothing re-serialised the body before it reached Edgehook";

/**
 * Verify a request against a scheme. Everything an unauthenticated sender controls is bounded first
 * (header size, candidate count, asymmetric checks: src/verify/limits.ts), then the signed timestamp
 * is checked (it is not secret, and a stale request costs no crypto), then the signature.
 */
export async function verifySigned(scheme: SignedScheme, request: InboundRequest, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = scheme.parse(request);
  if (!parsed) return fail("signature_missing", "the signature header is missing");
  const mac = scheme.algorithm.mac !== undefined;
  const over =
    headerTooLarge(parsed.headerChars ?? 0) ??
    tooManyCandidates(parsed.candidates.length, mac ? VERIFY_LIMITS.macCandidates : VERIFY_LIMITS.asymmetricCandidates);
  if (over) return over;
  if (parsed.candidates.length === 0) {
    return fail("signature_invalid", "the signature header carries no signature of a known scheme version");
  }
  if (scheme.timestamp) {
    if (parsed.timestamp === undefined) return fail("signature_missing", "the signed timestamp is missing");
    const late = checkTimestamp(parsed.timestamp, scheme.timestamp, options);
    if (late) return late;
  }
  const signatures: Uint8Array[] = [];
  for (const candidate of parsed.candidates) {
    const decoded = decodeSignature(candidate, scheme.encoding);
    const normal = decoded && scheme.algorithm.normalise(decoded);
    if (normal) signatures.push(normal);
  }
  if (signatures.length === 0) {
    return fail("signature_invalid", `the signature is not a well-formed ${scheme.encoding} ${scheme.algorithm.name} value: is the header truncated or re-encoded?`);
  }
  const checks = mac ? null : tooManyChecks(signatures.length, options.secrets.length);
  if (checks) return checks;
  const content = signedContent(scheme.template, request, parsed);
  const matched = await matchAny(scheme.algorithm, options.secrets, signatures, content);
  if (matched < 0) return fail("signature_invalid", scheme.hint ?? DEFAULT_HINT);
  return { ok: true, secretIndex: matched };
}
