/**
 * Providers that sign only the raw body with HMAC: one header, one prefix, hex or base64.
 * Sources per row: ../../docs/providers.md (and providers.md §2.x in the design notes).
 */
import { keyValueHeader } from "../verify";
import { body, bodyHmac, first, header, hmacPreset, joined } from "./define";
import type { Preset } from "./types";

/** Body-only HMAC presets. */
export const BODY_HMAC_PRESETS: readonly Preset[] = [
  // GitHub docs "validating-webhook-deliveries"; @octokit/webhooks-methods sign().
  hmacPreset(
    "github",
    bodyHmac("x-hub-signature-256", "sha256="),
    {
      id: header("x-github-delivery"),
      type: (i) => {
        const event = i.headers.get("x-github-event");
        const action = body("action")(i);
        return event && typeof action === "string" ? `${event}.${action}` : event ?? undefined;
      },
      key: (i) => {
        const repo = body("repository.full_name")(i);
        const number = first(body("pull_request.number"), body("issue.number"))(i);
        return typeof repo === "string" && number !== undefined ? `${repo}#${number}` : repo;
      },
    },
    ["x-github-event", "x-github-delivery", "x-github-hook-id", "x-github-hook-installation-target-type", "x-github-hook-installation-target-id"],
  ),
  // Atlassian "enhanced webhook security": the SHA-256 value sits in X-Hub-Signature.
  hmacPreset("bitbucket", bodyHmac("x-hub-signature", "sha256="), {
    id: header("x-request-uuid"),
    type: header("x-event-key"),
    key: body("repository.full_name"),
  }, ["x-event-key", "x-request-uuid", "x-hook-uuid", "x-attempt-number"]),
  // shopify.dev verify-deliveries; shopify-app-js hmac-validator.ts (new "events" deliveries drop the X- prefix).
  hmacPreset(
    "shopify",
    {
      ...bodyHmac("x-shopify-hmac-sha256", "", { encoding: "base64" }),
      parse: (request) => {
        const value = request.headers.get("x-shopify-hmac-sha256") ?? request.headers.get("shopify-hmac-sha256");
        return value === null ? null : { candidates: [value.trim()] };
      },
    },
    {
      id: first(header("x-shopify-webhook-id"), header("shopify-webhook-id")),
      type: first(header("x-shopify-topic"), header("shopify-topic")),
      at: first(header("x-shopify-triggered-at"), header("shopify-triggered-at")),
      key: joined(":", first(header("x-shopify-shop-domain"), header("shopify-shop-domain")), first(body("admin_graphql_api_id"), body("id"))),
    },
    ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id", "x-shopify-event-id", "x-shopify-triggered-at"],
  ),
  // Intercom: X-Hub-Signature sha1= (hookdeck, Intercom community) — experimental.
  hmacPreset("intercom", bodyHmac("x-hub-signature", "sha1=", { algorithm: "SHA-1" }), {
    id: body("id"),
    type: body("topic"),
    at: body("created_at"),
    key: body("data.item.id"),
  }),
  // Typeform: sha256=<base64> (hookdeck, trigger.dev; Typeform developer docs "secure your webhooks").
  hmacPreset("typeform", bodyHmac("typeform-signature", "sha256=", { encoding: "base64" }), {
    id: body("event_id"),
    type: body("event_type"),
    at: body("form_response.submitted_at"),
    key: body("form_response.form_id"),
  }),
  // Vercel: x-vercel-signature = hex HMAC-SHA1 (vercel.com/docs/webhooks "securing webhooks").
  hmacPreset("vercel", bodyHmac("x-vercel-signature", "", { algorithm: "SHA-1" }), {
    id: body("id"),
    type: body("type"),
    at: body("createdAt"),
    key: first(body("payload.deployment.id"), body("payload.project.id")),
  }),
  // docs.sentry.io integration-platform webhooks.
  hmacPreset("sentry", bodyHmac("sentry-hook-signature"), {
    id: header("request-id"),
    type: joined(".", header("sentry-hook-resource"), body("action")),
    at: header("sentry-hook-timestamp"),
    key: body("data.issue.id"),
  }, ["sentry-hook-resource", "sentry-hook-timestamp", "request-id"]),
  // PagerDuty developer-docs 04-Signatures.md: one v1 per active secret, comma-separated.
  hmacPreset(
    "pagerduty",
    { parse: keyValueHeader("x-pagerduty-signature", { separator: ",", timestampKey: "\u0000", signatureKey: "v1" }) },
    { id: body("event.id"), type: body("event.event_type"), at: body("event.occurred_at"), key: body("event.data.id") },
  ),
  // Jira admin webhooks with a secret: WebSub-style X-Hub-Signature sha256=.
  hmacPreset("jira", bodyHmac("x-hub-signature", "sha256="), {
    id: header("x-atlassian-webhook-identifier"),
    type: body("webhookEvent"),
    at: body("timestamp"),
    key: first(body("issue.key"), body("issue.id")),
  }, ["x-atlassian-webhook-identifier"]),
  // Segment actions-webhook: X-Signature = hex HMAC-SHA1, sent only when a shared secret is set.
  hmacPreset("segment", bodyHmac("x-signature", "", { algorithm: "SHA-1" }), {
    id: body("messageId"),
    type: first(body("event"), body("type")),
    at: body("timestamp"),
    key: first(body("userId"), body("anonymousId")),
  }),
  // docs.lemonsqueezy.com/help/webhooks/signing-requests.
  hmacPreset("lemon-squeezy", bodyHmac("x-signature"), {
    type: first(header("x-event-name"), body("meta.event_name")),
    key: body("data.id"),
    at: body("data.attributes.updated_at"),
  }, ["x-event-name"]),
  // coinbase-commerce-node lib/Webhook.js; the top-level id is the delivery, event.id the event.
  hmacPreset("coinbase-commerce", bodyHmac("x-cc-webhook-signature"), {
    id: body("event.id"),
    type: body("event.type"),
    at: body("event.created_at"),
    key: body("event.data.code"),
  }),
  // razorpay-node validateWebhookSignature.
  hmacPreset("razorpay", bodyHmac("x-razorpay-signature"), {
    id: header("x-razorpay-event-id"),
    type: body("event"),
    at: body("created_at"),
    key: first(body("payload.payment.entity.order_id"), body("payload.payment.entity.id"), body("payload.order.entity.id")),
  }, ["x-razorpay-event-id"]),
  // Airtable: hmac-sha256=<hex>, key = base64-decoded macSecretBase64.
  hmacPreset("airtable", bodyHmac("x-airtable-content-mac", "hmac-sha256=", { key: "base64" }), {
    id: joined(":", body("webhook.id"), body("timestamp")),
    type: () => "airtable.notification",
    at: body("timestamp"),
    key: body("webhook.id"),
  }),
  // Meta (X-Hub-Signature-256) is in meta.ts (it has a GET handshake); Dropbox and Asana in handshakes.ts.
];
