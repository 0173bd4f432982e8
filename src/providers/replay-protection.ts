/**
 * Replay protection per preset: whether the event id and a timestamp are covered by the signature.
 * When neither is, a captured request re-sent with a new id verifies and is a new event, for ever;
 * `dedupe = "content"` then makes a re-sent body a duplicate whatever id it carries. Derived from each
 * preset's scheme (src/providers/*.ts) and listed in docs/providers.md ("Replay protection").
 */
import type { SourceConfig } from "../config";

/** What a scheme signs, as far as replays are concerned. */
export interface ReplayFacts {
  /** The event id cannot be changed without breaking the signature (a body field, a signed header, or the body hash). */
  idSigned: boolean;
  /** A timestamp is signed and checked against `toleranceSeconds`, so a capture expires. */
  timestampSigned: boolean;
  /** The whole body is signed, so a configured `eventId` path is signed too. */
  bodySigned: boolean;
  /** Headers covered by the signature that may hold an id. */
  signedIdHeaders?: readonly string[];
  /** Why, where it is not obvious from the scheme. */
  note?: string;
}

const fact = (idSigned: boolean, timestampSigned: boolean, bodySigned: boolean, extra: Pick<ReplayFacts, "signedIdHeaders" | "note"> = {}): ReplayFacts => ({ idSigned, timestampSigned, bodySigned, ...extra });
const BODY_ID = fact(true, false, true);
const BODY_ID_TS = fact(true, true, true);
const HEADER_ID = fact(false, false, true, { note: "the id header is not signed" });
const TOKEN = fact(false, false, false, { note: "a shared token signs nothing" });
const SVIX = fact(true, true, true, { signedIdHeaders: ["svix-id", "webhook-id"] });

/** Preset id → what its scheme signs (the generic presets depend on their `scheme`: see {@link replayFacts}). */
export const REPLAY_FACTS: Readonly<Record<string, ReplayFacts>> = {
  stripe: BODY_ID_TS,
  slack: BODY_ID_TS,
  paddle: BODY_ID_TS,
  mux: BODY_ID_TS,
  calendly: fact(true, true, true, { note: "id is the body hash" }),
  zoom: BODY_ID_TS,
  twitch: fact(true, true, true, { signedIdHeaders: ["twitch-eventsub-message-id"] }),
  zendesk: fact(false, true, true, { note: "body id is signed; the invocation-id header used without one is not" }),
  square: BODY_ID,
  linear: fact(false, true, true, { note: "Linear-Delivery is not signed; the body's webhookTimestamp is" }),
  github: fact(false, false, true, { note: "X-GitHub-Delivery is not signed" }),
  bitbucket: fact(false, false, true, { note: "X-Request-UUID is not signed" }),
  shopify: fact(false, false, true, { note: "X-Shopify-Webhook-Id and X-Shopify-Triggered-At are not signed" }),
  intercom: BODY_ID,
  typeform: BODY_ID,
  vercel: BODY_ID,
  sentry: fact(false, false, true, { note: "Request-ID and Sentry-Hook-Timestamp are not signed" }),
  pagerduty: BODY_ID,
  jira: fact(false, false, true, { note: "X-Atlassian-Webhook-Identifier is not signed" }),
  segment: BODY_ID,
  "lemon-squeezy": fact(true, false, true, { note: "id is the body hash" }),
  "coinbase-commerce": BODY_ID,
  razorpay: fact(false, false, true, { note: "X-Razorpay-Event-Id is not signed" }),
  airtable: BODY_ID,
  meta: BODY_ID,
  dropbox: fact(true, false, true, { note: "id is the body hash" }),
  asana: fact(true, false, true, { note: "id is the body hash" }),
  notion: BODY_ID,
  woocommerce: fact(false, false, true, { note: "the id includes the unsigned X-WC-Webhook-Topic header" }),
  "standard-webhooks": fact(true, true, true, { signedIdHeaders: ["webhook-id"] }),
  svix: SVIX,
  clerk: SVIX,
  resend: SVIX,
  brex: SVIX,
  discord: BODY_ID_TS,
  sendgrid: fact(true, true, true, { note: "id is the body hash" }),
  gitlab: TOKEN,
  telegram: TOKEN,
  cloudflare: TOKEN,
  postmark: TOKEN,
  okta: TOKEN,
  figma: TOKEN,
  "microsoft-graph": TOKEN,
  "generic-token": TOKEN,
  hubspot: BODY_ID_TS,
  mailgun: fact(false, true, false, { note: "only timestamp + token are signed, not the body" }),
  adyen: fact(true, false, false, { note: "per-item HMAC covers the id fields, not the whole body" }),
  netlify: BODY_ID,
  paypal: fact(false, true, false, { note: "the body is covered by CRC32 only; the transmission time is signed" }),
  plaid: fact(true, true, true, { note: "id is the body hash" }),
  twilio: fact(false, false, true, { note: "I-Twilio-Idempotency-Token is not signed" }),
};

/** What a generic scheme signs: the id header only with `{id}` in the template, a timestamp only with `{timestamp}`. */
function genericFacts(source: SourceConfig): ReplayFacts {
  const s = source.scheme;
  const idHeader = s?.idHeader && s.template.includes("{id}") ? [s.idHeader.toLowerCase()] : [];
  return {
    idSigned: s?.idHeader === undefined || idHeader.length > 0,
    timestampSigned: s?.timestampHeader !== undefined && s.template.includes("{timestamp}"),
    bodySigned: true,
    signedIdHeaders: idHeader,
  };
}

/**
 * What a source's scheme signs, with its `eventId` override applied (a header is signed only if the
 * scheme signs that header; a body path only if the scheme signs the whole body).
 * @example replayFacts({ provider: "github", … }) // { idSigned: false, timestampSigned: false, … }
 */
export function replayFacts(source: SourceConfig): ReplayFacts {
  const base = source.provider === "generic-hmac" || source.provider === "generic-ed25519" ? genericFacts(source) : REPLAY_FACTS[source.provider] ?? TOKEN;
  const override = source.eventId;
  if (!override) return base;
  const idSigned = "path" in override ? base.bodySigned : (base.signedIdHeaders ?? []).includes(override.header.toLowerCase());
  return { ...base, idSigned };
}

/**
 * The config-load warning for a source a captured request can be replayed against (neither its id
 * nor a timestamp signed, and dedupe by id), else `undefined`.
 */
export function replayWarning(name: string, source: SourceConfig): string | undefined {
  if (source.dedupe === "content") return undefined;
  const facts = replayFacts(source);
  if (facts.idSigned || facts.timestampSigned) return undefined;
  const why = facts.note ? ` (${facts.note})` : "";
  return `EDGEHOOK.sources.${name}: neither the event id nor a timestamp is signed${why}, so a captured request re-sent with a new id is accepted and delivered again; set dedupe = "content" to make a re-sent body a duplicate whatever id it carries`;
}
