/**
 * One case per preset for the shared contract suite: how to sign, which header carries the signature,
 * what is signed. Keys are test-only values.
 */
import { sourceSchema, type SourceConfig } from "../../src/config/schema";

export interface PresetCase {
  preset: string;
  /** Signing secret (a private key for asymmetric presets). */
  secret: string;
  /** A second, valid secret for rotation. */
  rotated: string;
  /** Where the signature is carried: a header, or a JSON body path (mailgun, adyen, figma, graph). */
  signature: { header: string } | { path: string };
  /** Signed headers other than the signature whose absence is `signature_missing`. */
  required?: string[];
  /** The scheme signs a timestamp (stale/future cases apply). */
  timestamped?: boolean;
  /** The body bytes are covered by the MAC (false: token / in-body-token / mailgun). */
  coversBody?: boolean;
  /** Source config fields beyond provider + secrets. */
  config?: Partial<SourceConfig>;
  url?: string;
  event?: string;
  /** A signed field inside the body (schemes that sign fields, not bytes). */
  signedField?: string;
  /** For signature lists: an entry of an unknown version to add beside a valid one. */
  unknownVersion?: (header: string) => string;
}

export const ED_SEED = "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51";
export const ED_SEED_2 = "0f".repeat(32);
export const WHSK = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
export const P256_PKCS8 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgexOMMJ7zHgUCVQOI2XJWlEbJoJBC2Ry+OAcpEeAMd3KhRANCAASvXT3fIGsNyukyE1WpoTlwd7Em8BWgGH3XHIMtLzvXjGa1Pxc2tDMUJYmkM+ZnXVlg+fig4L2mg0mvVUPPtBb0";

export const P256_PKCS8_2 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7ejnGw4x8UuImnxzSZUT14j2C0+56Y8jelEhyyBnwYWhRANCAARaZ4FcV6i04CxuI+BX3+ludOCoDUSDbyjDR9h80kTQRjgydJk1SLavDNXFAcnp/LLEktVFyGQxdBsQ8JGfv/UI";

const kv = (header: string, secret = "s3cret-one", rotated = "s3cret-two") => ({ secret, rotated, signature: { header } });
const hdr = (preset: string, header: string, extra: Partial<PresetCase> = {}): PresetCase => ({ preset, ...kv(header), ...extra });

