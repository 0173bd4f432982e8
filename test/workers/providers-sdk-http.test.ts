/**
 * Official signers over HTTP: payloads signed inside workerd by stripe, @octokit/webhooks-methods,
 * standardwebhooks and svix are accepted by the worker. (twilio, @hubspot/api-client and
 * @adyen/api-library sign with node:crypto; they are cross-checked in test/unit/providers-sdk.test.ts.)
 */
import { sign as octokitSign } from "@octokit/webhooks-methods";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { PRESET_SIGNING, presetSource } from "../support/preset-fixtures";
import { sampleEvent } from "../support/signer";
import { post } from "./helpers";

const enc = new TextEncoder();
const accepted = async (res: Response) => {
  const json = (await res.json()) as { status: string };
  expect(res.status, JSON.stringify(json)).toBe(202);
  expect(json.status).toBe("accepted");
};

describe("official signers → worker", () => {
  it("stripe generateTestHeaderStringAsync (SubtleCrypto provider)", async () => {
    const stripe = new Stripe("sk_test_x", { httpClient: Stripe.createFetchHttpClient() });
    const provider = Stripe.createSubtleCryptoProvider();
    for (let i = 0; i < 5; i++) {
      const payload = sampleEvent("stripe");
      const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: PRESET_SIGNING.stripe!, cryptoProvider: provider });
      await accepted(await post(presetSource("stripe"), { headers: { "content-type": "application/json", "stripe-signature": header }, body: enc.encode(payload) }));
    }
  });

  it("@octokit/webhooks-methods sign", async () => {
    for (let i = 0; i < 5; i++) {
      const payload = sampleEvent("github");
      const headers = { "content-type": "application/json", "x-hub-signature-256": await octokitSign(PRESET_SIGNING.github!, payload), "x-github-event": "issues", "x-github-delivery": crypto.randomUUID() };
      await accepted(await post(presetSource("github"), { headers, body: enc.encode(payload) }));
    }
  });

  it("standardwebhooks and svix Webhook.sign", async () => {
    for (let i = 0; i < 5; i++) {
      const payload = sampleEvent("svix");
      const id = `msg_${crypto.randomUUID()}`;
      const now = new Date();
      const ts = String(Math.floor(now.getTime() / 1000));
      const svix = new SvixWebhook(PRESET_SIGNING.svix!).sign(id, now, payload);
      await accepted(await post(presetSource("svix"), { headers: { "svix-id": id, "svix-timestamp": ts, "svix-signature": svix }, body: enc.encode(payload) }));
      const swId = `msg_${crypto.randomUUID()}`;
      const sw = new StandardWebhook(PRESET_SIGNING.clerk!).sign(swId, now, payload);
      // Clerk is Svix-powered: white-labelled webhook-* headers are accepted too.
      await accepted(await post(presetSource("clerk"), { headers: { "webhook-id": swId, "webhook-timestamp": ts, "webhook-signature": sw }, body: enc.encode(payload) }));
    }
  });
});
