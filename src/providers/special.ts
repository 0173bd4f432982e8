/**
 * Providers whose signed content is not "prefix + body": HubSpot v3 (method + URI + body + timestamp),
 * Mailgun (timestamp + token inside the body), Adyen (per-item field list, hex key) and Netlify (JWS).
 */
import { sha256Hex, utf8 } from "../shared/bytes";
import { getPath, getString, tryParseJson } from "../shared/json";
import { decodeJwt, decodeSignature, fail, headerTooLarge, hmacAlgorithm, hmacKey, matchAny, prefixedHeader, tokensEqual, verifyJwtSignature, verifySigned, type InboundRequest, type Verifier } from "../verify";
import { body, effectiveUrl, first, header, identity, joined } from "./define";
import type { Preset } from "./types";

// HubSpot "Validate the v3 request signature": these percent-escapes are decoded in the URI first.
const HUBSPOT_DECODED: Record<string, string> = { "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";" };

/** HubSpot's v3 URI form: the listed percent-escapes decoded (case-insensitive). */
export function hubspotUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODED[m.toUpperCase()]!);
}

const hubspotScheme = {
  algorithm: hmacAlgorithm("SHA-256", "utf8"),
  encoding: "base64" as const,
  parse: prefixedHeader("x-hubspot-signature-v3", "", "x-hubspot-request-timestamp"),
  template: "{method}{url}{body}{timestamp}",
  timestamp: "ms" as const,
  hint: "no client secret produced this signature: check the app's client secret and that publicUrl is the exact target URL HubSpot calls",
};

/** HubSpot v3 (hubspot-api-nodejs src/utils/signature.ts; 5-minute window there, `toleranceSeconds` here). */
const hubspot: Preset = {
  id: "hubspot",
  verifier: (source) => (request, options) => verifySigned(hubspotScheme, { ...request, url: hubspotUri(effectiveUrl(source, request.url)) }, options),
  identify: identity({ id: first(body("0.eventId"), body("eventId")), type: first(body("0.subscriptionType"), body("subscriptionType")), at: first(body("0.occurredAt"), body("occurredAt")), key: first(body("0.objectId"), body("objectId")) }),
  forwardHeaders: [],
};

/** Mailgun's signature object from a JSON body (`signature.*`) or a legacy form body. */
function mailgunFields(request: InboundRequest): { timestamp?: string; token?: string; signature?: string } | null {
  const ct = request.headers.get("content-type") ?? "";
  if (ct.includes("x-www-form-urlencoded")) {
    const form = new URLSearchParams(new TextDecoder().decode(request.body));
    return { timestamp: form.get("timestamp") ?? undefined, token: form.get("token") ?? undefined, signature: form.get("signature") ?? undefined };
  }
  const sig = getPath(tryParseJson(request.body), "signature");
  if (!sig || typeof sig !== "object") return null;
  const s = sig as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
  return { timestamp: str(s.timestamp), token: str(s.token), signature: str(s.signature) };
}

const mailgunAlgorithm = hmacAlgorithm("SHA-256", "utf8");
const MAILGUN_HINT = "no Webhook Signing Key produced this signature (Mailgun signs timestamp + token with the HTTP webhook signing key, not the API key)";

/** Mailgun: hex(HMAC-SHA256(signing key, timestamp + token)); the body itself is not covered (documentation.mailgun.com "Securing Webhooks"). */
const mailgun: Preset = {
  id: "mailgun",
  verifier: () => (request, options) => {
    const f = mailgunFields(request);
    if (!f?.signature) return Promise.resolve(fail("signature_missing", "the body carries no signature.signature"));
    if (!f.token || !f.timestamp) return Promise.resolve(fail("signature_missing", "signature.token or signature.timestamp is missing"));
    const parsed = { candidates: [f.signature], timestamp: f.timestamp, id: f.token };
    const scheme = { algorithm: mailgunAlgorithm, encoding: "hex" as const, parse: () => parsed, template: "{timestamp}{id}{body}", timestamp: "s" as const, hint: MAILGUN_HINT };
    // The signed bytes are timestamp + token only: verify against an empty body.
    return verifySigned(scheme, { ...request, body: new Uint8Array(0) }, options);
  },
  identify: identity({ id: first(body("event-data.id"), body("signature.token")), type: body("event-data.event"), at: body("event-data.timestamp"), key: body("event-data.message.headers.message-id") }),
  forwardHeaders: [],
};

/** Adyen's signing string for one NotificationRequestItem (adyen-node-api-library hmacValidator.ts getDataToSign). */
export function adyenDataToSign(item: Record<string, unknown>): string {
  const amount = (item.amount ?? {}) as Record<string, unknown>;
  const parts = [item.pspReference, item.originalReference, item.merchantAccountCode, item.merchantReference, amount.value, amount.currency, item.eventCode, item.success];
  return parts.map((p) => (p === undefined || p === null ? "" : String(p))).join(":");
}

