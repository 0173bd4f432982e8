/**
 * One signer for every scheme Edgehook verifies, for tests, `npm run send` and the bench. Self-contained
 * (WebCrypto only, erasable TypeScript) so both workerd tests and Node 22 scripts import it.
 * The clock is injectable: pass `now` (ms). Each recipe cites the provider doc/SDK it follows; the
 * published vectors and official SDKs pin them down in test/unit/providers-*.test.ts.
 *
 * Asymmetric presets take a PRIVATE key as `secret` (the config holds the public one, see
 * {@link publicKeyFor}): discord / generic-ed25519 a 32-byte hex seed, Standard Webhooks v1a a `whsk_`
 * key (base64 seed ‖ public key), sendgrid a base64 PKCS#8 P-256 key.
 */
export { sampleEvent } from "./samples.ts";

export type { Algorithm } from "./signer-bytes.ts";
export { base64, base64url, concat, crc32, fromBase64, fromHexString, hex, hmac, sha256hex, standardWebhooksKey } from "./signer-bytes.ts";
import { base64, base64url, concat, crc32, fromBase64, fromHexString, hex, hmac, sha256hex, standardWebhooksKey, type Algorithm } from "./signer-bytes.ts";

/** A generic-hmac / generic-ed25519 scheme, as in the source config. */
export interface GenericScheme {
  header: string;
  algorithm?: Algorithm;
  encoding?: "hex" | "base64";
  prefix?: string;
  template?: string;
  timestampHeader?: string;
  idHeader?: string;
}

