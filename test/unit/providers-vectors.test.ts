/**
 * Every published vector in providers.md / provider_vectors.mjs, reproduced through the presets
 * (the request a provider would send must verify at the vector's own time).
 */
import { describe, expect, it } from "vitest";
import { sourceSchema } from "../../src/config/schema";
import { PRESETS } from "../../src/providers";
import { hmacAlgorithm, verifyHmac, prefixedHeader, type InboundRequest } from "../../src/verify";
import { signRequest } from "../support/signer";

const enc = new TextEncoder();

async function presetVerify(preset: string, o: { secret: string; headers: Record<string, string>; body: string; now: number; url?: string; config?: Record<string, unknown> }) {
  const source = sourceSchema.parse({ provider: preset, secrets: ["S"], ...o.config });
  const request: InboundRequest = { method: "POST", url: o.url ?? `https://edgehook.test/webhooks/${preset}`, headers: new Headers(o.headers), body: enc.encode(o.body) };
  return PRESETS.get(preset)!.verifier(source)(request, { secrets: [o.secret], toleranceSeconds: 300, now: o.now });
}

const ok = { ok: true, secretIndex: 0 };
const T0 = 1_790_000_000_000; // for schemes with no timestamp

describe("GitHub (docs.github.com validating-webhook-deliveries; octokit/webhooks-methods test/sign.test.ts)", () => {
  it("docs vector", async () => {
    const headers = { "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" };
    expect(await presetVerify("github", { secret: "It's a Secret to Everybody", headers, body: "Hello, World!", now: T0 })).toEqual(ok);
  });
  it("octokit vector", async () => {
    const headers = { "x-hub-signature-256": "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3" };
    expect(await presetVerify("github", { secret: "mysecret", headers, body: '{"foo":"bar"}', now: T0 })).toEqual(ok);
  });
});

describe("Stripe (stripe-node test/crypto/helpers.ts; SDK-generated header)", () => {
  const primitive = (body: string, sig: string) =>
    verifyHmac(
      { algorithm: "SHA-256", key: "utf8", encoding: "hex", parse: prefixedHeader("sig"), template: "{body}" },
      { method: "POST", url: "https://x/", headers: new Headers({ sig }), body: enc.encode(body) },
      { secrets: ["test_secret"], toleranceSeconds: 300, now: T0 },
    );
  it("HMAC primitive vectors (empty, JSON, UTF-8)", async () => {
    expect(await primitive("", "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd")).toEqual(ok);
    expect(await primitive(JSON.stringify({ obj1: "hello", obj2: "world" }), "bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363")).toEqual(ok);
    expect(await primitive("\u{1F600}", "837da296d05c4fe31f61d5d7ead035099d9585a5bcde87de952012a78f0b0c43")).toEqual(ok);
  });
  it("stripe@23.1.0 generateTestHeaderString header", async () => {
    const headers = { "stripe-signature": "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990" };
    expect(await presetVerify("stripe", { secret: "whsec_test_secret", headers, body: '{"id":"evt_test_webhook","object":"event"}', now: 1_700_000_000_000 })).toEqual(ok);
  });
});

describe("Standard Webhooks / Svix (libraries/javascript webhook.test.ts; svix-server worker.rs)", () => {
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const body = '{"test": 2432232314}';
  const now = 1_614_265_330_000;
  it("v1 vector, webhook-* and svix-* headers", async () => {
    const sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    expect(await presetVerify("standard-webhooks", { secret, body, now, headers: { "webhook-id": id, "webhook-timestamp": "1614265330", "webhook-signature": sig } })).toEqual(ok);
    expect(await presetVerify("svix", { secret, body, now, headers: { "svix-id": id, "svix-timestamp": "1614265330", "svix-signature": sig } })).toEqual(ok);
  });
  it("v1a Ed25519 vector verifies with the whpk_ key, and the signer reproduces it byte for byte", async () => {
    const sig = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
    const headers = { "webhook-id": id, "webhook-timestamp": "1614265330", "webhook-signature": sig };
    expect(await presetVerify("standard-webhooks", { secret: "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=", headers, body, now })).toEqual(ok);
    const signed = await signRequest({ preset: "standard-webhooks", secret: "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==", id, body, now });
    expect(signed.headers["webhook-signature"]).toBe(sig);
  });
});

