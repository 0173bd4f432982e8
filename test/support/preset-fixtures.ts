/**
 * One workerd test source per preset (`p-<preset>`), with test-only keys. Asymmetric presets are
 * configured with the public key; `PRESET_SIGNING` holds what the test signer signs with.
 */

const ED_SEED = "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51";
const ED_PUBLIC = "56daf4c8a26329200b9f53e1359401e7626c45a5c0c249e76577aa814ff772cb";
const WHSK = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
const WHPK = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
const P256_PKCS8 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgexOMMJ7zHgUCVQOI2XJWlEbJoJBC2Ry+OAcpEeAMd3KhRANCAASvXT3fIGsNyukyE1WpoTlwd7Em8BWgGH3XHIMtLzvXjGa1Pxc2tDMUJYmkM+ZnXVlg+fig4L2mg0mvVUPPtBb0";
const P256_SPKI = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEr1093yBrDcrpMhNVqaE5cHexJvAVoBh91xyDLS8714xmtT8XNrQzFCWJpDPmZ11ZYPn4oOC9poNJr1VDz7QW9A==";

/** Per preset: [signing secret, configured secret (public key), extra source config]. */
const TABLE: Record<string, [string, string, Record<string, unknown>?]> = {
  stripe: ["whsec_p_stripe", "whsec_p_stripe"],
  github: ["p-github-secret", "p-github-secret"],
  bitbucket: ["p-bitbucket-secret", "p-bitbucket-secret"],
  shopify: ["p-shopify-secret", "p-shopify-secret"],
  slack: ["p-slack-signing-secret", "p-slack-signing-secret"],
  "standard-webhooks": [WHSK, WHPK],
  svix: ["whsec_cC1zdml4LXRlc3Qta2V5LTAwMDAwMDAwMDAwMQ==", "whsec_cC1zdml4LXRlc3Qta2V5LTAwMDAwMDAwMDAwMQ=="],
  clerk: ["whsec_cC1jbGVyay10ZXN0LWtleS0wMDAwMDAwMDAwMDE=", "whsec_cC1jbGVyay10ZXN0LWtleS0wMDAwMDAwMDAwMDE="],
  resend: ["whsec_cC1yZXNlbmQtdGVzdC1rZXktMDAwMDAwMDAwMDE=", "whsec_cC1yZXNlbmQtdGVzdC1rZXktMDAwMDAwMDAwMDE="],
  brex: ["whsec_cC1icmV4LXRlc3Qta2V5LTAwMDAwMDAwMDAwMQ==", "whsec_cC1icmV4LXRlc3Qta2V5LTAwMDAwMDAwMDAwMQ=="],
  twilio: ["p-twilio-auth-token", "p-twilio-auth-token", { publicUrl: "https://hooks.edgehook.example/webhooks/p-twilio" }],
  discord: [ED_SEED, ED_PUBLIC],
  square: ["p-square-signature-key", "p-square-signature-key"],
  paddle: ["pdl_ntfset_p_secret", "pdl_ntfset_p_secret"],
  linear: ["lin_wh_p_secret", "lin_wh_p_secret"],
  intercom: ["p-intercom-client-secret", "p-intercom-client-secret"],
  sendgrid: [P256_PKCS8, P256_SPKI],
  mailgun: ["p-mailgun-signing-key", "p-mailgun-signing-key"],
  postmark: ["edgehook:p-postmark-pass", "edgehook:p-postmark-pass"],
  zoom: ["p-zoom-secret-token", "p-zoom-secret-token"],
  hubspot: ["p-hubspot-client-secret", "p-hubspot-client-secret"],
  twitch: ["p-twitch-eventsub-secret", "p-twitch-eventsub-secret"],
  typeform: ["p-typeform-secret", "p-typeform-secret"],
  calendly: ["p-calendly-signing-key", "p-calendly-signing-key"],
  vercel: ["p-vercel-secret", "p-vercel-secret"],
  sentry: ["p-sentry-client-secret", "p-sentry-client-secret"],
  pagerduty: ["p-pagerduty-secret", "p-pagerduty-secret"],
  jira: ["p-jira-secret", "p-jira-secret"],
  notion: ["p-notion-verification-token", "p-notion-verification-token"],
  segment: ["p-segment-shared-secret", "p-segment-shared-secret"],
  okta: ["p-okta-authorization-secret", "p-okta-authorization-secret"],
  zendesk: ["dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="],
  woocommerce: ["p-woo&amp;secret", "p-woo&amp;secret"],
  mux: ["p-mux-signing-secret", "p-mux-signing-secret"],
  "lemon-squeezy": ["p-lemon-secret", "p-lemon-secret"],
  "coinbase-commerce": ["p-coinbase-shared-secret", "p-coinbase-shared-secret"],
  razorpay: ["p-razorpay-secret", "p-razorpay-secret"],
  adyen: ["44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056", "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"],
  airtable: ["cC1haXJ0YWJsZS1tYWMtc2VjcmV0", "cC1haXJ0YWJsZS1tYWMtc2VjcmV0"],
  figma: ["p-figma-passcode", "p-figma-passcode"],
  dropbox: ["p-dropbox-app-secret", "p-dropbox-app-secret"],
  asana: ["p-asana-hook-secret", "p-asana-hook-secret"],
  "microsoft-graph": ["p-graph-client-state", "p-graph-client-state"],
  meta: ["p-meta-app-secret", "p-meta-app-secret"],
  telegram: ["p-telegram-secret_token", "p-telegram-secret_token"],
  netlify: ["p-netlify-jws-secret", "p-netlify-jws-secret"],
  cloudflare: ["p-cloudflare-webhook-secret", "p-cloudflare-webhook-secret"],
  gitlab: ["p-gitlab-token", "p-gitlab-token"],
  "generic-token": ["p-generic-token", "p-generic-token", { tokenHeader: "x-zapier-secret" }],
  "generic-ed25519": [ED_SEED, ED_PUBLIC, { scheme: { header: "x-ed-signature", encoding: "base64", template: "{id}.{timestamp}.{body}", timestampHeader: "x-ed-timestamp", idHeader: "x-ed-id" } }],
};

