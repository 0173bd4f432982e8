/**
 * End to end over real HTTP, as providers and destinations see it: the real `wrangler dev` server
 * on the real wrangler.toml, a real local destination, events signed by the providers' own libraries.
 */
import { sign as octokitSign } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { sampleEvent } from "../support/signer";
import { startGateway, type Gateway } from "./gateway";

interface Received { path: string; webhookId: string; attempt: number; status: number; verified: boolean; headers: Record<string, string>; body: string }
interface Sink { url: string; received: Received[]; close: () => Promise<void> }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
let sink: Sink;
let gateway: Gateway;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { maxAttempts: 3, baseSeconds: 1, capSeconds: 1 };

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  const dest = (path: string) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 3000, retry: fast });
  gateway = await startGateway({
    secrets,
    config: {
      sources: {
        stripe: { provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], destinations: ["sink"] },
        github: { provider: "github", secrets: ["GITHUB_WEBHOOK_SECRET"], destinations: ["sink"] },
        demo: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["sink"] },
        flaky: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["flaky"] },
        doomed: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["down"] },
      },
      destinations: { sink: dest("/hooks"), flaky: dest("/flaky/2"), down: dest("/fail/503") },
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

const postRaw = (source: string, headers: Record<string, string>, body: string) =>
  fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

const deliveriesOf = (eventId: string, path = "/hooks") => sink.received.filter((r) => r.path === path && r.headers["edgehook-event-id"] === eventId);

async function eventually<T>(check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out; gateway logs:\n${gateway.logs.slice(-30).join("")}`);
    await pause(50);
  }
}

async function admin(path: string) {
  const res = await fetch(`${gateway.url}/api/v1${path}`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as { tasks: { status: string; attempts: number; lastStatus: number | null; lastError: string | null }[] } };
}

/** An event signed by the official standardwebhooks library with the demo secret. */
function swSigned(id = `msg_${crypto.randomUUID()}`, body = sampleEvent("standard-webhooks")) {
  const now = new Date();
  const wh = new Webhook(secrets.DEMO_WEBHOOK_SECRET!);
  const headers = { "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": wh.sign(id, now, body) };
  return { id, body, headers };
}

/** Post, expect 202, see exactly one verified delivery; a repeat is a 200 duplicate and delivers nothing new. */
async function acceptedOnce(source: string, eventId: string, headers: Record<string, string>, body: string) {
  const res = await postRaw(source, headers, body);
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ status: "accepted", id: eventId });
  const [delivery] = await eventually(() => deliveriesOf(eventId).length > 0 && deliveriesOf(eventId));
  expect(delivery!.verified).toBe(true);
  expect(delivery!.body).toBe(body);
  const again = await postRaw(source, headers, body);
  expect(again.status).toBe(200);
  expect(await again.json()).toEqual({ status: "duplicate", id: eventId });
  await pause(300);
  expect(deliveriesOf(eventId)).toHaveLength(1);
}

describe("end to end over HTTP (wrangler dev + real destination)", () => {
  it("Stripe: events signed by the official stripe library arrive exactly once; a tampered one is refused", async () => {
    const stripe = new Stripe("sk_test_edgehook");
    for (let i = 0; i < 3; i++) {
      const body = sampleEvent("stripe");
      const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: secrets.STRIPE_WEBHOOK_SECRET! });
      await acceptedOnce("stripe", JSON.parse(body).id, { "stripe-signature": header }, body);
    }
    const body = sampleEvent("stripe");
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: secrets.STRIPE_WEBHOOK_SECRET! });
    const tampered = body.replace('"amount":2000', '"amount":2001');
    const res = await postRaw("stripe", { "stripe-signature": header }, tampered);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("signature_invalid");
    await pause(500);
    expect(deliveriesOf(JSON.parse(body).id)).toHaveLength(0);
  });

  it("GitHub: events signed by @octokit/webhooks-methods arrive exactly once; a tampered one is refused", async () => {
    for (let i = 0; i < 3; i++) {
      const body = sampleEvent("github", i % 2 ? "closed" : "opened");
      const delivery = crypto.randomUUID();
      const signature = await octokitSign(secrets.GITHUB_WEBHOOK_SECRET!, body);
      await acceptedOnce("github", delivery, { "x-hub-signature-256": signature, "x-github-event": "issues", "x-github-delivery": delivery }, body);
      expect(deliveriesOf(delivery)[0]!.headers["x-github-event"]).toBe("issues");
    }
    const body = sampleEvent("github");
    const delivery = crypto.randomUUID();
    const signature = await octokitSign(secrets.GITHUB_WEBHOOK_SECRET!, body);
    const res = await postRaw("github", { "x-hub-signature-256": signature, "x-github-event": "issues", "x-github-delivery": delivery }, body.replace("42", "43"));
    expect(res.status).toBe(401);
  });

  it("Standard Webhooks: events signed by the standardwebhooks library arrive exactly once; a tampered one is refused", async () => {
    for (let i = 0; i < 3; i++) {
      const { id, body, headers } = swSigned();
      await acceptedOnce("demo", id, headers, body);
    }
    const { id, body, headers } = swSigned();
    const res = await postRaw("demo", { ...headers, "webhook-id": `${id}x` }, body);
    expect(res.status).toBe(401);
  });

  it("a destination that fails twice gets the event on the third attempt", async () => {
    const { id, body, headers } = swSigned();
    const res = await postRaw("flaky", headers, body);
    expect(res.status).toBe(202);
    await eventually(() => deliveriesOf(id, "/flaky/2").some((r) => r.status === 200));
    expect(deliveriesOf(id, "/flaky/2").map((r) => r.status)).toEqual([500, 500, 200]);
    const { body: state } = await admin(`/events/flaky/${id}`);
    expect(state.tasks[0]).toMatchObject({ status: "delivered", attempts: 3 });
  });

  it("a destination that always fails ends as a dead record with its last response", async () => {
    const { id, body, headers } = swSigned();
    const res = await postRaw("doomed", headers, body);
    expect(res.status).toBe(202);
    await eventually(() => deliveriesOf(id, "/fail/503").length >= 3);
    let state = (await admin(`/events/doomed/${id}`)).body;
    const deadline = Date.now() + 10_000;
    while (state.tasks[0]!.status === "pending" && Date.now() < deadline) {
      await pause(100);
      state = (await admin(`/events/doomed/${id}`)).body;
    }
    expect(state.tasks[0]).toMatchObject({ status: "dead", attempts: 3, lastStatus: 503, lastError: "http_503_attempts_exhausted" });
  });
});
