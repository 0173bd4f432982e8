/**
 * Body-HMAC providers whose subscription handshake cannot be authenticated (Meta is, by its verify
 * token). Each answer only echoes what the request itself carried and is never enqueued.
 */
import { getString } from "../shared/json";
import { prefixedHeader, tokensEqual, type Verifier } from "../verify";
import { body, bodyHmac, first, header, hmacPreset, hmacVerifier, identity, joined, text } from "./define";
import type { Preset } from "./types";

const ECHOABLE = /^[\x21-\x7e]{1,1024}$/;

/**
 * Meta (Facebook / Instagram / WhatsApp): `X-Hub-Signature-256: sha256=` over the body with the App
 * Secret; the subscription GET is answered only when `hub.verify_token` equals the secret named by
 * `verifyTokenSecret` (which is never used as an HMAC key).
 */
const metaHmac = hmacVerifier(bodyHmac("x-hub-signature-256", "sha256="));
const meta: Preset = {
  id: "meta",
  verifier: (source) => {
    const skip = source.verifyTokenSecret ? source.secrets.indexOf(source.verifyTokenSecret) : -1;
    const verifier: Verifier = async (request, options) => {
      const keep = options.secrets.map((secret, index) => ({ secret, index })).filter((k) => k.index !== skip);
      const result = await metaHmac(request, { ...options, secrets: keep.map((k) => k.secret) });
      return result.ok ? { ok: true, secretIndex: keep[result.secretIndex]!.index } : result;
    };
    return verifier;
  },
  identify: identity({
    id: first(body("entry.0.changes.0.value.messages.0.id"), body("entry.0.changes.0.value.statuses.0.id"), body("entry.0.messaging.0.message.mid")),
    type: joined(".", body("object"), first(body("entry.0.changes.0.field"), () => "messaging")),
    at: body("entry.0.time"),
    key: body("entry.0.id"),
  }),
  forwardHeaders: [],
  handshake: async ({ request, source, secrets }) => {
    if (request.method !== "GET") return null;
    const params = new URL(request.url).searchParams;
    const challenge = params.get("hub.challenge");
    const token = params.get("hub.verify_token");
    if (params.get("hub.mode") !== "subscribe" || challenge === null || token === null || !ECHOABLE.test(challenge)) return null;
    const index = source.verifyTokenSecret ? source.secrets.indexOf(source.verifyTokenSecret) : -1;
    const expected = index >= 0 ? secrets[index] : undefined;
    if (!expected || !(await tokensEqual(token, expected))) {
      return new Response(JSON.stringify({ error: { code: "signature_invalid", message: "hub.verify_token does not match the secret named by verifyTokenSecret" } }), {
        status: 403,
        headers: { "content-type": "application/json" },
      });
    }
    return text(challenge);
  },
};

/** Dropbox: `X-Dropbox-Signature` hex over the body; `GET ?challenge=` echoed as text/plain + nosniff. */
const dropbox = hmacPreset("dropbox", bodyHmac("x-dropbox-signature"), { type: () => "dropbox.notification" }, [], {
  handshake: async ({ request }) => {
    if (request.method !== "GET") return null;
    const challenge = new URL(request.url).searchParams.get("challenge");
    return challenge !== null && ECHOABLE.test(challenge) ? text(challenge) : null;
  },
});

/** Asana: `X-Hook-Signature` hex over the body; the `X-Hook-Secret` handshake is echoed in the same header. */
const asana = hmacPreset("asana", bodyHmac("x-hook-signature"), { type: first(body("events.0.action"), () => "asana.heartbeat"), at: body("events.0.created_at"), key: body("events.0.resource.gid") }, [], {
  handshake: async ({ request }) => {
    const secret = request.headers.get("x-hook-secret");
    if (request.method !== "POST" || secret === null || !ECHOABLE.test(secret)) return null;
    console.log(JSON.stringify({ msg: "asana_handshake", note: "answered; set this source's secret to the X-Hook-Secret Asana sent" }));
    return new Response(null, { status: 204, headers: { "x-hook-secret": secret } });
  },
});

/**
 * Notion: `X-Notion-Signature: sha256=` over the body with the verification token. The first, unsigned
 * POST carries only `verification_token`: it is acknowledged, never enqueued, and the token is not logged.
 */
const notion = hmacPreset("notion", bodyHmac("x-notion-signature", "sha256="), { id: body("id"), type: body("type"), at: body("timestamp"), key: body("entity.id") }, [], {
  handshake: async ({ request, json }) => {
    if (request.method !== "POST" || request.headers.has("x-notion-signature")) return null;
    if (getString(json, "verification_token") === undefined || Object.keys(json as object).length !== 1) return null;
    console.log(JSON.stringify({ msg: "notion_verification", note: "acknowledged; the token is not logged (see docs/providers.md, notion)" }));
    return new Response(null, { status: 200 });
  },
});

/** WooCommerce: base64 HMAC-SHA256 over the body; the secret is HTML-entity-decoded first (class-wc-webhook.php). */
const wooKey = (secret: string) =>
  secret.replaceAll("&quot;", '"').replaceAll("&#039;", "'").replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const wooHmac = hmacVerifier({ parse: prefixedHeader("x-wc-webhook-signature"), encoding: "base64" });
const woocommerce: Preset = {
  id: "woocommerce",
  verifier: () => (request, options) => wooHmac(request, { ...options, secrets: options.secrets.map(wooKey) }),
  identify: identity({
    id: joined(":", header("x-wc-webhook-topic"), body("id"), first(body("date_modified_gmt"), body("date_modified"))),
    type: header("x-wc-webhook-topic"),
    at: first(body("date_modified_gmt"), body("date_created_gmt")),
    key: body("id"),
  }),
  forwardHeaders: ["x-wc-webhook-topic", "x-wc-webhook-resource", "x-wc-webhook-event", "x-wc-webhook-source", "x-wc-webhook-id", "x-wc-webhook-delivery-id"],
  // deliver_ping(): form body `webhook_id=<id>` with no signature header; creation fails without a 200.
  handshake: async ({ request }) => {
    if (request.method !== "POST" || request.headers.has("x-wc-webhook-signature")) return null;
    return /^webhook_id=\d{1,20}$/.test(new TextDecoder().decode(request.body)) ? new Response(null, { status: 200 }) : null;
  },
};

/** Presets with unauthenticated (echo-only) or token-checked handshakes. */
export const HANDSHAKE_PRESETS: readonly Preset[] = [meta, dropbox, asana, notion, woocommerce];
