/**
 * Transformations in workerd: user code in a Dynamic Worker (the real Worker Loader), the real
 * queue, ledger and local sink. Fixtures: transformFixtures in test/support/fixtures.ts.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { TEST_SECRETS, testConfig } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { api, apiJson } from "./admin-helpers";
import { editLedger, inspect, ledgerStub, pendingTask, post, received, settled, waitFor } from "./helpers";

let counter = 0;
/** Sign a Standard Webhooks request with a fresh id. */
function signed(body: Record<string, unknown>) {
  const id = `msg_tx_${Date.now()}_${counter++}`;
  return signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: JSON.stringify(body), id });
}

/** Store an event for the destination-less source with one hand-made pending task (no queue message). */
async function handMadeTask(destination: string): Promise<string> {
  const request = await signed({ type: "order.created", id: "ord_hand", amount: 100 });
  const id = request.headers["webhook-id"]!;
  expect((await post("nowhere", request)).status).toBe(202);
  await editLedger("nowhere", id, (event) => event.tasks.push(pendingTask(destination, `msg_hand_${id}`)));
  return id;
}

/** Run the consumer on one batch of messages (with another env when given), as the queue would. */
async function runBatch(bodies: unknown[], withEnv: object = env) {
  const batch = createMessageBatch("edgehook-delivery", bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 2, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, withEnv as typeof env);
  return getQueueResult(batch, ctx);
}