/** The Meta verify token (a second secret, used only for the hub.challenge GET). */
export const META_VERIFY_TOKEN = "p-meta-verify-token";

const secretName = (preset: string) => `P_${preset.toUpperCase().replaceAll("-", "_")}_SECRET`;

/** Every preset with a workerd source. */
export const PRESET_IDS = Object.keys(TABLE);

/** The source name of a preset's test source. */
export const presetSource = (preset: string) => `p-${preset}`;

/** What the test signer signs with for a preset (the private key for asymmetric presets). */
export const PRESET_SIGNING: Record<string, string> = Object.fromEntries(Object.entries(TABLE).map(([p, [signing]]) => [p, signing]));

/** Extra source config per preset (publicUrl, tokenHeader, scheme). */
export const PRESET_CONFIG: Record<string, Record<string, unknown>> = Object.fromEntries(Object.entries(TABLE).map(([p, [, , extra]]) => [p, extra ?? {}]));

/** Worker secret bindings for the preset sources. */
export const PRESET_SECRETS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(TABLE).map(([p, [, configured]]) => [secretName(p), configured])),
  P_META_VERIFY_TOKEN: META_VERIFY_TOKEN,
  P_PAYPAL_WEBHOOK_ID: "WH-EDGEHOOK-TEST-0001",
  P_PLAID_CLIENT: "edgehook-client:edgehook-sandbox-secret",
};

/** Where the network presets' test sources fetch keys (answered by a stubbed fetch in the tests). */
export const NETWORK_KEY_URLS = { paypal: "https://keys.edgehook.test/paypal/certs/", plaid: "https://keys.edgehook.test/plaid/webhook_verification_key/get" };

/** The `p-<preset>` sources (no destinations: events are stored, not delivered). */
export function presetSources(): Record<string, Record<string, unknown>> {
  const sources: Record<string, Record<string, unknown>> = {};
  for (const [preset, [, , extra]] of Object.entries(TABLE)) {
    sources[presetSource(preset)] = { provider: preset, secrets: [secretName(preset)], destinations: [], ...extra };
  }
  sources[presetSource("paypal")] = { provider: "paypal", secrets: ["P_PAYPAL_WEBHOOK_ID"], destinations: [], keyUrl: NETWORK_KEY_URLS.paypal };
  sources[presetSource("plaid")] = { provider: "plaid", secrets: ["P_PLAID_CLIENT"], destinations: [], keyUrl: NETWORK_KEY_URLS.plaid };
  sources[presetSource("meta")] = { provider: "meta", secrets: [secretName("meta"), "P_META_VERIFY_TOKEN"], destinations: [], verifyTokenSecret: "P_META_VERIFY_TOKEN" };
  return sources;
}
