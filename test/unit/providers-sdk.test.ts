/**
 * Cross-checks against the official packages. Where a package signs (stripe, @octokit/webhooks-methods,
 * standardwebhooks, svix, twilio, @hubspot/api-client, @adyen/api-library), random payloads it signs
 * must verify; where a package only verifies (square, paddle, mux, linear, discord-interactions, sendgrid, razorpay, and the verify halves of the
 * above), Edgehook's test signer must pass it.
 */
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { hmacValidator } from "@adyen/api-library";
import { Signature } from "@hubspot/api-client";
import { Paddle } from "@paddle/paddle-node-sdk";
import { EventWebhook } from "@sendgrid/eventwebhook";
import Mux from "@mux/mux-node";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { verifyKey as discordVerifyKey } from "discord-interactions";
import { WebhooksHelper as SquareWebhooks } from "square";
import fc from "fast-check";
import razorpay from "razorpay";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { sourceSchema } from "../../src/config/schema";
import { PRESETS } from "../../src/providers";
import type { InboundRequest } from "../../src/verify";
import { publicKeyFor, signRequest } from "../support/signer";
import { sampleEvent } from "../support/samples";
import { P256_PKCS8 } from "./providers-cases";

const enc = new TextEncoder();
const dec = new TextDecoder();
const RUNS = { numRuns: 25 };

/** Printable, non-empty secrets without leading/trailing whitespace. */
const secretArb = fc.string({ minLength: 8, maxLength: 40, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-!.") });
/** JSON payloads with arbitrary Unicode. */
const payloadArb = fc.record({ id: fc.uuid(), text: fc.string({ unit: "grapheme" }), n: fc.integer() }).map((o) => JSON.stringify(o));

async function accepts(preset: string, secret: string, req: { url?: string; headers: Record<string, string>; body: string | Uint8Array }, now: number, config: Record<string, unknown> = {}) {
  const source = sourceSchema.parse({ provider: preset, secrets: ["S"], ...config });
  const request: InboundRequest = { method: "POST", url: req.url ?? `https://edgehook.test/webhooks/${preset}`, headers: new Headers(req.headers), body: typeof req.body === "string" ? enc.encode(req.body) : req.body };
  return PRESETS.get(preset)!.verifier(source)(request, { secrets: [secret], toleranceSeconds: 300, now });
}

describe("stripe (stripe-node)", () => {
  const stripe = new Stripe("sk_test_x");
  it("accepts every header generateTestHeaderString makes", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (s, payload) => {
        const secret = `whsec_${s}`;
        const timestamp = 1_790_000_000;
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
        expect(await accepts("stripe", secret, { headers: { "stripe-signature": header }, body: payload }, timestamp * 1000)).toEqual({ ok: true, secretIndex: 0 });
      }),
      RUNS,
    );
  });
  it("stripe's constructEvent accepts Edgehook's signer", async () => {
    const payload = sampleEvent("stripe");
    const signed = await signRequest({ preset: "stripe", secret: "whsec_sdk_check", body: payload });
    expect(stripe.webhooks.constructEvent(payload, signed.headers["stripe-signature"]!, "whsec_sdk_check").type).toBe("payment_intent.succeeded");
  });
});

