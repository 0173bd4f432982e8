/**
 * Presets whose verification key is fetched from the provider, then cached per isolate:
 * PayPal (RSA certificate at PAYPAL-CERT-URL, pinned to PayPal hosts or to `keyUrl`) and Plaid
 * (ES256 JWK from /webhook_verification_key/get, by `kid`). Fetch failures fail closed; the cache
 * and fetch budget are in key-cache.ts.
 */
import type { SourceConfig } from "../config";
import { sha256Hex, utf8 } from "../shared/bytes";
import { getString } from "../shared/json";
import { checkTimestamp, headerTooLarge, crc32, decodeJwt, decodeSignature, fail, pemToDer, spkiFromCertificate, tokensEqual, verifyJwtSignature, type Verifier } from "../verify";
import { body, first, identity } from "./define";
import { cachedKey } from "./key-cache";
import type { Preset } from "./types";

const PAYPAL_HOSTS = new Set(["api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"]);

/**
 * Whether `url` lies under `base`: same scheme, host and port (parsed, never by text), no userinfo, and
 * a path equal to base's or below it at a segment boundary (`/certs` covers `/certs/X`, not `/certs-evil`).
 */
export function urlUnder(url: URL, base: URL): boolean {
  if (url.username !== "" || url.password !== "" || url.protocol !== base.protocol || url.host !== base.host) return false;
  // An encoded slash or backslash could be decoded into a segment boundary by the key server.
  if (/%2f|%5c/i.test(url.pathname)) return false;
  const dir = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(dir);
}

/** The PAYPAL-CERT-URL to fetch, or `null` when it may not be: under `keyUrl` when configured, else https on a PayPal API host. */
export function paypalCertUrl(certUrl: string, source: SourceConfig): URL | null {
  let url: URL;
  try {
    url = new URL(certUrl);
  } catch {
    return null;
  }
  if (source.keyUrl) return urlUnder(url, new URL(source.keyUrl)) ? url : null;
  const pinned = url.protocol === "https:" && url.port === "" && url.username === "" && url.password === "" && PAYPAL_HOSTS.has(url.hostname);
  return pinned ? url : null;
}

const THROTTLED = "too many distinct signing keys were fetched in the last minute; not fetching another (the provider will retry)";

async function paypalKey(certUrl: string): Promise<CryptoKey | null> {
  // Never follow a redirect: an open redirect on a pinned host would otherwise serve an attacker's key.
  const res = await fetch(certUrl, { redirect: "manual" });
  if (!res.ok) return null;
  const der = pemToDer(await res.text());
  const spki = der && spkiFromCertificate(der);
  return spki ? crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]) : null;
}

/**
 * PayPal offline verification (PayPal-node-SDK, 2017 `verifyWebhookSignature`): RSA-SHA256 over
 * `transmissionId|transmissionTime|webhookId|crc32(body)`. The source's secrets hold webhook id(s).
 */
const paypalVerifier = (source: SourceConfig): Verifier => async (request, options) => {
  const h = (name: string) => request.headers.get(`paypal-${name}`);
  const [id, time, sig, certUrl, algo] = [h("transmission-id"), h("transmission-time"), h("transmission-sig"), h("cert-url"), h("auth-algo")];
  if (!id || !time || !sig || !certUrl) return fail("signature_missing", "a PAYPAL-TRANSMISSION-* or PAYPAL-CERT-URL header is missing");
  const over = headerTooLarge(Math.max(sig.length, certUrl.length));
  if (over) return over;
  if (algo !== "SHA256withRSA") return fail("signature_invalid", "PAYPAL-AUTH-ALGO is not SHA256withRSA");
  const url = paypalCertUrl(certUrl, source);
  if (!url) return fail("signature_invalid", "PAYPAL-CERT-URL is not on a PayPal API host (or under the configured keyUrl)");
  const signature = decodeSignature(sig.trim(), "base64");
  if (!signature) return fail("signature_invalid", "PAYPAL-TRANSMISSION-SIG is not base64");
  // The signed time is checked before the key fetch and any RSA verify: a stale request costs neither.
  const late = checkTimestamp(time, "rfc3339", options);
  if (late) return late;
  const key = await cachedKey(`paypal\u0000${url.href}`, options.now, () => paypalKey(url.href));
  if (key === "throttled") return fail("signature_invalid", THROTTLED);
  if (!key) return fail("signature_invalid", "the PayPal signing certificate could not be fetched or parsed; PayPal will retry");
  const crc = crc32(request.body);
  // One verify per configured webhook id (≤ 5): PayPal sends one signature, so the work is fixed.
  for (let i = 0; i < options.secrets.length; i++) {
    const message = utf8(`${id}|${time}|${options.secrets[i]}|${crc}`);
    if (await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, message)) return { ok: true, secretIndex: i };
  }
  return fail("signature_invalid", "the signature does not verify for the configured webhook id(s): check the webhook id from the PayPal dashboard");
};