describe("Slack (docs.slack.dev verifying-requests-from-slack)", () => {
  it("docs vector", async () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const headers = { "x-slack-request-timestamp": "1531420618", "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" };
    expect(await presetVerify("slack", { secret: "8f742231b10e8888abcd99yyyzzz85a5", headers, body, now: 1_531_420_618_000 })).toEqual(ok);
  });
});

describe("Twilio (twilio-node spec/validation.spec.js, token 12345)", () => {
  const base = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const tw = (url: string, body: string, sig: string, form = false) =>
    presetVerify("twilio", { secret: "12345", url, body, now: T0, headers: { "x-twilio-signature": sig, "content-type": form ? "application/x-www-form-urlencoded" : "application/json" } });
  it("form parameters", async () => {
    const body = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
    expect(await tw(base, body, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true)).toEqual(ok);
  });
  it("JSON body via bodySHA256 (with and without other query params)", async () => {
    const body = '{"property": "value", "boolean": true}';
    const hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    expect(await tw(`${base}&bodySHA256=${hash}`, body, "a9nBmqA0ju/hNViExpshrM61xv4=")).toEqual(ok);
    expect(await tw(`https://mycompany.com/myapp.php?bodySHA256=${hash}`, body, "y77kIzt2vzLz71DgmJGsen2scGs=")).toEqual(ok);
  });
  it("empty JSON body: only the explicit :443 variant matches", async () => {
    const hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    expect(await tw(`${base}&bodySHA256=${hash}`, "{}", "Ldidvp12m26NI7eqEvxnEpkd9Hc=")).toEqual(ok);
  });
});

describe("Square (square-nodejs-sdk tests/integration/webhooks.test.ts)", () => {
  const sq = (secret: string, url: string, body: string, sig: string) =>
    presetVerify("square", { secret, body, now: T0, url: "https://edgehook.test/webhooks/square", config: { publicUrl: url }, headers: { "x-square-hmacsha256-signature": sig } });
  it("three vectors", async () => {
    expect(
      await sq(
        "Ibxx_5AKakO-3qeNVR61Dw",
        "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9",
        '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}',
        "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=",
      ),
    ).toEqual(ok);
    expect(await sq("signature-key", "https://webhook.site/webhooks", '{"data":{"type":"webhooks","id":"fake_id"}}', "W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA=")).toEqual(ok);
    expect(await sq("signature-key", "https://webhook.site/webhooks", '{"data":{"type":"webhooks","id":">id<"}}', "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=")).toEqual(ok);
  });
});

describe("Paddle (paddle-node-sdk webhooks-validator.node.test.ts)", () => {
  const now = 1_698_796_800_000;
  it("two vectors, and the multi-h1 + unknown h2 header", async () => {
    const a = "a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9";
    expect(await presetVerify("paddle", { secret: "VALID_SECRET", body: '{"data": ["1", "2"]}', now, headers: { "paddle-signature": `ts=1698796800;h1=${a}` } })).toEqual(ok);
    const b = "28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261";
    expect(await presetVerify("paddle", { secret: "VALID_SECRET", body: '{"data": "value"}', now, headers: { "paddle-signature": `ts=1698796800;h1=${b}` } })).toEqual(ok);
    expect(await presetVerify("paddle", { secret: "VALID_SECRET", body: '{"data": "value"}', now, headers: { "paddle-signature": `ts=1698796800;h1=${b};h1=${b};h2=RANDOM_HASH` } })).toEqual(ok);
  });
});