export interface SignInput {
  preset: string;
  secret: string;
  /** Extra secrets: schemes that carry a signature list sign with each (rotation). */
  moreSecrets?: string[];
  body: string | Uint8Array;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
  /** Event/message id for schemes that carry one in a header. */
  id?: string;
  /** GitHub event name (X-GitHub-Event). */
  event?: string;
  /** The URL the provider calls (twilio, square, hubspot sign it). */
  url?: string;
  method?: string;
  /** Header carrying the token for generic-token / okta. */
  tokenHeader?: string;
  scheme?: GenericScheme;
  /** paypal: base64 PKCS#8 RSA key; plaid: base64 PKCS#8 P-256 key (the verifier fetches the public half). */
  signingKey?: string;
  /** paypal: PAYPAL-CERT-URL; plaid: the JWT `kid`. */
  keyRef?: string;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: Uint8Array;
  /** The URL to send to when the signer changed it (twilio JSON bodies add bodySHA256). */
  url?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const JSON_CT = { "content-type": "application/json" };

function bytes(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}

const ED_PKCS8 = fromHexString("302e020100300506032b657004220420");

/** An Ed25519 private key from its 32-byte seed (hex, or a `whsk_` key). */
export async function ed25519Private(secret: string, extractable = false): Promise<CryptoKey> {
  const seed = secret.startsWith("whsk_") ? fromBase64(secret.slice(5)).subarray(0, 32) : fromHexString(secret);
  return crypto.subtle.importKey("pkcs8", concat(ED_PKCS8, seed), { name: "Ed25519" }, extractable, ["sign"]);
}

/** Convert a P1363 `r‖s` ECDSA signature to ASN.1 DER, as SendGrid sends it. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    let x = v.subarray(i);
    if (x[0]! & 0x80) x = concat(new Uint8Array([0]), x);
    return concat(new Uint8Array([0x02, x.length]), x);
  };
  const body = concat(int(sig.subarray(0, 32)), int(sig.subarray(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

/** The public key a source must be configured with for an asymmetric signing secret (else the secret itself). */
export async function publicKeyFor(preset: string, secret: string): Promise<string> {
  if (preset === "sendgrid") {
    const k = await crypto.subtle.importKey("pkcs8", fromBase64(secret), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const { x, y } = (await crypto.subtle.exportKey("jwk", k)) as JsonWebKey;
    const pub = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x, y }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    return base64((await crypto.subtle.exportKey("spki", pub)) as ArrayBuffer);
  }
  const ed = preset === "discord" || preset === "generic-ed25519" || secret.startsWith("whsk_");
  if (!ed) return secret;
  const jwk = (await crypto.subtle.exportKey("jwk", await ed25519Private(secret, true))) as JsonWebKey;
  const raw = fromBase64(jwk.x!.replaceAll("-", "+").replaceAll("_", "/") + "=");
  return secret.startsWith("whsk_") ? `whpk_${base64(raw)}` : hex(raw);
}

/** One body-HMAC recipe: header, prefix, hash, encoding, key decoding. */
interface BodyRecipe {
  header: string;
  prefix?: string;
  alg?: Algorithm;
  enc?: "hex" | "base64";
  key?: (secret: string) => Uint8Array;
  extra?: (input: SignInput) => Record<string, string>;
}

const htmlDecode = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&#039;", "'").replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

// Sources: docs/providers.md, one row each.
const BODY_RECIPES: Record<string, BodyRecipe> = {
  bitbucket: { header: "x-hub-signature", prefix: "sha256=", extra: (i) => ({ "x-event-key": i.event ?? "repo:push", "x-request-uuid": i.id ?? crypto.randomUUID() }) },
  shopify: {
    header: "x-shopify-hmac-sha256",
    enc: "base64",
    extra: (i) => ({ "x-shopify-topic": i.event ?? "orders/create", "x-shopify-webhook-id": i.id ?? crypto.randomUUID(), "x-shopify-shop-domain": "edgehook-test.myshopify.com", "x-shopify-triggered-at": new Date(i.now ?? Date.now()).toISOString() }),
  },
  intercom: { header: "x-hub-signature", prefix: "sha1=", alg: "sha1" },
  typeform: { header: "typeform-signature", prefix: "sha256=", enc: "base64" },
  vercel: { header: "x-vercel-signature", alg: "sha1" },
  sentry: { header: "sentry-hook-signature", extra: (i) => ({ "request-id": i.id ?? crypto.randomUUID(), "sentry-hook-resource": i.event ?? "issue", "sentry-hook-timestamp": String(Math.floor((i.now ?? Date.now()) / 1000)) }) },
  jira: { header: "x-hub-signature", prefix: "sha256=", extra: (i) => ({ "x-atlassian-webhook-identifier": i.id ?? String(Date.now()) }) },
  segment: { header: "x-signature", alg: "sha1" },
  "lemon-squeezy": { header: "x-signature", extra: (i) => ({ "x-event-name": i.event ?? "order_created" }) },
  "coinbase-commerce": { header: "x-cc-webhook-signature" },
  razorpay: { header: "x-razorpay-signature", extra: (i) => ({ "x-razorpay-event-id": i.id ?? `evt_${crypto.randomUUID().slice(0, 14)}` }) },
  airtable: { header: "x-airtable-content-mac", prefix: "hmac-sha256=", key: fromBase64 },
  meta: { header: "x-hub-signature-256", prefix: "sha256=" },
  dropbox: { header: "x-dropbox-signature" },
  asana: { header: "x-hook-signature" },
  notion: { header: "x-notion-signature", prefix: "sha256=" },
  woocommerce: {
    header: "x-wc-webhook-signature",
    enc: "base64",
    key: (s) => encoder.encode(htmlDecode(s)),
    extra: (i) => ({ "x-wc-webhook-topic": i.event ?? "order.updated", "x-wc-webhook-delivery-id": i.id ?? hex(crypto.getRandomValues(new Uint8Array(20))) }),
  },
  github: {
    header: "x-hub-signature-256",
    prefix: "sha256=",
    extra: (i) => ({ "x-github-event": i.event ?? "issues", "x-github-delivery": i.id ?? crypto.randomUUID() }),
  },
  linear: { header: "linear-signature", extra: (i) => ({ "linear-delivery": i.id ?? crypto.randomUUID(), "linear-timestamp": String(i.now ?? Date.now()) }) },
};

/** Token presets: which header carries the secret. */
const TOKEN_HEADERS: Record<string, string> = {
  gitlab: "x-gitlab-token",
  telegram: "x-telegram-bot-api-secret-token",
  cloudflare: "cf-webhook-auth",
};

async function mac(alg: Algorithm, key: Uint8Array, content: Uint8Array, enc: "hex" | "base64"): Promise<string> {
  const m = await hmac(alg, key, content);
  return enc === "hex" ? hex(m) : base64(m);
}

const all = (input: SignInput) => [input.secret, ...(input.moreSecrets ?? [])];
const text = (...parts: string[]) => encoder.encode(parts.join(""));

/** Rewrite a JSON body (figma passcode, graph clientState, mailgun signature, adyen item signatures). */
function editJson(body: Uint8Array, edit: (json: any) => Promise<void> | void): Promise<Uint8Array> {
  const json = JSON.parse(decoder.decode(body));
  return Promise.resolve(edit(json)).then(() => encoder.encode(JSON.stringify(json)));
}

/** Adyen's `:`-joined signing string for one NotificationRequestItem (hmacValidator.ts getDataToSign). */
export function adyenSigningString(item: any): string {
  const parts = [item.pspReference, item.originalReference, item.merchantAccountCode, item.merchantReference, item.amount?.value, item.amount?.currency, item.eventCode, item.success];
  return parts.map((p) => (p === undefined || p === null ? "" : String(p))).join(":");
}

/** Twilio's signed string: URL + sorted name+value params (twilio-node getExpectedTwilioSignature). */
export function twilioString(url: string, params: [string, string][]): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of params) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  let data = url;
  for (const k of [...grouped.keys()].sort()) for (const v of [...new Set(grouped.get(k))].sort()) data += k + v;
  return data;
}