describe("github (@octokit/webhooks-methods)", () => {
  it("accepts every signature sign() makes, and verify() accepts ours", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (secret, payload) => {
        const sig = await octokitSign(secret, payload);
        expect(await accepts("github", secret, { headers: { "x-hub-signature-256": sig }, body: payload }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
        const ours = await signRequest({ preset: "github", secret, body: payload });
        expect(await octokitVerify(secret, payload, ours.headers["x-hub-signature-256"]!)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("standard-webhooks (standardwebhooks) and svix (svix)", () => {
  const keyArb = fc.uint8Array({ minLength: 24, maxLength: 64 }).map((b) => `whsec_${btoa(String.fromCharCode(...b))}`);
  it("accepts every signature Webhook.sign() makes, and Webhook.verify() accepts ours", async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, payloadArb, fc.uuid(), async (secret, payload, uuid) => {
        const id = `msg_${uuid}`;
        const at = new Date(1_790_000_000_000);
        const sw = new StandardWebhook(secret).sign(id, at, payload);
        const headers = { "webhook-id": id, "webhook-timestamp": "1790000000", "webhook-signature": sw };
        expect(await accepts("standard-webhooks", secret, { headers, body: payload }, at.getTime())).toEqual({ ok: true, secretIndex: 0 });
        const sv = new SvixWebhook(secret).sign(id, at, payload);
        const svHeaders = { "svix-id": id, "svix-timestamp": "1790000000", "svix-signature": sv };
        expect(await accepts("svix", secret, { headers: svHeaders, body: payload }, at.getTime())).toEqual({ ok: true, secretIndex: 0 });
        const ours = await signRequest({ preset: "standard-webhooks", secret, body: payload });
        expect(() => new StandardWebhook(secret).verify(payload, ours.headers)).not.toThrow();
        const oursSvix = await signRequest({ preset: "svix", secret, body: payload });
        expect(() => new SvixWebhook(secret).verify(payload, oursSvix.headers)).not.toThrow();
      }),
      RUNS,
    );
  });
  it("svix accepts a multi-entry header with a v1a entry, as Edgehook does", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const payload = sampleEvent("svix");
    const signed = await signRequest({ preset: "svix", secret, body: payload });
    const headers = { ...signed.headers, "svix-signature": `v1a,${btoa("x".repeat(64))} ${signed.headers["svix-signature"]}` };
    expect(() => new SvixWebhook(secret).verify(payload, headers)).not.toThrow();
    expect(await accepts("svix", secret, { headers, body: payload }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
  });
});

describe("twilio (twilio-node)", () => {
  const url = "https://hooks.example.com/webhooks/twilio?source=edge";
  it("accepts every form signature getExpectedTwilioSignature makes", async () => {
    const paramsArb = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/), fc.string({ maxLength: 30 }), { minKeys: 1, maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(secretArb, paramsArb, async (token, params) => {
        const sig = twilio.getExpectedTwilioSignature(token, url, params);
        const body = new URLSearchParams(params).toString();
        const headers = { "x-twilio-signature": sig, "content-type": "application/x-www-form-urlencoded" };
        expect(await accepts("twilio", token, { url, headers, body }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
      }),
      RUNS,
    );
  });
  it("validateRequest / validateRequestWithBody accept Edgehook's signer (form and JSON)", async () => {
    const token = "twilio-auth-token";
    const form = await signRequest({ preset: "twilio", secret: token, url, body: sampleEvent("twilio") });
    const params = Object.fromEntries(new URLSearchParams(dec.decode(form.body)));
    expect(twilio.validateRequest(token, form.headers["x-twilio-signature"]!, url, params)).toBe(true);
    const body = JSON.stringify({ event: "message.delivered", sid: "SM123" });
    const json = await signRequest({ preset: "twilio", secret: token, url, body });
    expect(twilio.validateRequestWithBody(token, json.headers["x-twilio-signature"]!, json.url!, body)).toBe(true);
    expect(await accepts("twilio", token, { url: json.url!, headers: json.headers, body }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
  });
});

describe("hubspot v3 (@hubspot/api-client Signature)", () => {
  const url = "https://hooks.example.com/webhooks/hubspot";
  it("accepts every v3 signature getSignature computes, and isValid accepts ours", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (clientSecret, requestBody) => {
        const timestamp = Date.now();
        const sig = Signature.getSignature("POST", "v3", { clientSecret, requestBody, url, timestamp, signature: "" });
        const headers = { "x-hubspot-signature-v3": sig, "x-hubspot-request-timestamp": String(timestamp) };
        expect(await accepts("hubspot", clientSecret, { url, headers, body: requestBody }, timestamp, { publicUrl: url })).toEqual({ ok: true, secretIndex: 0 });
        const ours = await signRequest({ preset: "hubspot", secret: clientSecret, url, body: requestBody, now: timestamp });
        expect(Signature.isValid({ signatureVersion: "v3", clientSecret, requestBody, url, method: "POST", signature: ours.headers["x-hubspot-signature-v3"]!, timestamp })).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("adyen (@adyen/api-library HmacValidator)", () => {
  const validator = new hmacValidator();
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("").toUpperCase());
  it("accepts items calculateHmac signs, and validateHMAC accepts ours", async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 1e7 }), async (key, ref, value) => {
        const item: Record<string, any> = { pspReference: `PSP${value}`, merchantAccountCode: "EdgehookECOM", merchantReference: ref, amount: { value, currency: "EUR" }, eventCode: "AUTHORISATION", success: "true", additionalData: {} };
        item.additionalData.hmacSignature = validator.calculateHmac(item as never, key);
        const body = JSON.stringify({ live: "false", notificationItems: [{ NotificationRequestItem: item }] });
        expect(await accepts("adyen", key, { headers: {}, body }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
        const ours = JSON.parse(dec.decode((await signRequest({ preset: "adyen", secret: key, body: sampleEvent("adyen") })).body));
        expect(validator.validateHMAC(ours.notificationItems[0].NotificationRequestItem, key)).toBe(true);
      }),
      RUNS,
    );
  });
  it("validateHMACSignature (Balance Platform) agrees with the HmacSignature header path", async () => {
    const key = "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB";
    const body = JSON.stringify({ type: "balancePlatform.accountHolder.created", data: { id: "AH123" } });
    const sig = await crypto.subtle.sign("HMAC", await crypto.subtle.importKey("raw", Uint8Array.from(key.match(/../g)!, (h) => parseInt(h, 16)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), enc.encode(body));
    const b64 = btoa(String.fromCharCode(...new Uint8Array(sig)));
    expect(validator.validateHMACSignature(key, b64, body)).toBe(true);
    expect(await accepts("adyen", key, { headers: { hmacsignature: b64 }, body }, Date.now())).toEqual({ ok: true, secretIndex: 0 });
  });
});

describe("verify-only packages accept Edgehook's signer", () => {
  it("paddle isSignatureValid", async () => {
    // Constructing the client registers the Node runtime the validator needs.
    const webhooks = new Paddle("pdl_test_edgehook").webhooks;
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (secret, body) => {
        const signed = await signRequest({ preset: "paddle", secret, body });
        expect(await webhooks.isSignatureValid(body, secret, signed.headers["paddle-signature"]!)).toBe(true);
      }),
      RUNS,
    );
  });
  it("sendgrid EventWebhook.verifySignature (starkbank-ecdsa, DER)", async () => {
    const ew = new EventWebhook();
    const spki = await publicKeyFor("sendgrid", P256_PKCS8);
    const key = ew.convertPublicKeyToECDSA(spki);
    for (let i = 0; i < 10; i++) {
      const body = sampleEvent("sendgrid");
      const signed = await signRequest({ preset: "sendgrid", secret: P256_PKCS8, body });
      expect(ew.verifySignature(key, body, signed.headers["x-twilio-email-event-webhook-signature"]!, signed.headers["x-twilio-email-event-webhook-timestamp"]!)).toBe(true);
    }
  });
  it("razorpay validateWebhookSignature", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (secret, body) => {
        const signed = await signRequest({ preset: "razorpay", secret, body });
        expect(razorpay.validateWebhookSignature(body, signed.headers["x-razorpay-signature"]!, secret)).toBe(true);
      }),
      RUNS,
    );
  });

  it("square WebhooksHelper.verifySignature", async () => {
    const notificationUrl = "https://hooks.example.com/webhooks/square";
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (signatureKey, requestBody) => {
        const signed = await signRequest({ preset: "square", secret: signatureKey, url: notificationUrl, body: requestBody });
        expect(await SquareWebhooks.verifySignature({ requestBody, signatureHeader: signed.headers["x-square-hmacsha256-signature"]!, signatureKey, notificationUrl })).toBe(true);
      }),
      RUNS,
    );
  });
  it("mux webhooks.verifySignature", async () => {
    const mux = new Mux({ tokenId: "x", tokenSecret: "y" });
    await fc.assert(
      fc.asyncProperty(secretArb, payloadArb, async (secret, body) => {
        const signed = await signRequest({ preset: "mux", secret, body });
        await expect(mux.webhooks.verifySignature(body, signed.headers, secret)).resolves.toBeUndefined();
      }),
      RUNS,
    );
  });
  it("linear LinearWebhookClient.verify (signed body webhookTimestamp)", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        const body = sampleEvent("linear");
        const signed = await signRequest({ preset: "linear", secret, body });
        expect(new LinearWebhookClient(secret).verify(Buffer.from(body), signed.headers["linear-signature"]!)).toBe(true);
      }),
      RUNS,
    );
  });
  it("discord-interactions verifyKey (Ed25519, hex public key)", async () => {
    const seed = "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51";
    const publicKey = await publicKeyFor("discord", seed);
    await fc.assert(
      fc.asyncProperty(payloadArb, async (body) => {
        const signed = await signRequest({ preset: "discord", secret: seed, body });
        expect(await discordVerifyKey(body, signed.headers["x-signature-ed25519"]!, signed.headers["x-signature-timestamp"]!, publicKey)).toBe(true);
      }),
      RUNS,
    );
  });
});