/**
 * Adyen: standard notifications carry `additionalData.hmacSignature` per item (every item must verify);
 * Balance Platform / Management webhooks send base64 HMAC of the raw body in `HmacSignature`. Key: hex.
 */
const adyenVerifier: Verifier = async (request, options) => {
  const algorithm = hmacAlgorithm("SHA-256", "hex");
  const headerSig = request.headers.get("hmacsignature");
  if (headerSig !== null) {
    const oversize = headerTooLarge(headerSig.length);
    if (oversize) return oversize;
    const sig = decodeSignature(headerSig.trim(), "base64");
    if (!sig || sig.byteLength !== 32) return fail("signature_invalid", "HmacSignature is not a base64 HMAC-SHA256 value");
    const i = await matchAny(algorithm, options.secrets, [sig], request.body);
    return i >= 0 ? { ok: true, secretIndex: i } : fail("signature_invalid", "no HMAC key (hex, from the Customer Area) produced this signature");
  }
  const items = getPath(tryParseJson(request.body), "notificationItems");
  if (!Array.isArray(items) || items.length === 0) return fail("signature_missing", "no HmacSignature header and no notificationItems in the body");
  // Every item is checked for shape first (no crypto), so a malformed item is reported as such.
  const signed: { sig: Uint8Array; content: Uint8Array }[] = [];
  for (const wrapper of items) {
    const item = (wrapper as Record<string, unknown>)?.NotificationRequestItem as Record<string, unknown> | undefined;
    const encoded = getString(item, "additionalData.hmacSignature");
    const sig = encoded ? decodeSignature(encoded, "base64") : null;
    if (!item || !sig || sig.byteLength !== 32) return fail(encoded ? "signature_invalid" : "signature_missing", "a notification item has no well-formed additionalData.hmacSignature");
    signed.push({ sig, content: utf8(adyenDataToSign(item)) });
  }
  // Every item must verify with one key: stop at a key's first failing item, so a forged body costs
  // one MAC per key whatever its item count.
  for (let n = 0; n < options.secrets.length; n++) {
    let all = true;
    for (const { sig, content } of signed) {
      if ((await matchAny(algorithm, [options.secrets[n]!], [sig], content)) < 0) {
        all = false;
        break;
      }
    }
    if (all) return { ok: true, secretIndex: n };
  }
  return fail("signature_invalid", "no HMAC key (hex, from the Customer Area) produced the items' signatures");
};

const adyen: Preset = {
  id: "adyen",
  verifier: () => adyenVerifier,
  identify: identity({
    id: joined(":", body("notificationItems.0.NotificationRequestItem.pspReference"), body("notificationItems.0.NotificationRequestItem.eventCode"), body("notificationItems.0.NotificationRequestItem.success")),
    type: first(body("notificationItems.0.NotificationRequestItem.eventCode"), body("type")),
    at: body("notificationItems.0.NotificationRequestItem.eventDate"),
    key: first(body("notificationItems.0.NotificationRequestItem.originalReference"), body("notificationItems.0.NotificationRequestItem.pspReference"), body("data.id")),
  }),
  forwardHeaders: [],
  // Adyen marks a notification as failed (and retries) unless the answer's body is "[accepted]".
  acknowledgement: "[accepted]",
};

/** Netlify deploy notifications: `X-Webhook-Signature` is an HS256 JWS with `iss: netlify` and `sha256` = hex SHA-256 of the body. */
const netlifyVerifier: Verifier = async (request, options) => {
  const token = request.headers.get("x-webhook-signature");
  if (token === null) return fail("signature_missing", "the X-Webhook-Signature header is missing");
  const oversize = headerTooLarge(token.length);
  if (oversize) return oversize;
  const jwt = decodeJwt(token);
  if (!jwt) return fail("signature_invalid", "X-Webhook-Signature is not a compact JWS");
  for (let i = 0; i < options.secrets.length; i++) {
    const key = await hmacKey(options.secrets[i]!, "utf8", "SHA-256", "verify");
    if (!key || !(await verifyJwtSignature(jwt, "HS256", key))) continue;
    if (jwt.claims.iss !== "netlify") return fail("signature_invalid", "the token's issuer is not netlify");
    const claimed = typeof jwt.claims.sha256 === "string" ? jwt.claims.sha256 : "";
    if (!(await tokensEqual(await sha256Hex(request.body), claimed.toLowerCase()))) {
      return fail("signature_invalid", "the body does not match the token's sha256 claim: was it re-serialised?");
    }
    return { ok: true, secretIndex: i };
  }
  return fail("signature_invalid", "no JWS secret token produced this signature");
};

const netlify: Preset = {
  id: "netlify",
  verifier: () => netlifyVerifier,
  identify: identity({ id: joined(":", body("id"), body("state")), type: first(joined(".", () => "deploy", body("state"))), at: first(body("updated_at"), body("created_at")), key: body("site_id") }),
  forwardHeaders: [],
};

/** Presets with their own signed-content rules. */
export const SPECIAL_PRESETS: readonly Preset[] = [hubspot, mailgun, adyen, netlify];
