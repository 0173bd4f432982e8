/**
 * Providers that send a shared secret verbatim instead of a MAC: compared in constant time
 * (src/verify/token.ts). They protect against forgery only as long as TLS does; prefer a MAC if the
 * provider offers one.
 */
import { getPath, getString, tryParseJson } from "../shared/json";
import { verifyToken, type InboundRequest, type TokenScheme, type Verifier } from "../verify";
import { body, first, header, identity, joined, json, text } from "./define";
import type { Preset } from "./types";

const tokenVerifier = (scheme: TokenScheme): Verifier => (request, options) => verifyToken(scheme, request, options);
const fromHeader = (name: string) => (request: InboundRequest) => request.headers.get(name);

/** GitLab: `X-Gitlab-Token` carries the configured secret token. */
const gitlab: Preset = {
  id: "gitlab",
  verifier: () => tokenVerifier({ extract: fromHeader("x-gitlab-token") }),
  identify: identity({
    id: first(header("idempotency-key"), header("x-gitlab-event-uuid"), header("x-gitlab-webhook-uuid")),
    type: first(body("object_kind"), header("x-gitlab-event")),
    key: joined("!", body("project.path_with_namespace"), first(body("object_attributes.iid"), body("ref"))),
  }),
  forwardHeaders: ["x-gitlab-event", "x-gitlab-instance", "x-gitlab-event-uuid", "idempotency-key"],
};

/** Telegram Bot API: `X-Telegram-Bot-Api-Secret-Token` equals setWebhook's secret_token. */
const telegram: Preset = {
  id: "telegram",
  verifier: () => tokenVerifier({ extract: fromHeader("x-telegram-bot-api-secret-token") }),
  identify: identity({
    id: body("update_id"),
    type: (i) => Object.keys((i.json as Record<string, unknown>) ?? {}).find((k) => k !== "update_id"),
    key: first(body("message.chat.id"), body("callback_query.message.chat.id")),
  }),
  forwardHeaders: [],
};

/** Cloudflare Notifications webhook destinations: `cf-webhook-auth` carries the destination secret. */
const cloudflare: Preset = {
  id: "cloudflare",
  verifier: () => tokenVerifier({ extract: fromHeader("cf-webhook-auth") }),
  identify: identity({ type: first(body("alert_type"), body("name")), at: body("ts") }),
  forwardHeaders: [],
};

/** Postmark: Basic auth credentials in the webhook URL; the secret holds `user:password`. */
const postmark: Preset = {
  id: "postmark",
  verifier: () =>
    tokenVerifier({
      extract: fromHeader("authorization"),
      expected: (secret) => `Basic ${btoa(secret)}`,
      hint: "the Basic credentials do not match: the secret must hold user:password as put in the webhook URL",
    }),
  identify: identity({ id: joined(":", body("RecordType"), body("MessageID"), first(body("ReceivedAt"), body("DeliveredAt"), body("BouncedAt"))), type: body("RecordType"), key: body("MessageID") }),
  forwardHeaders: [],
};

/**
 * Okta Event Hooks: the configured secret in `Authorization` (or `tokenHeader`). The one-time GET with
 * `X-Okta-Verification-Challenge` is answered only when it carries the same secret.
 */
const okta: Preset = {
  id: "okta",
  verifier: (source) => tokenVerifier({ extract: fromHeader((source.tokenHeader ?? "authorization").toLowerCase()) }),
  identify: identity({ id: body("data.events.0.uuid"), type: first(body("data.events.0.eventType"), body("eventType")), at: body("eventTime") }),
  forwardHeaders: [],
  handshake: async (input) => {
    const challenge = input.request.headers.get("x-okta-verification-challenge");
    if (input.request.method !== "GET" || challenge === null) return null;
    if (!(await input.verify()).ok) return null;
    return json({ verification: challenge });
  },
};

/** Figma Webhooks V2: the `passcode` chosen at creation comes back in every body (developers.figma.com webhooks-security). */
const figma: Preset = {
  id: "figma",
  verifier: () =>
    tokenVerifier({
      extract: (request) => {
        const passcode = getPath(tryParseJson(request.body), "passcode");
        return typeof passcode === "string" ? passcode : null;
      },
    }),
  identify: identity({ id: joined(":", body("webhook_id"), body("event_type"), body("timestamp")), type: body("event_type"), at: body("timestamp"), key: first(body("file_key"), body("webhook_id")) }),
  forwardHeaders: [],
  handshake: async (input) => {
    if (getString(input.json, "event_type") !== "PING") return null;
    return (await input.verify()).ok ? new Response(null, { status: 200 }) : null;
  },
};

/**
 * Microsoft Graph change notifications: every `value[].clientState` must equal the subscription's
 * clientState; `?validationToken=` (subscription create/renew) is echoed as text/plain.
 */
const microsoftGraph: Preset = {
  id: "microsoft-graph",
  verifier: () =>
    tokenVerifier({
      extract: (request) => {
        const items = getPath(tryParseJson(request.body), "value");
        if (!Array.isArray(items) || items.length === 0) return null;
        const states = items.map((item) => (typeof item?.clientState === "string" ? item.clientState : null));
        return states.every((s): s is string => s !== null) ? states : null;
      },
      hint: "a notification's clientState does not match the configured secret",
    }),
  identify: identity({
    type: first(body("value.0.lifecycleEvent"), body("value.0.changeType")),
    key: first(body("value.0.resourceData.id"), body("value.0.resource")),
  }),
  forwardHeaders: [],
  handshake: async (input) => {
    const token = new URL(input.request.url).searchParams.get("validationToken");
    if (token === null) return null;
    // Graph cannot authenticate this request; echoing its own token back reveals nothing.
    if (token.length === 0 || token.length > 4096) return null;
    return text(token);
  },
};

/** Static-header secret for senders with no signature (Zapier/Pipedream custom headers). */
const genericToken: Preset = {
  id: "generic-token",
  verifier: (source) => tokenVerifier({ extract: fromHeader((source.tokenHeader ?? "authorization").toLowerCase()) }),
  identify: () => ({}),
  forwardHeaders: [],
};

/** Shared-secret presets. */
export const TOKEN_PRESETS: readonly Preset[] = [gitlab, telegram, cloudflare, postmark, okta, figma, microsoftGraph, genericToken];
