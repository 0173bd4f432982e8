/**
 * Identification per preset: the event id, type, ordering key and occurred-at each preset reads from
 * its provider's documented payload / headers (the samples in test/support/samples.ts).
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";
import { sampleEvent } from "../support/samples";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const identify = (preset: string, body: unknown, headers: Record<string, string> = {}) =>
  PRESETS.get(preset)!.identify({ headers: new Headers(headers), json: body });
const sample = (preset: string, type?: string) => JSON.parse(sampleEvent(preset, type, NOW));

describe("identify", () => {
  it("stripe: body id, type, created, data.object.id as ordering key", () => {
    const e = sample("stripe", "invoice.paid");
    expect(identify("stripe", e)).toEqual({ eventId: e.id, eventType: "invoice.paid", occurredAt: Math.floor(NOW / 1000) * 1000, orderingKey: e.data.object.id });
  });
  it("github: delivery id, event.action, repository#number", () => {
    const e = sample("github", "closed");
    expect(identify("github", e, { "x-github-delivery": "d-1", "x-github-event": "issues" })).toEqual({ eventId: "d-1", eventType: "issues.closed", orderingKey: "octo-org/octo-repo#42" });
  });
  it("shopify: webhook id, topic, shop + resource id", () => {
    const e = sample("shopify");
    const headers = { "x-shopify-webhook-id": "w-1", "x-shopify-topic": "orders/create", "x-shopify-shop-domain": "s.myshopify.com", "x-shopify-triggered-at": new Date(NOW).toISOString() };
    expect(identify("shopify", e, headers)).toEqual({ eventId: "w-1", eventType: "orders/create", occurredAt: NOW, orderingKey: `s.myshopify.com:${e.admin_graphql_api_id}` });
  });
  it("standard-webhooks / svix: the id header; svix-* wins over webhook-*", () => {
    const e = sample("svix", "user.created");
    expect(identify("svix", e, { "svix-id": "msg_1", "webhook-id": "msg_2" }).eventId).toBe("msg_1");
    expect(identify("standard-webhooks", { type: "a.b" }, { "webhook-id": "msg_3" })).toMatchObject({ eventId: "msg_3", eventType: "a.b" });
  });
  it("paddle, square, pagerduty, coinbase: body event ids and resource keys", () => {
    const p = sample("paddle");
    expect(identify("paddle", p)).toMatchObject({ eventId: p.event_id, eventType: p.event_type, orderingKey: p.data.id, occurredAt: NOW });
    const s = sample("square");
    expect(identify("square", s)).toMatchObject({ eventId: s.event_id, eventType: s.type, orderingKey: s.data.id });
    const pd = sample("pagerduty");
    expect(identify("pagerduty", pd)).toMatchObject({ eventId: pd.event.id, eventType: pd.event.event_type, orderingKey: pd.event.data.id });
    const cb = sample("coinbase-commerce");
    expect(identify("coinbase-commerce", cb)).toMatchObject({ eventId: cb.event.id, eventType: cb.event.type });
  });
  it("adyen: pspReference:eventCode:success of the first item", () => {
    const e = sample("adyen", "CAPTURE");
    const item = e.notificationItems[0].NotificationRequestItem;
    expect(identify("adyen", e)).toMatchObject({ eventId: `${item.pspReference}:CAPTURE:true`, eventType: "CAPTURE" });
  });
  it("twitch and linear: message / delivery id headers", () => {
    expect(identify("twitch", sample("twitch"), { "twitch-eventsub-message-id": "m-1", "twitch-eventsub-subscription-type": "channel.follow" })).toMatchObject({ eventId: "m-1", eventType: "channel.follow" });
    expect(identify("linear", sample("linear", "update"), { "linear-delivery": "l-1" })).toMatchObject({ eventId: "l-1", eventType: "Issue.update" });
  });
  it("presets with no provider event id leave the id to the body-hash fallback", () => {
    for (const preset of ["lemon-squeezy", "calendly", "dropbox", "plaid"]) expect(identify(preset, sample(preset)).eventId, preset).toBeUndefined();
  });
  it("every preset names an event type for its sample", () => {
    for (const id of PRESETS.keys()) {
      // generic: from config; twilio: form body; typed by a header (checked above / over HTTP): github, bitbucket, shopify, sentry, woocommerce.
      if (id.startsWith("generic-") || ["twilio", "github", "bitbucket", "shopify", "sentry", "woocommerce"].includes(id)) continue;
      expect(identify(id, sample(id)).eventType, id).toBeTruthy();
    }
  });
});