/** Sign a request body as the named preset's provider would. */
export async function signRequest(input: SignInput): Promise<SignedRequest> {
  const body = bytes(input.body);
  const now = input.now ?? Date.now();
  const ts = String(Math.floor(now / 1000));
  const key = encoder.encode(input.secret);
  const keys = all(input).map((s) => encoder.encode(s));
  const recipe = BODY_RECIPES[input.preset];
  if (recipe) {
    const value = await mac(recipe.alg ?? "sha256", recipe.key ? recipe.key(input.secret) : key, body, recipe.enc ?? "hex");
    return { body, headers: { ...JSON_CT, [recipe.header]: `${recipe.prefix ?? ""}${value}`, ...(recipe.extra?.(input) ?? {}) } };
  }
  const tokenHeader = TOKEN_HEADERS[input.preset];
  if (tokenHeader) {
    const extra: Record<string, string> = input.preset === "gitlab" ? { "x-gitlab-event": input.event ?? "Merge Request Hook", "idempotency-key": input.id ?? crypto.randomUUID() } : {};
    return { body, headers: { ...JSON_CT, [tokenHeader]: input.secret, ...extra } };
  }
  switch (input.preset) {
    case "stripe":
    case "mux":
    case "calendly": {
      const header = { stripe: "stripe-signature", mux: "mux-signature", calendly: "calendly-webhook-signature" }[input.preset];
      const sigs = await Promise.all(keys.map(async (k) => `v1=${await mac("sha256", k, concat(text(ts, "."), body), "hex")}`));
      return { body, headers: { ...JSON_CT, [header]: [`t=${ts}`, ...sigs].join(",") } };
    }
    case "paddle": {
      const sigs = await Promise.all(keys.map(async (k) => `h1=${await mac("sha256", k, concat(text(ts, ":"), body), "hex")}`));
      return { body, headers: { ...JSON_CT, "paddle-signature": [`ts=${ts}`, ...sigs].join(";") } };
    }
    case "pagerduty": {
      const sigs = await Promise.all(keys.map(async (k) => `v1=${await mac("sha256", k, body, "hex")}`));
      return { body, headers: { ...JSON_CT, "x-pagerduty-signature": sigs.join(",") } };
    }
    case "slack":
      return { body, headers: { ...JSON_CT, "x-slack-request-timestamp": ts, "x-slack-signature": `v0=${await mac("sha256", key, concat(text("v0:", ts, ":"), body), "hex")}` } };
    case "zoom":
      return { body, headers: { ...JSON_CT, "x-zm-request-timestamp": ts, "x-zm-signature": `v0=${await mac("sha256", key, concat(text("v0:", ts, ":"), body), "hex")}` } };
    case "twitch": {
      const id = input.id ?? crypto.randomUUID();
      const at = new Date(now).toISOString();
      return {
        body,
        headers: {
          ...JSON_CT,
          "twitch-eventsub-message-id": id,
          "twitch-eventsub-message-timestamp": at,
          "twitch-eventsub-message-type": input.event ?? "notification",
          "twitch-eventsub-subscription-type": "channel.follow",
          "twitch-eventsub-message-signature": `sha256=${await mac("sha256", key, concat(text(id, at), body), "hex")}`,
        },
      };
    }
    case "zendesk": {
      const at = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z");
      return { body, headers: { ...JSON_CT, "x-zendesk-webhook-signature-timestamp": at, "x-zendesk-webhook-signature": await mac("sha256", key, concat(text(at), body), "base64") } };
    }
    case "square":
      return { body, headers: { ...JSON_CT, "x-square-hmacsha256-signature": await mac("sha256", key, concat(text(input.url ?? ""), body), "base64") } };
    case "hubspot": {
      const method = input.method ?? "POST";
      const at = String(now);
      const sig = await mac("sha256", key, concat(text(method, input.url ?? ""), body, text(at)), "base64");
      return { body, headers: { ...JSON_CT, "x-hubspot-request-timestamp": at, "x-hubspot-signature-v3": sig } };
    }
    case "standard-webhooks":
    case "svix":
    case "clerk":
    case "resend":
    case "brex": {
      const p = input.preset === "standard-webhooks" ? "webhook-" : "svix-";
      const id = input.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
      const content = concat(text(id, ".", ts, "."), body);
      const sigs = await Promise.all(
        all(input).map(async (s) =>
          s.startsWith("whsk_")
            ? `v1a,${base64(await crypto.subtle.sign("Ed25519", await ed25519Private(s), content))}`
            : `v1,${base64(await hmac("sha256", standardWebhooksKey(s), content))}`,
        ),
      );
      return { body, headers: { ...JSON_CT, [`${p}id`]: id, [`${p}timestamp`]: ts, [`${p}signature`]: sigs.join(" ") } };
    }
    case "discord": {
      const sig = await crypto.subtle.sign("Ed25519", await ed25519Private(input.secret), concat(text(ts), body));
      return { body, headers: { ...JSON_CT, "x-signature-timestamp": ts, "x-signature-ed25519": hex(sig) } };
    }
    case "sendgrid": {
      const k = await crypto.subtle.importKey("pkcs8", fromBase64(input.secret), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k, concat(text(ts), body)));
      return { body, headers: { ...JSON_CT, "x-twilio-email-event-webhook-timestamp": ts, "x-twilio-email-event-webhook-signature": base64(p1363ToDer(sig)) } };
    }
    case "postmark":
      return { body, headers: { ...JSON_CT, authorization: `Basic ${btoa(input.secret)}` } };
    case "okta":
    case "generic-token":
      return { body, headers: { ...JSON_CT, [input.tokenHeader ?? "authorization"]: input.secret } };
    case "figma":
      return { body: await editJson(body, (j) => void (j.passcode = input.secret)), headers: JSON_CT };
    case "microsoft-graph":
      return { body: await editJson(body, (j) => j.value.forEach((v: any) => (v.clientState = input.secret))), headers: JSON_CT };
    case "mailgun": {
      const token = hex(crypto.getRandomValues(new Uint8Array(25)));
      const signature = await mac("sha256", key, text(ts, token), "hex");
      return { body: await editJson(body, (j) => void (j.signature = { timestamp: ts, token, signature })), headers: JSON_CT };
    }
    case "adyen": {
      const k = fromHexString(input.secret);
      const signed = await editJson(body, async (j) => {
        for (const { NotificationRequestItem: item } of j.notificationItems) {
          item.additionalData = { ...item.additionalData, hmacSignature: await mac("sha256", k, text(adyenSigningString(item)), "base64") };
        }
      });
      return { body: signed, headers: JSON_CT };
    }
    case "netlify": {
      const header = base64url(text(JSON.stringify({ alg: "HS256", typ: "JWT" })));
      const claims = base64url(text(JSON.stringify({ iss: "netlify", sha256: await sha256hex(body) })));
      const sig = base64url(await hmac("sha256", key, text(header, ".", claims)));
      return { body, headers: { ...JSON_CT, "x-webhook-signature": `${header}.${claims}.${sig}` } };
    }
    case "paypal": {
      // PayPal-node-SDK (2017) verifyWebhookSignature: RSA-SHA256 over id|time|webhookId|crc32(body); secret = webhook id.
      const id = input.id ?? crypto.randomUUID();
      const time = new Date(now).toISOString();
      const k = await crypto.subtle.importKey("pkcs8", fromBase64(input.signingKey!), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
      const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", k, text(`${id}|${time}|${input.secret}|${crc32(body)}`));
      return {
        body,
        headers: { ...JSON_CT, "paypal-transmission-id": id, "paypal-transmission-time": time, "paypal-transmission-sig": base64(sig), "paypal-cert-url": input.keyRef!, "paypal-auth-algo": "SHA256withRSA" },
      };
    }
    case "plaid": {
      // plaid.com/docs/api/webhooks/webhook-verification: ES256 JWT, kid in the header, body hash in the claims.
      const k = await crypto.subtle.importKey("pkcs8", fromBase64(input.signingKey!), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
      const header = base64url(text(JSON.stringify({ alg: "ES256", kid: input.keyRef, typ: "JWT" })));
      const claims = base64url(text(JSON.stringify({ iat: Math.floor(now / 1000), request_body_sha256: await sha256hex(body) })));
      const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k, text(header, ".", claims));
      return { body, headers: { ...JSON_CT, "plaid-verification": `${header}.${claims}.${base64url(sig)}` } };
    }
    case "twilio": {
      const url = input.url ?? "https://edgehook.test/webhooks/twilio";
      const isJson = decoder.decode(body).trimStart().startsWith("{");
      if (isJson) {
        const signedUrl = `${url}${url.includes("?") ? "&" : "?"}bodySHA256=${await sha256hex(body)}`;
        return { body, url: signedUrl, headers: { ...JSON_CT, "x-twilio-signature": await mac("sha1", key, text(signedUrl), "base64") } };
      }
      const params = [...new URLSearchParams(decoder.decode(body))];
      return {
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await mac("sha1", key, text(twilioString(url, params)), "base64") },
      };
    }
    case "generic-hmac":
    case "generic-ed25519": {
      const s = input.scheme;
      if (!s) throw new Error(`${input.preset} needs a scheme`);
      const id = input.id ?? crypto.randomUUID();
      const [before = "", after = ""] = (s.template ?? "{body}").split("{body}");
      const fill = (t: string) => t.replaceAll("{timestamp}", ts).replaceAll("{id}", id);
      const content = concat(text(fill(before)), body, text(fill(after)));
      const raw =
        input.preset === "generic-hmac"
          ? await hmac(s.algorithm ?? "sha256", key, content)
          : await crypto.subtle.sign("Ed25519", await ed25519Private(input.secret), content);
      const headers: Record<string, string> = { ...JSON_CT, [s.header]: `${s.prefix ?? ""}${(s.encoding ?? "hex") === "hex" ? hex(raw) : base64(raw)}` };
      if (s.timestampHeader) headers[s.timestampHeader] = ts;
      if (s.idHeader) headers[s.idHeader] = id;
      return { body, headers };
    }
    default:
      throw new Error(`no test signer for preset "${input.preset}"`);
  }
}
