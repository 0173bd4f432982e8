/**
 * Transformations end to end over real HTTP: wrangler dev on the real wrangler.toml (its Worker
 * Loader binding), a real local destination that verifies signatures, events signed by the
 * standardwebhooks library, results read through the admin API.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "./gateway";

interface Received { path: string; webhookId: string; verified: boolean; headers: Record<string, string>; body: string }
interface Sink { url: string; received: Received[]; close: () => Promise<void> }
interface TaskView { destination: string; status: string; lastError: string | null; log: { error?: string; snippet?: string }[]; transform?: { name: string; version: string; dropped: boolean } }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
let sink: Sink;
let gateway: Gateway;

const fn = (body: string) => ({ code: `export default async function transform(event) {\n${body}\n}\n` });

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  const dest = (path: string, transform?: string) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 3000, retry: { maxAttempts: 3, baseSeconds: 1, capSeconds: 1 }, ...(transform ? { transform } : {}) });
  const sw = (destinations: unknown[]) => ({ provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations });
  gateway = await startGateway({
    secrets,
    config: {
      sources: {
        orders: sw(["slim", "plain"]),
        picky: sw([{ destination: "plain", transform: "picky" }]),
        broken: sw(["throws", "spins", "plain"]),
        sneaky: sw(["sneaky"]),
      },
      destinations: { slim: dest("/slim", "slim"), plain: dest("/plain"), throws: dest("/throws", "throws"), spins: dest("/spins", "spins"), sneaky: dest("/sneaky", "sneaky") },
      transforms: {
        slim: fn(`return { payload: { id: event.payload.id, total: event.payload.amount / 100 }, eventType: "order.slim", headers: { "x-shaped": "yes" }, path: "/orders" };`),
        picky: fn(`return event.eventType === "drop.me" ? null : {};`),
        throws: fn(`throw new Error("no total for " + event.eventId);`),
        spins: fn(`while (true) {}`),
        sneaky: fn(`let fetched; try { await fetch(${JSON.stringify(`${sink.url}/leak`)}); fetched = "reached"; } catch (e) { fetched = "blocked"; }
return { payload: { fetched, secretLike: Object.getOwnPropertyNames(globalThis).filter((n) => /SECRET|TOKEN|EDGEHOOK/.test(n)) } };`),
      },
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

let n = 0;
/** POST an event signed by the standardwebhooks library; returns its id. */
async function send(source: string, body: Record<string, unknown>): Promise<string> {
  const id = `msg_e2e_tx_${Date.now()}_${n++}`;
  const payload = JSON.stringify(body);
  const signature = new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, new Date(), payload);
  const res = await fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": signature }, body: payload });
  expect(res.status, await res.text()).toBe(202);
  return id;
}

const admin = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}/api${path}`, { ...init, headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "content-type": "application/json" } });

/** The event's tasks from the admin API once none is pending. */
async function settledTasks(source: string, id: string): Promise<TaskView[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await admin(`/v1/events/${source}/${id}`);
    if (res.status === 200) {
      const { tasks } = (await res.json()) as { tasks: TaskView[] };
      if (tasks.every((t) => t.status !== "pending")) return tasks;
    }
    if (Date.now() > deadline) throw new Error(`not settled; gateway logs:\n${gateway.logs.slice(-30).join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const at = (path: string, id: string) => sink.received.filter((r) => r.path === path && r.headers["edgehook-event-id"] === id);

describe("transforms over wrangler dev", () => {
  it("a transformed event arrives once, signed over the transformed body, at the transform's path", async () => {
    const id = await send("orders", { type: "order.created", id: "ord_1", amount: 4200 });
    const tasks = await settledTasks("orders", id);
    expect(tasks.map((t) => t.status)).toEqual(["delivered", "delivered"]);
    const got = at("/slim/orders", id);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(JSON.parse(got[0]!.body)).toEqual({ id: "ord_1", total: 42 });
    expect(got[0]!.headers).toMatchObject({ "x-shaped": "yes", "edgehook-event-type": "order.slim" });
    expect(tasks[0]!.transform).toMatchObject({ name: "slim", dropped: false });
    expect(at("/plain", id)[0]!.body).toBe(JSON.stringify({ type: "order.created", id: "ord_1", amount: 4200 }));
  });

  it("a transform returning null leaves the task filtered, visible in the admin API, nothing sent", async () => {
    const id = await send("picky", { type: "drop.me", id: "ord_2" });
    const tasks = await settledTasks("picky", id);
    expect(tasks[0]).toMatchObject({ status: "filtered", lastError: "transform_dropped", transform: { name: "picky", dropped: true } });
    expect(at("/plain", id)).toHaveLength(0);
  });

  it("a throwing transform and a runaway loop end transform_failed; the plain destination of the same event is delivered", async () => {
    const ids = await Promise.all([send("broken", { type: "x", id: "a" }), send("broken", { type: "x", id: "b" })]);
    for (const id of ids) {
      const tasks = await settledTasks("broken", id);
      const by = Object.fromEntries(tasks.map((t) => [t.destination, t]));
      expect(by.throws).toMatchObject({ status: "dead", lastError: "transform_failed" });
      expect(by.throws!.log.at(-1)!.snippet).toContain(`no total for ${id}`);
      expect(by.spins).toMatchObject({ status: "dead", lastError: "transform_failed" });
      expect(by.spins!.log.at(-1)!.snippet).toMatch(/loop iterations/);
      expect(by.plain!.status).toBe("delivered");
      expect(at("/plain", id)).toHaveLength(1);
    }
  });

  it("a transform's fetch fails and it sees no secret", async () => {
    const id = await send("sneaky", { type: "x" });
    await settledTasks("sneaky", id);
    const got = at("/sneaky", id);
    expect(JSON.parse(got[0]!.body)).toEqual({ fetched: "blocked", secretLike: [] });
    expect(sink.received.filter((r) => r.path === "/leak")).toHaveLength(0);
  });

  it("POST /api/v1/transforms/:name/test answers the output and sends nothing", async () => {
    const before = sink.received.length;
    const res = await admin("/v1/transforms/slim/test", { method: "POST", body: JSON.stringify({ event: { payload: { id: "t", amount: 150 } } }) });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { ok: boolean; output: { payload: { data: string }; path: string } };
    expect(result.ok).toBe(true);
    expect(JSON.parse(result.output.payload.data)).toEqual({ id: "t", total: 1.5 });
    expect(result.output.path).toBe("/orders");
    expect(sink.received.length).toBe(before);
  });
});
