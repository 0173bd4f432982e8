/**
 * Request-response with callback end to end over real HTTP (docs/workflows.md): wrangler dev on the
 * real wrangler.toml, a real local service that gets `edgehook-callback-url` with each job and posts
 * its result there later, events signed by the standardwebhooks library, links read through the admin API.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "./gateway";

interface Received { path: string; webhookId: string; status: number; verified: boolean; headers: Record<string, string>; body: string }
interface Sink { url: string; received: Received[]; close: () => Promise<void> }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
/**
 * The callback token secret. wrangler dev loads from an env file only the names in [secrets].required
 * of wrangler.toml (the sample config has no callback, so it does not list it; `npm run check -- --fix`
 * adds it for a config that does), so this test hands it in as a binding of its own.
 */
const CALLBACK_SECRET = "e2e-callback-token-secret-0123456789abcdef";
/** The public URL callback URLs are issued under; the test reaches the same worker on its local address. */
const PUBLIC = "https://hooks.edgehook.example";
let sink: Sink;
let gateway: Gateway;

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  const dest = (path: string, extra: Record<string, unknown> = {}) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 3000, retry: { maxAttempts: 3, baseSeconds: 1, capSeconds: 1 }, ...extra });
  gateway = await startGateway({
    secrets,
    vars: { EDGEHOOK_CALLBACK_SECRET: CALLBACK_SECRET },
    config: {
      sources: { jobs: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["render"] } },
      destinations: { render: dest("/render", { callback: "results" }), results: dest("/results") },
      settings: { publicUrl: PUBLIC },
    },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

/** Poll until `check` gives a value. */
async function until<T>(check: () => T | undefined, ms: number, label: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST a result to a callback URL, on the local gateway. */
async function postResult(callbackUrl: string, body: string): Promise<{ status: number; text: string }> {
  const url = callbackUrl.replace(PUBLIC, gateway.url);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: res.status, text: await res.text() };
}

describe("async callback round trip over wrangler dev", () => {
  it("the service posts results later to edgehook-callback-url: each reaches the callback destination once, repeats are duplicates, forgeries refused", async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `msg_e2e_cb_${Date.now()}_${i}`);
    for (const id of ids) {
      const payload = JSON.stringify({ type: "render.requested", id });
      const res = await fetch(`${gateway.url}/webhooks/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, new Date(), payload) },
        body: payload,
      });
      expect(res.status, await res.text()).toBe(202);
    }
    const jobs = await until(() => {
      const got = sink.received.filter((r) => r.path === "/render" && r.status === 200);
      return ids.every((id) => got.some((r) => r.headers["edgehook-event-id"] === id)) ? ids.map((id) => got.find((r) => r.headers["edgehook-event-id"] === id)!) : undefined;
    }, 60_000, "every job at the service");
    expect(jobs.every((j) => j.verified && j.headers["edgehook-callback-url"]!.startsWith(`${PUBLIC}/callbacks/`))).toBe(true);

    // The long jobs finish: each posts its result; the first one posts twice; a tampered URL and another result for a used URL are refused.
    const results = jobs.map((j, i) => JSON.stringify({ rendered: j.headers["edgehook-event-id"], pages: i + 1 }));
    for (let i = 0; i < jobs.length; i++) expect((await postResult(jobs[i]!.headers["edgehook-callback-url"]!, results[i]!)).status).toBe(202);
    const again = await postResult(jobs[0]!.headers["edgehook-callback-url"]!, results[0]!);
    expect([again.status, JSON.parse(again.text).status]).toEqual([200, "duplicate"]);
    const other = await postResult(jobs[1]!.headers["edgehook-callback-url"]!, JSON.stringify({ rendered: "something else" }));
    expect([other.status, JSON.parse(other.text).error.code]).toEqual([409, "callback_conflict"]);
    const url = jobs[2]!.headers["edgehook-callback-url"]!;
    const at = url.lastIndexOf("/") + 3;
    const forged = await postResult(url.slice(0, at) + (url[at] === "x" ? "y" : "x") + url.slice(at + 1), results[2]!);
    expect([forged.status, JSON.parse(forged.text).error.code]).toEqual([401, "callback_token_invalid"]);

    // Each result reaches the callback destination once, signed, carrying its job's identity and the posted body.
    const delivered = await until(() => {
      const got = sink.received.filter((r) => r.path === "/results" && r.status === 200 && r.headers["edgehook-event-type"] === "callback.result");
      return got.length >= jobs.length ? got : undefined;
    }, 60_000, "the results at the callback destination");
    await new Promise((r) => setTimeout(r, 1500));
    const all = sink.received.filter((r) => r.path === "/results" && r.headers["edgehook-event-type"] === "callback.result");
    expect(all).toHaveLength(jobs.length);
    expect(delivered.every((r) => r.verified && r.headers["edgehook-source"] === "_callback")).toBe(true);
    const byJob = new Map(all.map((r) => [JSON.parse(r.body).parent.eventId as string, JSON.parse(r.body)]));
    ids.forEach((id, i) => expect(byJob.get(id)).toMatchObject({ type: "callback.result", hop: 1, parent: { source: "jobs", eventId: id, destination: "render" }, result: { body: results[i] } }));

    // The admin API links the job's event to its callback events, and the result back to the job.
    const auth = { authorization: `Bearer ${secrets.ADMIN_TOKEN}` };
    const detail = await (await fetch(`${gateway.url}/api/v1/event?source=jobs&id=${ids[0]}`, { headers: auth })).json() as { links: { children: { kind: string; eventId: string }[] } };
    const result = detail.links.children.find((c) => c.kind === "result")!;
    expect(detail.links.children.map((c) => c.kind).sort()).toEqual(["delivered", "result"]);
    const child = await (await fetch(`${gateway.url}/api/v1/event?source=_callback&id=${encodeURIComponent(result.eventId)}`, { headers: auth })).json() as { links: { parent: { eventId: string } } };
    expect(child.links.parent.eventId).toBe(ids[0]);
  });
});
