/**
 * The preset table. Most providers are data over the verify primitives; sources cited per row in
 * docs/providers.md.
 */
import { getPath, getString, toMillis } from "../shared/json";
import { keyValueHeader, prefixedHeader, verifyHmac, versionedListHeader, type HmacScheme, type Verifier } from "../verify";
import type { Preset } from "./types";

const hmac = (scheme: HmacScheme): Verifier => (request, options) => verifyHmac(scheme, request, options);

/** Stripe: `Stripe-Signature: t=…,v1=…`, HMAC-SHA256 hex over `t.body`, key = the whole `whsec_` string. */
const stripe: Preset = {
  id: "stripe",
  verifier: () =>
    hmac({
      algorithm: "SHA-256",
      key: "utf8",
      encoding: "hex",
      parse: keyValueHeader("stripe-signature", { separator: ",", timestampKey: "t", signatureKey: "v1" }),
      template: "{timestamp}.{body}",
      timestamp: "s",
    }),
  identify: ({ json }) => ({
    eventId: getString(json, "id"),
    eventType: getString(json, "type"),
    occurredAt: toMillis(getPath(json, "created")),
    orderingKey: getString(json, "data.object.id"),
  }),
  forwardHeaders: [],
};

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body; id from `X-GitHub-Delivery`. */
const github: Preset = {
  id: "github",
  verifier: () =>
    hmac({
      algorithm: "SHA-256",
      key: "utf8",
      encoding: "hex",
      parse: prefixedHeader("x-hub-signature-256", "sha256="),
      template: "{body}",
    }),
  identify: ({ headers, json }) => {
    const event = headers.get("x-github-event") ?? undefined;
    const action = getString(json, "action");
    const repo = getString(json, "repository.full_name");
    const number = getString(json, "pull_request.number") ?? getString(json, "issue.number");
    return {
      eventId: headers.get("x-github-delivery") ?? undefined,
      eventType: event && action ? `${event}.${action}` : event,
      orderingKey: repo && number ? `${repo}#${number}` : repo,
    };
  },
  forwardHeaders: ["x-github-event", "x-github-delivery", "x-github-hook-id", "x-github-hook-installation-target-type", "x-github-hook-installation-target-id"],
};

/** Standard Webhooks v1: `webhook-signature: v1,<b64> …` over `id.timestamp.body`, key `whsec_` + base64. */
const standardWebhooks: Preset = {
  id: "standard-webhooks",
  verifier: () => {
    const parse = versionedListHeader("webhook-signature", "v1", "webhook-id", "webhook-timestamp");
    return hmac({
      algorithm: "SHA-256",
      key: "whsec-base64",
      encoding: "base64",
      // The id is signed: without it the signature cannot be checked.
      parse: (request) => (request.headers.has("webhook-id") ? parse(request) : null),
      template: "{id}.{timestamp}.{body}",
      timestamp: "s",
    });
  },
  identify: ({ headers, json }) => ({
    eventId: headers.get("webhook-id") ?? undefined,
    eventType: getString(json, "type"),
    occurredAt: toMillis(getPath(json, "timestamp")) ?? toMillis(headers.get("webhook-timestamp")),
  }),
  forwardHeaders: [],
};

/** `generic-hmac`: the scheme comes from the source's config. */
const genericHmac: Preset = {
  id: "generic-hmac",
  verifier: (source) => {
    const s = source.scheme!;
    const algorithm = ({ sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const)[s.algorithm];
    return hmac({
      algorithm,
      key: "utf8",
      encoding: s.encoding,
      parse: prefixedHeader(s.header.toLowerCase(), s.prefix, s.timestampHeader, s.idHeader),
      template: s.template,
      ...(s.timestampHeader ? { timestamp: "s" as const } : {}),
    });
  },
  identify: () => ({}),
  forwardHeaders: [],
};

/** Every preset, by id. */
export const PRESETS: ReadonlyMap<string, Preset> = new Map([stripe, github, standardWebhooks, genericHmac].map((p) => [p.id, p]));