describe("HubSpot v1/v2 (developers.hubspot.com; hubspot-api-nodejs signature.spec.ts)", () => {
  it("legacy v1/v2-only requests are refused by design: the preset verifies v3 (timestamped HMAC) only", async () => {
    const body = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    const headers = { "x-hubspot-signature-version": "v1", "x-hubspot-signature": "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de" };
    const result = await presetVerify("hubspot", { secret: "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", headers, body, now: T0 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe("signature_missing");
  });
});

describe("SendGrid (sendgrid-nodejs eventwebhook.spec.js), ECDSA P-256 DER", () => {
  it("single-event vector", async () => {
    const body =
      JSON.stringify([{ email: "hello@world.com", event: "dropped", reason: "Bounced Address", sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA", sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0", "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>", timestamp: 1600112492 }]) + "\r\n";
    const headers = { "x-twilio-email-event-webhook-timestamp": "1600112502", "x-twilio-email-event-webhook-signature": "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=" };
    const secret = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    expect(await presetVerify("sendgrid", { secret, headers, body, now: 1_600_112_502_000 })).toEqual(ok);
  });
  it("multi-event vector", async () => {
    const body =
      JSON.stringify([
        { email: "invalid@gmail.com", event: "processed", send_at: 0, sg_event_id: "cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA", sg_message_id: "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0", "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>", timestamp: 1619651146 },
        { email: "invalid@gmail.com", event: "bounce", ip: "167.89.101.76", reason: "552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp", sg_event_id: "Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w", sg_message_id: "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0", "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>", status: "5.2.2", timestamp: 1619651147, tls: 1, type: "blocked" },
      ]).split("},{").join("},\r\n{") + "\r\n";
    const headers = { "x-twilio-email-event-webhook-timestamp": "1619651159", "x-twilio-email-event-webhook-signature": "MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5" };
    const secret = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==";
    expect(await presetVerify("sendgrid", { secret, headers, body, now: 1_619_651_159_000 })).toEqual(ok);
  });
});

describe("single-header HMAC vectors", () => {
  it("Shopify (shopify-app-js validate.test.ts)", async () => {
    expect(await presetVerify("shopify", { secret: "test_secret_key", body: '{"foo": "bar"}', now: T0, headers: { "x-shopify-hmac-sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=" } })).toEqual(ok);
  });
  it("Mux (mux-node-sdk webhooks.test.ts @ fb7d2918)", async () => {
    const headers = { "mux-signature": "t=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7" };
    expect(await presetVerify("mux", { secret: "SuperSecret123", body: '{"test":"body"}', now: 1_565_125_718_000, headers })).toEqual(ok);
  });
  it("Razorpay (razorpay-node razorpay-utils.spec.js)", async () => {
    const headers = { "x-razorpay-signature": "2fe04e22977002e6c7cb553adab8b460cb9e2a4970d5953cb27a8472752e3bbc" };
    expect(await presetVerify("razorpay", { secret: "123456", body: '{"a":1,"b":2,"c":{"d":3}}', now: T0, headers })).toEqual(ok);
  });
  it("Coinbase Commerce (coinbase-commerce-node testWebhook.spec.js)", async () => {
    const body =
      '{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","created_at":"2017-01-31T20:49:02Z","data":{"code":"66BEOV2A","name":"The Sovereign Individual","description":"Mastering the Transition to the Information Age","hosted_url":"https://commerce.coinbase.com/charges/66BEOV2A","created_at":"2017-01-31T20:49:02Z","expires_at":"2017-01-31T21:04:02Z","timeline":[{"time":"2017-01-31T20:49:02Z","status":"NEW"}],"metadata":{},"pricing_type":"no_price","payments":[],"addresses":{"bitcoin":"0000000000000000000000000000000000","ethereum":"0x0000000000000000000000000000000000000000","litecoin":"3000000000000000000000000000000000","bitcoincash":"bitcoincash:000000000000000000000000000000000000000000"}}}}';
    const headers = { "x-cc-webhook-signature": "8be7742c7d372f08a6a3224edadf18a22b65fa9e28f3f2de97376cdaa092590d" };
    expect(await presetVerify("coinbase-commerce", { secret: "30291a20-0bd1-4267-9b0f-e6e7b123c0bf", body, now: T0, headers })).toEqual(ok);
  });
  it("Dropbox (third-party hapi-dropbox-webhooks test)", async () => {
    const headers = { "x-dropbox-signature": "0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529" };
    expect(await presetVerify("dropbox", { secret: "the_secret", body: '{"delta": {"users": [12345]}}', now: T0, headers })).toEqual(ok);
  });
});

describe("Adyen (adyen-node-api-library hmacValidator.spec.ts, hex key)", () => {
  const key = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";
  const item = (eventCode: string, hmacSignature: string) => ({
    NotificationRequestItem: { pspReference: "pspReference", originalReference: "originalReference", merchantAccountCode: "merchantAccount", merchantReference: "reference", amount: { value: 1000, currency: "EUR" }, eventCode, success: "true", additionalData: { hmacSignature } },
  });
  it("REPORT_AVAILABLE and EVENT items, alone and batched", async () => {
    const a = item("REPORT_AVAILABLE", "ZNBPtI+oDyyRrLyD1XirkKnQgIAlFc07Vj27TeHsDRE=");
    const b = item("EVENT", "ipnxGCaUZ4l8TUW75a71/ghd2Fe5ffvX0pV4TLTntIc=");
    for (const items of [[a], [b], [a, b]]) {
      expect(await presetVerify("adyen", { secret: key, body: JSON.stringify({ live: "false", notificationItems: items }), now: T0, headers: {} })).toEqual(ok);
    }
  });
  it("HPP key/value vector through the hex-key HMAC primitive", async () => {
    const data = "countryCode:currencyCode:merchantAccount:merchantReference:paymentAmount:sessionValidity:skinCode:NL:EUR:MagentoMerchantTest2:TEST-PAYMENT-2017-02-01-14\\:02\\:05:199:2017-02-02T14\\:02\\:05+01\\:00:PKz2KML1";
    const alg = hmacAlgorithm("SHA-256", "hex");
    const sig = Uint8Array.from(atob("34oR8T1whkQWTv9P+SzKyp8zhusf9n0dpqrm9nsqSJs="), (c) => c.charCodeAt(0));
    expect(await alg.verify((await alg.importKey(key))!, sig, enc.encode(data))).toBe(true);
  });
});

describe("PagerDuty v3 (go-pagerduty webhookv3_test.go)", () => {
  it("vector", async () => {
    const body =
      '{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}';
    const headers = { "x-pagerduty-signature": "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd" };
    expect(await presetVerify("pagerduty", { secret: "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK", body, now: T0, headers })).toEqual(ok);
  });
});

describe("Zoom url_validation (Zoom docs plainToken; third-party Go test)", () => {
  it("the handshake answers encryptedToken = hex HMAC(secret, plainToken)", async () => {
    const body = JSON.stringify({ event: "endpoint.url_validation", payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: T0 });
    const signed = await signRequest({ preset: "zoom", secret: "secretValueTest", body, now: T0 });
    const source = sourceSchema.parse({ provider: "zoom", secrets: ["S"] });
    const preset = PRESETS.get("zoom")!;
    const request: InboundRequest = { method: "POST", url: "https://edgehook.test/webhooks/zoom", headers: new Headers(signed.headers), body: signed.body };
    const verify = () => preset.verifier(source)(request, { secrets: ["secretValueTest"], toleranceSeconds: 300, now: T0 });
    const res = await preset.handshake!({ request, json: JSON.parse(body), source, secrets: ["secretValueTest"], verify });
    expect(await res!.json()).toEqual({ plainToken: "qgg8vlvZRS6UYooatFL8Aw", encryptedToken: "70c1f2e2e6ca2d39297490d1f9142c7d701415ea8e6151f6562a08fa657a40ff" });
  });
});
