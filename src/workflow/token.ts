/**
 * Callback tokens: the last path segment of `edgehook-callback-url`. `<claims>.<mac>`, both
 * base64url: the claims name one task (its webhook-id and event identity), the chain so far, and an
 * expiry; the MAC is HMAC-SHA256 under the EDGEHOOK_CALLBACK_SECRET Worker secret. Pure apart from
 * WebCrypto; `now` is an argument.
 */
import { fromBase64Url, toBase64Url, utf8 } from "../shared/bytes";

/** What a token binds: one task of one event, where that event sits in a chain, and until when. */
export interface CallbackClaims {
  /** The task's webhook-id. */
  w: string;
  /** The task's event: source, id, type; and the task's destination. */
  s: string;
  e: string;
  t: string;
  d: string;
  /** Hop and path (destinations passed) of the task's event; its callback events are one hop further. */
  h: number;
  p: string[];
  /** Expiry, seconds since the epoch. */
  x: number;
}

/** Longest token accepted (claims with a 256-character type, long ids and an 8-hop path fit well within). */
export const MAX_TOKEN_LENGTH = 4096;

/** Domain separation: a MAC made for something else with the same secret is never a token. */
const CONTEXT = "edgehook-callback-v1.";

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key for a secret (imported once per isolate). */
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.clear(); // one secret in use at a time; a rotated one replaces it
    keys.set(secret, key);
  }
  return key;
}

/**
 * Sign claims into a token.
 * @example await signCallbackToken(secret, { w: "msg_1", s: "stripe", e: "evt_1", t: "invoice.paid", d: "jobs", h: 0, p: [], x: 1700086400 })
 */
export async function signCallbackToken(secret: string, claims: CallbackClaims): Promise<string> {
  const body = toBase64Url(utf8(JSON.stringify(claims)));
  const mac = await crypto.subtle.sign("HMAC", await keyFor(secret), utf8(CONTEXT + body));
  return `${body}.${toBase64Url(mac)}`;
}

/** Why a token was refused. */
export type TokenFailure = "callback_token_invalid" | "callback_token_expired";

/**
 * Check a token: the MAC first (crypto.subtle.verify compares in constant time), then the claims'
 * shape, then the expiry. A forged token is `invalid` whatever it claims; only a genuine one can be `expired`.
 */
export async function verifyCallbackToken(secret: string | undefined, token: string, nowMs: number): Promise<{ ok: true; claims: CallbackClaims } | { ok: false; reason: TokenFailure }> {
  const invalid = { ok: false, reason: "callback_token_invalid" } as const;
  if (!secret || token.length > MAX_TOKEN_LENGTH) return invalid;
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return invalid;
  const body = token.slice(0, dot);
  const mac = fromBase64Url(token.slice(dot + 1));
  if (mac === null || mac.byteLength !== 32) return invalid;
  if (!(await crypto.subtle.verify("HMAC", await keyFor(secret), mac, utf8(CONTEXT + body)))) return invalid;
  const claims = parseClaims(fromBase64Url(body));
  if (claims === null) return invalid;
  if (claims.x * 1000 <= nowMs) return { ok: false, reason: "callback_token_expired" };
  return { ok: true, claims };
}

/** Claims of a genuine token; null if they are not the shape this version signs. */
function parseClaims(bytes: Uint8Array | null): CallbackClaims | null {
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  const c = value as Partial<CallbackClaims> | null;
  const strings = c !== null && typeof c === "object" && [c.w, c.s, c.e, c.t, c.d].every((v) => typeof v === "string");
  if (!strings || !Number.isInteger(c.h) || !Number.isInteger(c.x) || !Array.isArray(c.p) || !c.p.every((n) => typeof n === "string")) return null;
  return c as CallbackClaims;
}
