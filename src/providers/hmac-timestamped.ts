/**
 * HMAC providers that sign a timestamp (and sometimes an id or the URL) beside the body, and their
 * signed handshakes. A handshake is answered only after the request verifies.
 */
import { getPath, getString } from "../shared/json";
import { toHex, utf8 } from "../shared/bytes";
import { checkTimestamp, hmacKey, keyValueHeader, prefixedHeader, type Verifier } from "../verify";
import { body, first, header, hmacPreset, hmacVerifier, identity, json, joined, text } from "./define";
import type { HandshakeInput, Preset } from "./types";

/** Run the verifier; `null` when it fails (the ingest route then answers the failure itself). */
async function verified(input: HandshakeInput): Promise<number | null> {
  const result = await input.verify();
  return result.ok ? result.secretIndex : null;
}

// stripe-node src/Webhooks.ts parseHeader: keep t and every v1; key is the whole whsec_ string.
const stripe = hmacPreset(
  "stripe",
  { parse: keyValueHeader("stripe-signature", { separator: ",", timestampKey: "t", signatureKey: "v1" }), template: "{timestamp}.{body}", timestamp: "s" },
  { id: body("id"), type: body("type"), at: body("created"), key: body("data.object.id") },
);

// slackapi/bolt-js src/receivers/verify-request.ts: v0=hex over "v0:ts:body".
const slack = hmacPreset(
  "slack",
  { parse: prefixedHeader("x-slack-signature", "v0=", "x-slack-request-timestamp"), template: "v0:{timestamp}:{body}", timestamp: "s" },
  {
    id: first(body("event_id"), body("trigger_id")),
    type: first(body("event.type"), body("type")),
    at: body("event_time"),
    key: first(body("event.channel"), body("channel.id")),
  },
  ["x-slack-retry-num", "x-slack-retry-reason"],
  {
    handshake: async (input) => {
      // bolt answers ssl_check before verifying; it carries no event and nothing is enqueued.
      if (input.request.method === "POST" && new TextDecoder().decode(input.request.body).split("&").includes("ssl_check=1")) {
        return new Response(null, { status: 200 });
      }
      if (getString(input.json, "type") !== "url_verification") return null;
      if ((await verified(input)) === null) return null;
      return json({ challenge: getString(input.json, "challenge") ?? "" });
    },
  },
);

// PaddleHQ/paddle-node-sdk webhooks-validator.ts: ts=…;h1=… over "ts:body" (any h1 may match).
const paddle = hmacPreset(
  "paddle",
  { parse: keyValueHeader("paddle-signature", { separator: ";", timestampKey: "ts", signatureKey: "h1" }), template: "{timestamp}:{body}", timestamp: "s" },
  { id: body("event_id"), type: body("event_type"), at: body("occurred_at"), key: body("data.id") },
);

// muxinc/mux-node-sdk src/resources/webhooks/webhooks.ts.
const mux = hmacPreset(
  "mux",
  { parse: keyValueHeader("mux-signature", { separator: ",", timestampKey: "t", signatureKey: "v1" }), template: "{timestamp}.{body}", timestamp: "s" },
  { id: body("id"), type: body("type"), at: body("created_at"), key: body("object.id") },
);

// developer.calendly.com webhook-signatures: t=…,v1=… over "t.body".
const calendly = hmacPreset(
  "calendly",
  { parse: keyValueHeader("calendly-webhook-signature", { separator: ",", timestampKey: "t", signatureKey: "v1" }), template: "{timestamp}.{body}", timestamp: "s" },
  { type: body("event"), at: body("created_at"), key: first(body("payload.uri"), body("payload.event")) },
);

// zoom/rivet-javascript meetings.mjs: v0=hex over "v0:ts:body"; url_validation answered with HMAC(plainToken).
const zoom = hmacPreset(
  "zoom",
  { parse: prefixedHeader("x-zm-signature", "v0=", "x-zm-request-timestamp"), template: "v0:{timestamp}:{body}", timestamp: "s" },
  { type: body("event"), at: body("event_ts"), key: body("payload.object.id"), id: joined(":", body("event"), body("event_ts"), body("payload.object.uuid")) },
  ["x-zm-trackingid"],
  {
    handshake: async (input) => {
      if (getString(input.json, "event") !== "endpoint.url_validation") return null;
      const plainToken = getString(input.json, "payload.plainToken");
      const index = await verified(input);
      if (index === null || !plainToken) return null;
      const key = await hmacKey(input.secrets[index]!, "utf8", "SHA-256", "sign");
      const encryptedToken = toHex(await crypto.subtle.sign("HMAC", key!, utf8(plainToken)));
      return json({ plainToken, encryptedToken });
    },
  },
);

