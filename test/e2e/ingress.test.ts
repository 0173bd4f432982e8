/**
 * Issue 16 end to end on the real `wrangler dev`: what CF-Connecting-IP is locally (the socket's
 * address, unless the request carries one, which is kept) and how allowIps decides on it; and a
 * delivery through queue and consumer signed v1 + v1a, the v1a entry verified with node:crypto and
 * the whpk_ key the admin API publishes.
 */
import { createPublicKey, randomBytes, verify as nodeVerify } from "node:crypto";
import { sign as octokitSign } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "./gateway";

interface Received { path: string; verified: boolean; headers: Record<string, string>; body: string }
interface Sink { url: string; received: Received[]; close: () => Promise<void> }

// wrangler dev exposes only the secrets named in wrangler.toml's [secrets].required: the Ed25519 key
// takes the slot of STRIPE_WEBHOOK_SECRET, which this file does not otherwise use.
const secrets: Record<string, string> = { ...(readDevVars(".dev.vars.example") as Record<string, string>), STRIPE_WEBHOOK_SECRET: `whsk_${randomBytes(32).toString("base64")}` };
let sink: Sink;
let gateway: Gateway;

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  gateway = await startGateway({
    secrets,
    config: {
      sources: {
        loopback: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], allowIps: ["127.0.0.1", "::1"] },
        gh: { provider: "github", secrets: ["GITHUB_WEBHOOK_SECRET"], allowIps: ["preset:github"] },
        signed: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["both"] },
      },
      destinations: {
        both: { url: `${sink.url}/hooks/both`, secret: "SINK_SIGNING_SECRET", additionalSecrets: ["STRIPE_WEBHOOK_SECRET"], allowPrivateNetwork: true, timeoutMs: 3000, retry: { maxAttempts: 3, baseSeconds: 1, capSeconds: 1 } },
      },
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

function demo(source: string, extra: Record<string, string> = {}) {
  const id = `msg_${randomBytes(8).toString("hex")}`;
  const body = JSON.stringify({ type: "e2e.ingress", id });
  const headers = new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, new Date(), body);
  const all = { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": headers, ...extra };
  return fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: all, body }).then(async (res) => ({ res, id, body }));
}

async function github(extra: Record<string, string>) {
  const body = JSON.stringify({ zen: randomBytes(6).toString("hex") });
  const headers = { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": randomBytes(8).toString("hex"), "x-hub-signature-256": await octokitSign(secrets.GITHUB_WEBHOOK_SECRET!, body), ...extra };
  return fetch(`${gateway.url}/webhooks/gh`, { method: "POST", headers, body });
}

describe("allowIps under wrangler dev", () => {
  it("a plain local request carries the socket's address as CF-Connecting-IP: a loopback allowlist admits it", async () => {
    expect((await demo("loopback")).res.status).toBe(202);
  });

  it("a CF-Connecting-IP sent by the client is kept locally, so a provider's address can be simulated", async () => {
    const local = await github({});
    expect(local.status).toBe(403);
    expect(((await local.json()) as { error: { code: string } }).error.code).toBe("ip_not_allowed");
    expect((await github({ "cf-connecting-ip": "140.82.115.10" })).status).toBe(202);
    expect((await github({ "cf-connecting-ip": "203.0.113.50" })).status).toBe(403);
    expect((await demo("loopback", { "cf-connecting-ip": "203.0.113.50" })).res.status).toBe(403);
  });
});

describe("v1 + v1a signatures through queue and consumer", () => {
  it("the destination gets both entries; v1 verifies with the shared key, v1a with the published whpk_", async () => {
    const { res, id, body } = await demo("signed");
    expect(res.status).toBe(202);
    const key = await fetch(`${gateway.url}/api/v1/destinations/both/public-key`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
    expect(key.status).toBe(200);
    const { publicKey } = (await key.json()) as { publicKey: string };
    const deadline = Date.now() + 30_000;
    let got: Received | undefined;
    while (!(got = sink.received.find((r) => r.path === "/hooks/both" && r.headers["edgehook-event-id"] === id))) {
      if (Date.now() > deadline) throw new Error(`no delivery; logs:\n${gateway.logs.slice(-20).join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got.body).toBe(body);
    expect(got.verified).toBe(true);
    const [v1, v1a, extra] = got.headers["webhook-signature"]!.split(" ");
    expect(v1).toMatch(/^v1,/);
    expect(extra).toBeUndefined();
    const x = Buffer.from(publicKey.slice("whpk_".length), "base64").toString("base64url");
    const verifier = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    const content = Buffer.from(`${got.headers["webhook-id"]}.${got.headers["webhook-timestamp"]}.${got.body}`);
    expect(nodeVerify(null, content, verifier, Buffer.from(v1a!.slice("v1a,".length), "base64"))).toBe(true);
    expect(nodeVerify(null, Buffer.concat([content, Buffer.from(" ")]), verifier, Buffer.from(v1a!.slice("v1a,".length), "base64"))).toBe(false);
  });
});
