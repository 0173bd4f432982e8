/**
 * Provider handshakes over HTTP: answered only when authentic where the provider makes that possible,
 * and never stored or enqueued.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { META_VERIFY_TOKEN, PRESET_SIGNING, presetSource } from "../support/preset-fixtures";
import { hex, hmac, signRequest } from "../support/signer";
import { inspect, post } from "./helpers";

/** The id a request would be stored under when the preset finds none: sha256 of the body. */
async function hashId(body: Uint8Array): Promise<string> {
  return `sha256:${hex(await crypto.subtle.digest("SHA-256", body))}`;
}

const url = (preset: string, query = "") => `https://edgehook.test/webhooks/${presetSource(preset)}${query}`;
const sign = (preset: string, body: unknown, extra: Record<string, unknown> = {}) =>
  signRequest({ preset, secret: PRESET_SIGNING[preset]!, body: JSON.stringify(body), url: url(preset), ...extra });
const flip = (value: string) => value.slice(0, -2) + (value.at(-2) === "a" ? "b" : "a") + value.slice(-1);

describe("slack", () => {
  const challenge = { token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" };
  it("answers a signed url_verification with the challenge, and stores nothing", async () => {
    const signed = await sign("slack", challenge);
    const res = await post(presetSource("slack"), signed);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: challenge.challenge });
    expect(await inspect(presetSource("slack"), await hashId(signed.body))).toBeNull();
  });
  it("refuses an unsigned one", async () => {
    const signed = await sign("slack", challenge);
    const res = await post(presetSource("slack"), { ...signed, headers: { ...signed.headers, "x-slack-signature": flip(signed.headers["x-slack-signature"]!) } });
    expect(res.status).toBe(401);
  });
  it("answers ssl_check with an empty 200", async () => {
    const res = await post(presetSource("slack"), { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new TextEncoder().encode("ssl_check=1&token=x") });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("meta", () => {
  const get = (token: string) => exports.default.fetch(url("meta", `?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`));
  it("echoes hub.challenge when hub.verify_token matches", async () => {
    const res = await get(META_VERIFY_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("1158201444");
  });
  it("refuses a wrong verify token, and the app secret is not accepted as one", async () => {
    expect((await get("wrong")).status).toBe(403);
    expect((await get(PRESET_SIGNING.meta!)).status).toBe(403);
  });
  it("never uses the verify token as an HMAC key", async () => {
    const signed = await signRequest({ preset: "meta", secret: META_VERIFY_TOKEN, body: JSON.stringify({ object: "page", entry: [] }) });
    expect((await post(presetSource("meta"), signed)).status).toBe(401);
  });
});

describe("zoom", () => {
  const body = { event: "endpoint.url_validation", payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: Date.now() };
  it("answers a signed endpoint.url_validation with encryptedToken, and stores nothing", async () => {
    const signed = await sign("zoom", body);
    const res = await post(presetSource("zoom"), signed);
    expect(res.status).toBe(200);
    expect(await inspect(presetSource("zoom"), await hashId(signed.body))).toBeNull();
    const expected = hex(await hmac("sha256", new TextEncoder().encode(PRESET_SIGNING.zoom!), new TextEncoder().encode("qgg8vlvZRS6UYooatFL8Aw")));
    expect(await res.json()).toEqual({ plainToken: "qgg8vlvZRS6UYooatFL8Aw", encryptedToken: expected });
  });
  it("refuses one with a bad signature", async () => {
    const signed = await sign("zoom", body);
    const res = await post(presetSource("zoom"), { ...signed, headers: { ...signed.headers, "x-zm-signature": flip(signed.headers["x-zm-signature"]!) } });
    expect(res.status).toBe(401);
  });
});

describe("twitch", () => {
  const body = { challenge: "pogchamp-kappa-360noscope-vohiyo", subscription: { id: "f1c2a387", type: "channel.follow", version: "2" } };
  it("answers a signed webhook_callback_verification with the raw challenge, and stores nothing", async () => {
    const signed = await sign("twitch", body, { event: "webhook_callback_verification" });
    const res = await post(presetSource("twitch"), signed);
    expect(await inspect(presetSource("twitch"), signed.headers["twitch-eventsub-message-id"]!)).toBeNull();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toBe(body.challenge);
  });
  it("refuses one with a bad signature", async () => {
    const signed = await sign("twitch", body, { event: "webhook_callback_verification" });
    const key = "twitch-eventsub-message-signature";
    expect((await post(presetSource("twitch"), { ...signed, headers: { ...signed.headers, [key]: flip(signed.headers[key]!) } })).status).toBe(401);
  });
});

describe("discord", () => {
  it("answers a signed interactions PING with {type:1} and a webhook-events PING with 204", async () => {
    const ping = await post(presetSource("discord"), await sign("discord", { id: "1", application_id: "2", type: 1, token: "t", version: 1 }));
    expect(ping.status).toBe(200);
    expect(await inspect(presetSource("discord"), "1")).toBeNull();
    expect(await ping.json()).toEqual({ type: 1 });
    const eventsPing = await post(presetSource("discord"), await sign("discord", { version: 1, application_id: "2", type: 0 }));
    expect(eventsPing.status).toBe(204);
  });
  it("refuses a PING with a bad signature (Discord probes this)", async () => {
    const signed = await sign("discord", { id: "1", application_id: "2", type: 1, token: "t", version: 1 });
    const res = await post(presetSource("discord"), { ...signed, headers: { ...signed.headers, "x-signature-ed25519": flip(signed.headers["x-signature-ed25519"]!) } });
    expect(res.status).toBe(401);
  });
});

describe("echo-only handshakes (the provider cannot authenticate them)", () => {
  it("asana: echoes X-Hook-Secret", async () => {
    const res = await exports.default.fetch(url("asana"), { method: "POST", headers: { "x-hook-secret": "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("x-hook-secret")).toBe("b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81");
  });
  it("microsoft-graph: echoes validationToken as text/plain", async () => {
    const res = await exports.default.fetch(url("microsoft-graph", "?validationToken=Validation%3A%20Testing%20client%20application%20reachability"), { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toBe("Validation: Testing client application reachability");
  });
  it("dropbox: echoes ?challenge with nosniff", async () => {
    const res = await exports.default.fetch(url("dropbox", "?challenge=a1b2c3d4"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe("a1b2c3d4");
  });
  it("woocommerce: 200 to the unsigned webhook_id ping, 401 to any other unsigned POST", async () => {
    const ping = await exports.default.fetch(url("woocommerce"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "webhook_id=17" });
    expect(ping.status).toBe(200);
    const other = await exports.default.fetch(url("woocommerce"), { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":1}' });
    expect(other.status).toBe(401);
  });
  it("notion: acknowledges the unsigned verification_token POST without storing it", async () => {
    const res = await exports.default.fetch(url("notion"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ verification_token: "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl" }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("token-checked handshakes", () => {
  it("okta: answers the verification GET only with the configured secret", async () => {
    const ok = await exports.default.fetch(url("okta"), { headers: { "x-okta-verification-challenge": "chal-123", authorization: PRESET_SIGNING.okta! } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ verification: "chal-123" });
    const bad = await exports.default.fetch(url("okta"), { headers: { "x-okta-verification-challenge": "chal-123", authorization: "nope" } });
    expect(bad.status).not.toBe(200);
  });
  it("figma: a PING with the passcode is acknowledged, not stored; a wrong passcode is refused", async () => {
    const ping = await post(presetSource("figma"), await sign("figma", { event_type: "PING", passcode: "", timestamp: new Date().toISOString(), webhook_id: "22" }));
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe("");
    const wrong = await post(presetSource("figma"), await signRequest({ preset: "figma", secret: "nope", body: JSON.stringify({ event_type: "PING", passcode: "", webhook_id: "22" }) }));
    expect(wrong.status).toBe(401);
  });
  it("a GET to a preset without a handshake is 405", async () => {
    expect((await exports.default.fetch(url("stripe"))).status).toBe(405);
  });
});