// dev.twitch.tv handling-webhook-events; twitch-cli forward_event.go: sha256=hex over id+timestamp+body.
const twitch = hmacPreset(
  "twitch",
  {
    parse: prefixedHeader("twitch-eventsub-message-signature", "sha256=", "twitch-eventsub-message-timestamp", "twitch-eventsub-message-id"),
    template: "{id}{timestamp}{body}",
    timestamp: "rfc3339",
  },
  {
    id: header("twitch-eventsub-message-id"),
    type: first(header("twitch-eventsub-subscription-type"), body("subscription.type")),
    at: header("twitch-eventsub-message-timestamp"),
    key: body("subscription.id"),
  },
  ["twitch-eventsub-message-type", "twitch-eventsub-subscription-type", "twitch-eventsub-subscription-version"],
  {
    handshake: async (input) => {
      if (input.request.headers.get("twitch-eventsub-message-type") !== "webhook_callback_verification") return null;
      if ((await verified(input)) === null) return null;
      return text(getString(input.json, "challenge") ?? "");
    },
  },
);

// developer.zendesk.com/documentation/webhooks/verifying: base64 over timestamp+body, ISO-8601 timestamp.
const zendesk = hmacPreset(
  "zendesk",
  {
    parse: prefixedHeader("x-zendesk-webhook-signature", "", "x-zendesk-webhook-signature-timestamp"),
    encoding: "base64",
    template: "{timestamp}{body}",
    timestamp: "rfc3339",
  },
  { id: first(body("id"), header("x-zendesk-webhook-invocation-id")), type: body("type"), at: body("time"), key: body("detail.id") },
  ["x-zendesk-webhook-id", "x-zendesk-webhook-invocation-id"],
);

// square-nodejs-sdk WebhooksHelper.ts: base64 over notificationUrl + body (the URL exactly as subscribed).
const square = hmacPreset(
  "square",
  { parse: prefixedHeader("x-square-hmacsha256-signature"), encoding: "base64", template: "{url}{body}", hint: "no secret matched: check the signature key and that publicUrl is exactly the subscription's notification URL" },
  { id: body("event_id"), type: body("type"), at: body("created_at"), key: body("data.id") },
  ["square-environment"],
  { usesUrl: true },
);

// linear/linear packages/sdk/src/webhooks/client.ts: hex HMAC of the body; the signed body's
// webhookTimestamp (ms) must be within tolerance (SDK: 60 s). Like the current SDK, the unsigned
// Linear-Timestamp header is not trusted: a body without webhookTimestamp is refused. The MAC comes
// first here: the timestamp sits inside the body, and parsing a forged body costs as much as one MAC.
const linearBody = hmacVerifier({ parse: prefixedHeader("linear-signature") });
const linearVerifier: Verifier = async (request, options) => {
  const result = await linearBody(request, options);
  if (!result.ok) return result;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(request.body));
  } catch {
    parsed = undefined;
  }
  const signed = getPath(parsed, "webhookTimestamp");
  if (typeof signed !== "number") return { ok: false, reason: "signature_missing", hint: "the signed body has no numeric webhookTimestamp" };
  return checkTimestamp(String(signed), "ms", options) ?? result;
};
const linear: Preset = {
  id: "linear",
  verifier: () => linearVerifier,
  identify: identity({
    id: header("linear-delivery"),
    type: joined(".", body("type"), body("action")),
    at: body("createdAt"),
    key: body("data.id"),
  }),
  forwardHeaders: ["linear-delivery", "linear-event"],
};

/** HMAC presets with signed timestamps, ids or URLs. */
export const TIMESTAMPED_HMAC_PRESETS: readonly Preset[] = [stripe, slack, paddle, mux, calendly, zoom, twitch, zendesk, square, linear];