describe("transforms in the delivery path", () => {
  it("a transformed, signed event arrives once with the transformed body, type, headers and path", async () => {
    const request = await signed({ type: "order.created", id: "ord_1", amount: 1250 });
    const id = request.headers["webhook-id"]!;
    expect((await post("tx", request)).status).toBe(202);
    const view = await settled("tx", id);
    expect(view.tasks.map((t) => [t.destination, t.status])).toEqual([["tx-slim", "delivered"], ["tx-picky", "delivered"]]);
    const got = await received("/tx/slim/orders", id);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.body).toBe(JSON.stringify({ id: "ord_1", total: 12.5 }));
    expect(got[0]!.headers).toMatchObject({ "x-shaped": "yes", "edgehook-event-type": "order.slim", "content-type": "application/json" });
    expect(await received("/tx/slim", id)).toHaveLength(0);
    // The other destination's transform only adds a header: the original bytes go out.
    const picky = await received("/tx/picky", id);
    expect(picky).toHaveLength(1);
    expect(picky[0]!.body).toBe(new TextDecoder().decode(request.body));
    expect(picky[0]!.headers["x-kept"]).toBe("1");
    const slimTask = view.tasks.find((t) => t.destination === "tx-slim")!;
    expect(slimTask.transform).toMatchObject({ name: "slim", dropped: false, bytes: got[0]!.body.length });
    expect(slimTask.transform!.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it("a transform returning null records the task filtered (visible, replayable), nothing sent", async () => {
    const request = await signed({ type: "drop.me", id: "ord_2", amount: 1 });
    const id = request.headers["webhook-id"]!;
    expect((await post("tx", request)).status).toBe(202);
    const view = await settled("tx", id);
    const picky = view.tasks.find((t) => t.destination === "tx-picky")!;
    expect(picky).toMatchObject({ status: "filtered", lastError: "transform_dropped", transform: { name: "picky", dropped: true } });
    expect(view.tasks.find((t) => t.destination === "tx-slim")!.status).toBe("delivered");
    expect(await received("/tx/picky", id)).toHaveLength(0);
    expect(await ledgerStub("tx", id).replay({ statuses: ["filtered"] })).toEqual({ replayed: ["tx-picky"] });
    expect((await settled("tx", id)).tasks.find((t) => t.destination === "tx-picky")!.status).toBe("filtered");
    expect(await received("/tx/picky", id)).toHaveLength(0);
  });

  it("a route's transform wins over the destination's (none here)", async () => {
    const request = await signed({ type: "order.created", id: "ord_3", amount: 1 });
    const id = request.headers["webhook-id"]!;
    expect((await post("txroute", request)).status).toBe(202);
    await settled("txroute", id);
    const got = await received("/tx/plain", id);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers["x-kept"]).toBe("1");
  });

  it("a throwing transform ends its task dead with transform_failed and the message in the attempt log; other destinations are delivered", async () => {
    const request = await signed({ type: "order.created", id: "ord_4", amount: 1 });
    const id = request.headers["webhook-id"]!;
    expect((await post("txfail", request)).status).toBe(202);
    const view = await settled("txfail", id);
    const failed = view.tasks.find((t) => t.destination === "tx-throws")!;
    expect(failed).toMatchObject({ status: "dead", lastError: "transform_failed", attempts: 1 });
    expect(failed.log.at(-1)!.snippet).toContain(`boom for ${id}`);
    expect(view.tasks.find((t) => t.destination === "tx-plain")!.status).toBe("delivered");
    expect(await received("/tx/throws", id)).toHaveLength(0);
  });

  it("a runaway loop ends transform_failed, and the other events of the same batch are still delivered", async () => {
    const spinning = await handMadeTask("tx-spins");
    const plain = await handMadeTask("tx-plain");
    const shaped = await handMadeTask("tx-slim");
    const result = await runBatch([
      { v: 1, ledger: `nowhere:${spinning}`, destination: "tx-spins" },
      { v: 1, ledger: `nowhere:${plain}`, destination: "tx-plain" },
      { v: 1, ledger: `nowhere:${shaped}`, destination: "tx-slim" },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    const spun = (await inspect("nowhere", spinning))!.tasks[0]!;
    expect(spun).toMatchObject({ status: "dead", lastError: "transform_failed" });
    expect(spun.log.at(-1)!.snippet).toMatch(/loop iterations/);
    expect((await inspect("nowhere", plain))!.tasks[0]!.status).toBe("delivered");
    expect((await inspect("nowhere", shaped))!.tasks[0]!.status).toBe("delivered");
    expect(await received("/tx/plain", plain)).toHaveLength(1);
  });

  it("a transform cannot reach the network and sees no env, binding or secret", async () => {
    const request = await signed({ type: "order.created", id: "ord_5", amount: 1 });
    const id = request.headers["webhook-id"]!;
    expect((await post("txsneaky", request)).status).toBe(202);
    await settled("txsneaky", id);
    const got = await received("/tx/sneaky", id);
    expect(got).toHaveLength(1);
    const seen = JSON.parse(got[0]!.body) as { fetched: string; env: string[]; secretLike: string[] };
    expect(seen.fetched).toMatch(/^blocked: /);
    expect(seen.env).toEqual([]);
    expect(seen.secretLike).toEqual([]);
    expect(got[0]!.body).not.toContain(TEST_SECRETS.SINK_SECRET);
    expect(await received("/tx/leak")).toHaveLength(0);
  });

  it("retries send identical bytes even when the transform is not deterministic (same version, same webhook-id)", async () => {
    const request = await signed({ type: "order.created", id: "ord_6", amount: 1 });
    const id = request.headers["webhook-id"]!;
    expect((await post("txrandom", request)).status).toBe(202);
    const view = await settled("txrandom", id, 20_000);
    expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 3 });
    const got = await received("/flaky/2/tx-random", id);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ id });
  });

  it("a replay after the transform's code changed uses the new version, and the task shows which version sent it", async () => {
    const id = await handMadeTask("tx-versioned");
    const config = testConfig(env.SINK_URL);
    config.transforms.versioned = { code: "export default () => ({ payload: { version: 1 } });\n" };
    await runBatch([{ v: 1, ledger: `nowhere:${id}`, destination: "tx-versioned" }], { ...env, EDGEHOOK: JSON.stringify(config) });
    const first = (await inspect("nowhere", id))!.tasks[0]!;
    expect(first.status).toBe("delivered");
    expect((await received("/tx/versioned", id))[0]!.body).toBe('{"version":1}');
    // The replay goes through the real queue, whose consumer runs the configured (changed) code.
    expect(await ledgerStub("nowhere", id).replay({ statuses: ["delivered"] })).toEqual({ replayed: ["tx-versioned"] });
    const got = await waitFor(async () => {
      const list = await received("/tx/versioned", id);
      return list.length === 2 ? list : undefined;
    });
    expect(got.map((r) => r.body)).toEqual(['{"version":1}', '{"version":2}']);
    expect(got[0]!.webhookId).toBe(got[1]!.webhookId);
    const second = (await settled("nowhere", id)).tasks[0]!;
    expect(second.status).toBe("delivered");
    expect(second.transform!.version).not.toBe(first.transform!.version);
  });
});

