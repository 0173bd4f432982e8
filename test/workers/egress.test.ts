/**
 * Issue 16 items 2 and 3 in workerd: deliveries signed with Standard Webhooks v1a (Ed25519) beside
 * v1, the admin route that publishes the whpk_ key, and mTLS sends through a destination's binding.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseConfig, type RuntimeDestination } from "../../src/config";
import { sendDelivery } from "../../src/delivery";
import { createApp } from "../../src/ingest";
import type { Delivery } from "../../src/ledger";
import { TEST_SECRETS } from "../support/fixtures";
import { received, waitFor } from "./helpers";

const WHSK = `whsk_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
const WHSK_OLD = `whsk_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(64))))}`;
const config = {
  sources: {},
  destinations: {
    // Ed25519 beside HMAC, and an old Ed25519 key still signing during its overlap.
    both: { url: `${env.SINK_URL}/ok/egress-both`, secret: "SINK_SECRET", additionalSecrets: ["ED_KEY", "ED_OLD"], allowPrivateNetwork: true },
    edOnly: { url: `${env.SINK_URL}/ok/egress-ed`, secret: "ED_KEY", allowPrivateNetwork: true },
    hmacOnly: { url: `${env.SINK_URL}/ok/egress-hmac`, secret: "SINK_SECRET", allowPrivateNetwork: true },
    // A public URL: only the binding (forwarding to the sink) can reach it from here.
    mtls: { url: "https://orders.example/ok/egress-mtls", secret: "SINK_SECRET", mtlsCertificate: "TEST_MTLS_CERT" },
  },
};
const bindings = { ...env, ED_KEY: WHSK, ED_OLD: WHSK_OLD, EDGEHOOK: JSON.stringify(config) };

function destination(name: string): RuntimeDestination {
  const loaded = parseConfig(config, bindings);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  return loaded.config.destinations.get(name)!;
}

function delivery(id: string): Delivery {
  const payload = new TextEncoder().encode(JSON.stringify({ type: "egress.test", id }));
  return { webhookId: id, source: "egress", eventId: id, eventType: "egress.test", orderingKey: null, occurredAt: Date.now(), receivedAt: Date.now(), headers: { "content-type": "application/json" }, payload };
}

const app = createApp();
async function admin(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://edgehook.test/api${path}`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } }), bindings as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Verify one v1a entry with WebCrypto and a whpk_ key, as a destination would. */
async function v1aValid(whpk: string, headers: Record<string, string>, body: string, entry: string): Promise<boolean> {
  const raw = Uint8Array.from(atob(whpk.slice("whpk_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  const signature = Uint8Array.from(atob(entry.slice("v1a,".length)), (c) => c.charCodeAt(0));
  const content = new TextEncoder().encode(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`);
  return crypto.subtle.verify("Ed25519", key, signature, content);
}

async function deliverAndRead(name: string, path: string) {
  const id = `msg_${crypto.randomUUID()}`;
  const result = await sendDelivery(destination(name), delivery(id), 1, env);
  expect(result.status).toBe(200);
  return waitFor(async () => (await received(path)).find((r) => r.webhookId === id), 5000, `${id} at the sink`);
}

describe("v1a (Ed25519) outbound signatures", () => {
  it("the public-key route publishes each whpk_ in signing order, and the delivery verifies with it (v1 too, by the sink)", async () => {
    const res = await admin("/v1/destinations/both/public-key");
    expect(res.status).toBe(200);
    const keys = (await res.json()) as { destination: string; publicKey: string; publicKeys: { secret: string; publicKey: string }[] };
    expect(keys.publicKeys.map((k) => k.secret)).toEqual(["ED_KEY", "ED_OLD"]);
    expect(keys.publicKey).toBe(keys.publicKeys[0]!.publicKey);
    expect(JSON.stringify(keys)).not.toContain(WHSK.slice(5, 25)); // the private key never leaves

    const got = await deliverAndRead("both", "/ok/egress-both");
    const entries = got.headers["webhook-signature"]!.split(" ");
    expect(entries.map((e) => e.split(",")[0])).toEqual(["v1", "v1a", "v1a"]);
    expect(got.verified).toBe(true); // the sink checks the v1 entry with SINK_SECRET
    expect(await v1aValid(keys.publicKeys[0]!.publicKey, got.headers, got.body, entries[1]!)).toBe(true);
    expect(await v1aValid(keys.publicKeys[1]!.publicKey, got.headers, got.body, entries[2]!)).toBe(true);
    expect(await v1aValid(keys.publicKeys[0]!.publicKey, got.headers, `${got.body} `, entries[1]!)).toBe(false);
    expect(await v1aValid(keys.publicKeys[1]!.publicKey, got.headers, got.body, entries[1]!)).toBe(false);
  });

  it("a whsk_ secret alone signs v1a only (no HMAC entry to verify with a shared key)", async () => {
    const whpk = ((await (await admin("/v1/destinations/edOnly/public-key")).json()) as { publicKey: string }).publicKey;
    const got = await deliverAndRead("edOnly", "/ok/egress-ed");
    expect(got.headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(got.verified).toBe(false);
    expect(await v1aValid(whpk, got.headers, got.body, got.headers["webhook-signature"]!)).toBe(true);
  });

  it("answers 404 no_public_key for an HMAC-only destination, 404 for an unknown one, 401 without the token", async () => {
    const hmac = await admin("/v1/destinations/hmacOnly/public-key");
    expect(hmac.status).toBe(404);
    expect(((await hmac.json()) as { error: { code: string } }).error.code).toBe("no_public_key");
    expect((await admin("/v1/destinations/nope/public-key")).status).toBe(404);
    const ctx = createExecutionContext();
    const anonymous = await app.fetch(new Request("https://edgehook.test/api/v1/destinations/both/public-key"), bindings as never, ctx);
    expect(anonymous.status).toBe(401);
  });
});

describe("mTLS to destinations", () => {
  it("a destination with mtlsCertificate is sent through that binding's fetch", async () => {
    const got = await deliverAndRead("mtls", "/ok/egress-mtls");
    expect(got.headers["x-test-via-binding"]).toBe("TEST_MTLS_CERT");
    expect(got.verified).toBe(true);
    const plain = await deliverAndRead("hmacOnly", "/ok/egress-hmac");
    expect(plain.headers["x-test-via-binding"]).toBeUndefined();
  });

  it("config validation checks the binding exists and is a fetcher", () => {
    const bad = (binding: string) => parseConfig({ sources: {}, destinations: { d: { url: "https://orders.example/h", secret: "SINK_SECRET", mtlsCertificate: binding } } }, { ...env, SINK_SECRET: TEST_SECRETS.SINK_SECRET });
    expect(bad("TEST_MTLS_CERT").ok).toBe(true);
    for (const missing of ["NO_SUCH_CERT", "SINK_URL", "EVENT_LEDGER"]) {
      const result = bad(missing);
      expect(!result.ok && result.problems, missing).toContainEqual(expect.stringMatching(new RegExp(`^EDGEHOOK\\.destinations\\.d\\.mtlsCertificate: no mTLS certificate binding "${missing}"`)));
    }
  });
});
