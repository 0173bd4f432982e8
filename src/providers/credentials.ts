/**
 * Request headers that carry a source's credential or signature. They are never forwarded: config load
 * refuses them in `forwardHeaders`, and no preset lists them (issue 12 item 10). Mailgun, Adyen (form
 * items), Figma and Microsoft Graph carry theirs in the body.
 */
import type { SourceConfig } from "../config";

/** Credentials whatever the provider: they authenticate the sender to Edgehook, never to a destination. */
const ALWAYS = ["authorization", "proxy-authorization", "cookie"];

/** Per preset: the headers its verifier reads a signature or token from (src/providers/*.ts). */
const BY_PRESET: Record<string, readonly string[]> = {
  stripe: ["stripe-signature"],
  github: ["x-hub-signature-256", "x-hub-signature"],
  bitbucket: ["x-hub-signature"],
  shopify: ["x-shopify-hmac-sha256", "shopify-hmac-sha256"],
  slack: ["x-slack-signature"],
  "standard-webhooks": ["webhook-signature"],
  svix: ["svix-signature", "webhook-signature"],
  clerk: ["svix-signature", "webhook-signature"],
  resend: ["svix-signature", "webhook-signature"],
  brex: ["svix-signature", "webhook-signature"],
  twilio: ["x-twilio-signature"],
  discord: ["x-signature-ed25519"],
  square: ["x-square-hmacsha256-signature"],
  paddle: ["paddle-signature"],
  linear: ["linear-signature"],
  intercom: ["x-hub-signature"],
  sendgrid: ["x-twilio-email-event-webhook-signature"],
  mailgun: [],
  postmark: [],
  zoom: ["x-zm-signature"],
  hubspot: ["x-hubspot-signature-v3"],
  twitch: ["twitch-eventsub-message-signature"],
  typeform: ["typeform-signature"],
  calendly: ["calendly-webhook-signature"],
  vercel: ["x-vercel-signature"],
  sentry: ["sentry-hook-signature"],
  pagerduty: ["x-pagerduty-signature"],
  jira: ["x-hub-signature"],
  notion: ["x-notion-signature"],
  segment: ["x-signature"],
  okta: [],
  zendesk: ["x-zendesk-webhook-signature"],
  woocommerce: ["x-wc-webhook-signature"],
  mux: ["mux-signature"],
  "lemon-squeezy": ["x-signature"],
  "coinbase-commerce": ["x-cc-webhook-signature"],
  razorpay: ["x-razorpay-signature"],
  adyen: ["hmacsignature"],
  airtable: ["x-airtable-content-mac"],
  figma: [],
  dropbox: ["x-dropbox-signature"],
  asana: ["x-hook-signature", "x-hook-secret"],
  "microsoft-graph": [],
  meta: ["x-hub-signature-256"],
  telegram: ["x-telegram-bot-api-secret-token"],
  netlify: ["x-webhook-signature"],
  cloudflare: ["cf-webhook-auth"],
  gitlab: ["x-gitlab-token"],
  paypal: ["paypal-transmission-sig"],
  plaid: ["plaid-verification"],
  "generic-token": [],
  "generic-hmac": [],
  "generic-ed25519": [],
};

/** Preset ids the table covers (tests check it covers every preset). */
export const CREDENTIAL_PRESETS: readonly string[] = Object.keys(BY_PRESET);

/**
 * The lowercase header names carrying this source's credential or signature: the preset's, the
 * configured `tokenHeader` and `scheme.header`, and always Authorization, Proxy-Authorization, Cookie.
 * @example credentialHeaders({ provider: "stripe", … }) // ["authorization", "proxy-authorization", "cookie", "stripe-signature"]
 */
export function credentialHeaders(source: Pick<SourceConfig, "provider" | "tokenHeader" | "scheme">): string[] {
  const own = Object.hasOwn(BY_PRESET, source.provider) ? BY_PRESET[source.provider]! : [];
  const configured = [source.tokenHeader, source.scheme?.header].filter((h): h is string => h !== undefined);
  return [...new Set([...ALWAYS, ...own, ...configured.map((h) => h.toLowerCase())])];
}
