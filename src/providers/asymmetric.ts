/**
 * Standard Webhooks v1 (HMAC) + v1a (Ed25519), the Svix-branded header set, Discord (Ed25519) and
 * SendGrid (ECDSA P-256, DER). Public keys are configured as secrets; a key is never read from a request.
 */
import { getString } from "../shared/json";
import {
  ed25519Algorithm,
  fail,
  headerTooLarge,
  hmacAlgorithm,
  p256Algorithm,
  prefixedHeader,
  verifySigned,
  type InboundRequest,
  type ParsedSignature,
  type Verifier,
  type VerifyResult,
} from "../verify";
import { body, first, header, identity, json } from "./define";
import type { Preset } from "./types";

/** Split a Standard Webhooks signature list into one version's candidates (unknown versions ignored). */
function versionList(value: string, version: string): string[] {
  const out: string[] = [];
  for (const entry of value.trim().split(/\s+/)) {
    const comma = entry.indexOf(",");
    if (comma > 0 && entry.slice(0, comma) === version) out.push(entry.slice(comma + 1));
  }
  return out;
}

/**
 * Standard Webhooks spec v1.0.0: `{prefix}id`, `{prefix}timestamp`, `{prefix}signature` with a
 * space-separated list of `v1,<b64>` / `v1a,<b64>`. Secrets starting `whpk_` are v1a public keys; the
 * rest are `whsec_` HMAC keys. Any match of a known version is enough; unknown versions are ignored.
 */
export function standardWebhooksVerifier(prefixes: readonly string[]): Verifier {
  const v1 = hmacAlgorithm("SHA-256", "whsec-base64");
  const v1a = ed25519Algorithm("whpk-base64");
  return async (request, options) => {
    const prefix = prefixes.find((p) => request.headers.has(`${p}signature`)) ?? prefixes[0]!;
    const signature = request.headers.get(`${prefix}signature`);
    const id = request.headers.get(`${prefix}id`);
    const timestamp = request.headers.get(`${prefix}timestamp`);
    if (signature === null) return fail("signature_missing", `the ${prefix}signature header is missing`);
    if (id === null || timestamp === null) return fail("signature_missing", `the ${prefix}id or ${prefix}timestamp header is missing`);
    const oversize = headerTooLarge(signature.length);
    if (oversize) return oversize;
    const parsed = (version: string) => (): ParsedSignature => ({ candidates: versionList(signature, version), id, timestamp });
    const indexed = options.secrets.map((secret, index) => ({ secret, index }));
    const groups = [
      { algorithm: v1, version: "v1", keys: indexed.filter((k) => !k.secret.startsWith("whpk_")) },
      { algorithm: v1a, version: "v1a", keys: indexed.filter((k) => k.secret.startsWith("whpk_")) },
    ];
    let failure: VerifyResult | null = null;
    for (const group of groups) {
      if (group.keys.length === 0) continue;
      const scheme = { algorithm: group.algorithm, encoding: "base64" as const, parse: parsed(group.version), template: "{id}.{timestamp}.{body}", timestamp: "s" as const };
      const result = await verifySigned(scheme, request, { ...options, secrets: group.keys.map((k) => k.secret) });
      if (result.ok) return { ok: true, secretIndex: group.keys[result.secretIndex]!.index };
      // Over a work cap: refuse now, before the other version's keys do any work.
      if (result.reason === "signature_header_too_large") return result;
      // Keep the most informative failure: a real mismatch beats "no entry of this version".
      if (!failure || (failure.ok === false && failure.hint.includes("no signature of a known"))) failure = result;
    }
    return failure ?? fail("signature_invalid", "no usable key is configured (whsec_… for v1, whpk_… for v1a)");
  };
}

const standardIdentity = (prefix: string) =>
  identity({
    id: header(`${prefix}id`),
    type: body("type"),
    at: first(body("timestamp"), header(`${prefix}timestamp`)),
  });

/** Standard Webhooks (webhook-* headers). */
const standardWebhooks: Preset = {
  id: "standard-webhooks",
  verifier: () => standardWebhooksVerifier(["webhook-"]),
  identify: standardIdentity("webhook-"),
  forwardHeaders: [],
};

/** Svix and the Svix-powered senders: `svix-*` headers, or white-labelled `webhook-*` (svix-webhooks webhook.ts). */
function svixPreset(id: string, key: (i: Parameters<Preset["identify"]>[0]) => unknown = () => undefined): Preset {
  const ident = (prefix: string) => identity({ id: header(`${prefix}id`), type: body("type"), at: first(body("created_at"), header(`${prefix}timestamp`)), key });
  return {
    id,
    verifier: () => standardWebhooksVerifier(["svix-", "webhook-"]),
    identify: (input) => (input.headers.has("svix-id") ? ident("svix-")(input) : ident("webhook-")(input)),
    forwardHeaders: [],
  };
}

/** Discord: Ed25519 (hex) over timestamp + body; PING answered after verification (discord-api-docs). */
const discordScheme = {
  algorithm: ed25519Algorithm("hex"),
  encoding: "hex" as const,
  parse: prefixedHeader("x-signature-ed25519", "", "x-signature-timestamp"),
  template: "{timestamp}{body}",
  timestamp: "s" as const,
  hint: "the signature does not verify with the configured application public key (hex, from the Developer Portal)",
};
const discord: Preset = {
  id: "discord",
  verifier: () => (request, options) => verifySigned(discordScheme, request, options),
  identify: identity({
    id: body("id"),
    type: first(body("event.type"), (i) => (typeof (i.json as { type?: unknown })?.type === "number" ? `interaction.${(i.json as { type: number }).type}` : undefined)),
    at: body("event.timestamp"),
    key: first(body("guild_id"), body("event.data.guild.id")),
  }),
  forwardHeaders: [],
  handshake: async (input) => {
    const type = (input.json as { type?: unknown } | undefined)?.type;
    const isEventsPing = type === 0 && getString(input.json, "event.type") === undefined;
    if (type !== 1 && !isEventsPing) return null;
    if (!(await input.verify()).ok) return null;
    // Interactions PING → {"type":1}; webhook-events PING (type 0) → 204.
    return type === 1 ? json({ type: 1 }) : new Response(null, { status: 204 });
  },
};

/** SendGrid signed Event Webhook: ECDSA P-256 over timestamp + body, base64 DER (sendgrid-nodejs eventwebhook.js). */
const sendgridScheme = {
  algorithm: p256Algorithm("der"),
  encoding: "base64" as const,
  parse: (request: InboundRequest) =>
    prefixedHeader("x-twilio-email-event-webhook-signature", "", "x-twilio-email-event-webhook-timestamp")(request),
  template: "{timestamp}{body}",
  timestamp: "s" as const,
  hint: "the signature does not verify with the configured verification key (base64 SPKI from Mail Settings → Signed Event Webhook)",
};
const sendgrid: Preset = {
  id: "sendgrid",
  verifier: () => (request, options) => verifySigned(sendgridScheme, request, options),
  identify: identity({ type: (i) => (Array.isArray(i.json) ? "sendgrid.events" : undefined), at: header("x-twilio-email-event-webhook-timestamp"), key: body("0.sg_message_id") }),
  forwardHeaders: [],
};

/** Asymmetric and Standard-Webhooks-family presets. */
export const ASYMMETRIC_PRESETS: readonly Preset[] = [
  standardWebhooks,
  svixPreset("svix"),
  svixPreset("clerk", body("data.id")),
  svixPreset("resend", body("data.email_id")),
  svixPreset("brex"),
  discord,
  sendgrid,
];