describe("POST /api/v1/transforms/:name/test", () => {
  type TestResult = { transform: string; version: string; ok: boolean; error?: string; dropped?: boolean; output?: { payload: { data: string }; headers: Record<string, string>; eventType: string; path: string | null } };

  it("runs a transform on a sample event and returns its output; nothing is sent", async () => {
    const before = (await received("/tx/slim/orders")).length;
    const result = await apiJson<TestResult>("/v1/transforms/slim/test", 200, { method: "POST", body: { event: { eventType: "order.created", payload: { id: "ord_t", amount: 990 } } } });
    expect(result).toMatchObject({ transform: "slim", ok: true, dropped: false, output: { eventType: "order.slim", path: "/orders?v=1" } });
    expect(result.version).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.parse(result.output!.payload.data)).toEqual({ id: "ord_t", total: 9.9 });
    expect(result.output!.headers["x-shaped"]).toBe("yes");
    expect((await received("/tx/slim/orders")).length).toBe(before);
  });

  it("runs on a stored event by {source, eventId}, and reports drops, throws and loops as a task would record them", async () => {
    const request = await signed({ type: "drop.me", id: "ord_s", amount: 5 });
    const id = request.headers["webhook-id"]!;
    expect((await post("nowhere", request)).status).toBe(202);
    expect(await apiJson<TestResult>("/v1/transforms/picky/test", 200, { method: "POST", body: { source: "nowhere", eventId: id } })).toMatchObject({ ok: true, dropped: true });
    const thrown = await apiJson<TestResult>("/v1/transforms/throws/test", 200, { method: "POST", body: { source: "nowhere", eventId: id } });
    expect(thrown.ok).toBe(false);
    expect(thrown.error).toContain(`boom for ${id}`);
    const spun = await apiJson<TestResult>("/v1/transforms/spins/test", 200, { method: "POST", body: { event: { payload: {} } } });
    expect(spun).toMatchObject({ ok: false });
    expect(spun.error).toMatch(/loop iterations/);
  });

  it("runs a transform given as a repository file (transforms/slim-order.js, bundled by npm run transforms)", async () => {
    const paid = await apiJson<TestResult>("/v1/transforms/from-file/test", 200, { method: "POST", body: { event: { payload: { data: { object: { id: "pi_1", amount: 2500, currency: "eur" } } } } } });
    expect(paid).toMatchObject({ ok: true, dropped: false, output: { eventType: "order.paid" } });
    expect(JSON.parse(paid.output!.payload.data)).toEqual({ id: "pi_1", total: 25, currency: "eur" });
    expect(await apiJson<TestResult>("/v1/transforms/from-file/test", 200, { method: "POST", body: { event: { payload: { data: { object: {} } } } } })).toMatchObject({ ok: true, dropped: true });
  });

  it("refuses unknown transforms, unknown stored events and malformed bodies with a 4xx and a code", async () => {
    expect(((await (await api("/v1/transforms/nope/test", { method: "POST", body: { event: { payload: {} } } })).json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await api("/v1/transforms/slim/test", { method: "POST", body: { source: "nowhere", eventId: "never-stored" } })).status).toBe(404);
    const bad = await api("/v1/transforms/slim/test", { method: "POST", body: { event: { payload: {} }, source: "x" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    expect((await api("/v1/transforms/slim/test", { method: "POST", body: { event: { payload: {} } }, token: null })).status).toBe(401);
  });
});

describe("dashboard event page: test a transform on the stored event", () => {
  const BASE = "https://edgehook.test";
  const dash = (path: string, init: { cookie?: string; form?: Record<string, string> } = {}) =>
    exports.default.fetch(`${BASE}/dashboard${path}`, {
      method: init.form ? "POST" : "GET",
      headers: { origin: BASE, ...(init.cookie ? { cookie: `__Host-edgehook_session=${init.cookie}` } : {}) },
      redirect: "manual",
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    });

  it("shows a Test transform button per transformed destination and renders the output without sending", async () => {
    const login = await dash("/login", { form: { token: env.ADMIN_TOKEN } });
    expect(login.status).toBe(303);
    const cookie = /__Host-edgehook_session=([^;]+)/.exec(login.headers.get("set-cookie")!)![1]!;
    const request = await signed({ type: "order.created", id: "ord_dash", amount: 700 });
    const id = request.headers["webhook-id"]!;
    expect((await post("tx", request)).status).toBe(202);
    await settled("tx", id);
    const query = `?${new URLSearchParams({ source: "tx", id })}`;
    const html = await (await dash(`/event${query}`, { cookie })).text();
    expect(html).toContain("Test transform slim");
    expect(html).toContain("Test transform picky");
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const before = (await received("/tx/slim/orders", id)).length;
    const shown = await dash(`/event/transform-test${query}`, { cookie, form: { csrf, destination: "tx-slim" } });
    expect(shown.status).toBe(200);
    const body = await shown.text();
    expect(body).toContain('id="transform-test"');
    expect(body).toContain("would send");
    expect(body).toContain("{&quot;id&quot;:&quot;ord_dash&quot;,&quot;total&quot;:7}");
    expect((await received("/tx/slim/orders", id)).length).toBe(before);
    expect((await dash(`/event/transform-test${query}`, { form: { csrf, destination: "tx-slim" } })).status).not.toBe(200);
  });
});