/** Every preset with a signer, and how to attack it. */
export const CASES: PresetCase[] = [
  hdr("stripe", "stripe-signature", { secret: "whsec_test_secret", rotated: "whsec_test_rotated", timestamped: true, unknownVersion: (h) => `${h},v0=${"ab".repeat(32)}` }),
  hdr("github", "x-hub-signature-256"),
  hdr("bitbucket", "x-hub-signature"),
  hdr("shopify", "x-shopify-hmac-sha256"),
  hdr("slack", "x-slack-signature", { required: ["x-slack-request-timestamp"], timestamped: true }),
  hdr("standard-webhooks", "webhook-signature", {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    rotated: WHSK,
    required: ["webhook-id", "webhook-timestamp"],
    timestamped: true,
    unknownVersion: (h) => `v2,${btoa("x".repeat(32))} ${h}`,
  }),
  hdr("svix", "svix-signature", { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", rotated: "whsec_dGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDAwMDE=", required: ["svix-id", "svix-timestamp"], timestamped: true, unknownVersion: (h) => `v1b,AAAA ${h}` }),
  hdr("clerk", "svix-signature", { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", rotated: "whsec_dGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDAwMDE=", required: ["svix-id", "svix-timestamp"], timestamped: true }),
  hdr("resend", "svix-signature", { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", rotated: "whsec_dGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDAwMDE=", required: ["svix-id", "svix-timestamp"], timestamped: true }),
  hdr("brex", "svix-signature", { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", rotated: "whsec_dGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDAwMDE=", required: ["svix-id", "svix-timestamp"], timestamped: true }),
  hdr("twilio", "x-twilio-signature", { secret: "12345", rotated: "67890", config: { publicUrl: "https://hooks.example.com/webhooks/twilio" }, url: "https://hooks.example.com/webhooks/twilio" }),
  hdr("discord", "x-signature-ed25519", { secret: ED_SEED, rotated: ED_SEED_2, required: ["x-signature-timestamp"], timestamped: true }),
  hdr("square", "x-square-hmacsha256-signature", { config: { publicUrl: "https://hooks.example.com/webhooks/square" }, url: "https://hooks.example.com/webhooks/square" }),
  hdr("paddle", "paddle-signature", { timestamped: true, unknownVersion: (h) => `${h};h2=RANDOM_HASH` }),
  hdr("linear", "linear-signature", { timestamped: true }),
  hdr("intercom", "x-hub-signature"),
  hdr("sendgrid", "x-twilio-email-event-webhook-signature", { secret: P256_PKCS8, rotated: P256_PKCS8_2, required: ["x-twilio-email-event-webhook-timestamp"], timestamped: true }),
  { preset: "mailgun", secret: "key-mailgun-one", rotated: "key-mailgun-two", signature: { path: "signature.signature" }, timestamped: true, coversBody: false, signedField: "signature.token" },
  hdr("postmark", "authorization", { secret: "user:pass-one", rotated: "user:pass-two", coversBody: false }),
  hdr("zoom", "x-zm-signature", { required: ["x-zm-request-timestamp"], timestamped: true }),
  hdr("hubspot", "x-hubspot-signature-v3", { required: ["x-hubspot-request-timestamp"], timestamped: true, config: { publicUrl: "https://hooks.example.com/webhooks/hubspot" }, url: "https://hooks.example.com/webhooks/hubspot" }),
  hdr("twitch", "twitch-eventsub-message-signature", { required: ["twitch-eventsub-message-timestamp"], timestamped: true }),
  hdr("typeform", "typeform-signature"),
  hdr("calendly", "calendly-webhook-signature", { timestamped: true, unknownVersion: (h) => `${h},v2=00` }),
  hdr("vercel", "x-vercel-signature"),
  hdr("sentry", "sentry-hook-signature"),
  hdr("pagerduty", "x-pagerduty-signature", { unknownVersion: (h) => `v2=${"00".repeat(32)},${h}` }),
  hdr("jira", "x-hub-signature"),
  hdr("notion", "x-notion-signature"),
  hdr("segment", "x-signature"),
  hdr("okta", "authorization", { coversBody: false }),
  hdr("zendesk", "x-zendesk-webhook-signature", { secret: "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", required: ["x-zendesk-webhook-signature-timestamp"], timestamped: true }),
  hdr("woocommerce", "x-wc-webhook-signature", { secret: "wc&amp;secret", rotated: "wc-two" }),
  hdr("mux", "mux-signature", { timestamped: true, unknownVersion: (h) => `${h},v0=${"cd".repeat(32)}` }),
  hdr("lemon-squeezy", "x-signature"),
  hdr("coinbase-commerce", "x-cc-webhook-signature"),
  hdr("razorpay", "x-razorpay-signature"),
  { preset: "adyen", secret: "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00", rotated: "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB", signature: { path: "notificationItems.0.NotificationRequestItem.additionalData.hmacSignature" }, coversBody: false, signedField: "notificationItems.0.NotificationRequestItem.pspReference" },
  hdr("airtable", "x-airtable-content-mac", { secret: btoa("airtable-mac-secret-one"), rotated: btoa("airtable-mac-secret-two") }),
  { preset: "figma", secret: "figma-passcode-1", rotated: "figma-passcode-2", signature: { path: "passcode" }, coversBody: false },
  hdr("dropbox", "x-dropbox-signature"),
  hdr("asana", "x-hook-signature"),
  { preset: "microsoft-graph", secret: "graph-client-state-1", rotated: "graph-client-state-2", signature: { path: "value.0.clientState" }, coversBody: false },
  hdr("meta", "x-hub-signature-256"),
  hdr("telegram", "x-telegram-bot-api-secret-token", { coversBody: false }),
  hdr("netlify", "x-webhook-signature"),
  hdr("cloudflare", "cf-webhook-auth", { coversBody: false }),
  hdr("gitlab", "x-gitlab-token", { coversBody: false }),
  hdr("generic-token", "x-custom-token", { coversBody: false, config: { tokenHeader: "X-Custom-Token" } }),
  hdr("generic-hmac", "x-acme-signature", {
    timestamped: true,
    required: ["x-acme-timestamp"],
    config: { scheme: { header: "x-acme-signature", algorithm: "sha512", encoding: "base64", prefix: "sha512=", template: "{timestamp}.{body}", timestampHeader: "x-acme-timestamp" } },
  }),
  hdr("generic-ed25519", "x-ed-signature", {
    secret: ED_SEED,
    rotated: ED_SEED_2,
    timestamped: true,
    required: ["x-ed-timestamp", "x-ed-id"],
    config: { scheme: { header: "x-ed-signature", algorithm: "sha256", encoding: "base64", prefix: "", template: "{id}.{timestamp}.{body}", timestampHeader: "x-ed-timestamp", idHeader: "x-ed-id" } },
  }),
];

/** A parsed source config for a case with the given secret names. */
export function sourceFor(c: PresetCase, secrets: string[]): SourceConfig {
  return sourceSchema.parse({ provider: c.preset, secrets, ...c.config });
}