const paypal: Preset = {
  id: "paypal",
  verifier: paypalVerifier,
  identify: identity({ id: body("id"), type: body("event_type"), at: body("create_time"), key: first(body("resource.id")) }),
  forwardHeaders: ["paypal-transmission-id"],
};

const PLAID_KEY_URL = "https://production.plaid.com/webhook_verification_key/get";

async function plaidKey(url: string, clientId: string, secret: string, kid: string): Promise<CryptoKey | null> {
  const res = await fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: clientId, secret, key_id: kid }) });
  if (!res.ok) return null;
  const jwk = ((await res.json()) as { key?: Record<string, unknown> }).key;
  // An expired key must not be used (plaid.com/docs/api/webhooks/webhook-verification).
  if (!jwk || jwk.expired_at !== null && jwk.expired_at !== undefined || jwk.kty !== "EC" || jwk.crv !== "P-256") return null;
  return crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x as string, y: jwk.y as string }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
}

/**
 * Plaid: `Plaid-Verification` is an ES256 JWT whose `request_body_sha256` claim covers the body, `iat`
 * within tolerance. Secrets hold `client_id:secret` pairs; keys are fetched from `keyUrl` by `kid`.
 */
const plaidVerifier = (source: SourceConfig): Verifier => async (request, options) => {
  const token = request.headers.get("plaid-verification");
  if (token === null) return fail("signature_missing", "the Plaid-Verification header is missing");
  const tooLong = headerTooLarge(token.length);
  if (tooLong) return tooLong;
  const jwt = decodeJwt(token);
  if (!jwt) return fail("signature_invalid", "Plaid-Verification is not a compact JWS");
  const kid = typeof jwt.header.kid === "string" ? jwt.header.kid : null;
  if (jwt.header.alg !== "ES256" || !kid) return fail("signature_invalid", "Plaid-Verification must be ES256 with a kid");
  const url = source.keyUrl ?? PLAID_KEY_URL;
  // iat is checked before any key fetch or verify: a stale token costs no work (a forged iat then fails the signature).
  const early = checkTimestamp(typeof jwt.claims.iat === "number" ? String(jwt.claims.iat) : "", "s", options);
  if (early) return early;
  for (let i = 0; i < options.secrets.length; i++) {
    const colon = options.secrets[i]!.indexOf(":");
    if (colon <= 0) continue;
    const clientId = options.secrets[i]!.slice(0, colon);
    const key = await cachedKey(`plaid\u0000${url}\u0000${clientId}\u0000${kid}`, options.now, () => plaidKey(url, clientId, options.secrets[i]!.slice(colon + 1), kid));
    if (key === "throttled") return fail("signature_invalid", THROTTLED);
    if (!key || !(await verifyJwtSignature(jwt, "ES256", key))) continue;
    const claimed = typeof jwt.claims.request_body_sha256 === "string" ? jwt.claims.request_body_sha256 : "";
    if (!(await tokensEqual(await sha256Hex(request.body), claimed))) {
      return fail("signature_invalid", "the body does not match request_body_sha256: was it re-serialised?");
    }
    return { ok: true, secretIndex: i };
  }
  return fail("signature_invalid", "no key for this kid verified the token (secrets must be client_id:secret; the key endpoint must answer)");
};

const plaid: Preset = {
  id: "plaid",
  verifier: plaidVerifier,
  identify: identity({
    type: (i) => {
      const t = getString(i.json, "webhook_type");
      const c = getString(i.json, "webhook_code");
      return t && c ? `${t}.${c}` : t ?? c;
    },
    key: first(body("item_id"), body("account_id")),
  }),
  forwardHeaders: [],
};

/** Presets with fetched keys. */
export const NETWORK_PRESETS: readonly Preset[] = [paypal, plaid];
