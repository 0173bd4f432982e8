/**
 * Callbacks (docs/workflows.md): a task's outcome becomes one `_callback` event for the callback
 * (delivered) or failure callback (dead) destination, exactly once per outcome, whatever redelivers
 * or replays the task; the operator can replay the callback event itself.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import worker from "../../src/index";
import { sendCallbackEvent } from "../../src/workflow";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { apiJson } from "./admin-helpers";
import { editLedger, inspect, ledgerStub, pendingTask, post, received, settled, waitFor, type Received } from "./helpers";

const swSign = (body: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body });

/** Post one event to a source; returns its id. */
async function postOne(source: string): Promise<string> {
  const signed = await swSign(sampleEvent("standard-webhooks", "job.requested"));
  expect((await post(source, signed)).status).toBe(202);
  return signed.headers["webhook-id"]!;
}

/** Run one batch on a queue's handler, as the runtime would. */
async function runBatch(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(queue, bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** Wait until a sink path got a delivered (2xx) copy of the callback event `eventId`. */
function callbackAt(path: string, eventId: string): Promise<Received[]> {
  return waitFor(async () => {
    const got = (await received(path, eventId)).filter((r) => r.status === 200);
    return got.length > 0 ? got : undefined;
  }, 20_000, `${eventId} at ${path}`);
}

/** Give stray work time to show itself (a second callback would be enqueued within this). */
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe("callback on delivered", () => {
  it("sends one callback event carrying the original identity, the response status, allowed headers and body", async () => {
    const id = await postOne("cbsrc");
    const view = await settled("cbsrc", id);
    const webhookId = view.tasks[0]!.webhookId;
    const [job] = await received("/cb/job", id);
    expect(job!.headers["edgehook-callback-url"]).toMatch(/^https:\/\/edgehook\.test\/callbacks\/[\w-]+\.[\w-]+$/);

    const [callback] = await callbackAt("/cb/results", `${webhookId}.delivered`);
    expect(callback!.verified).toBe(true);
    expect(callback!.headers["edgehook-source"]).toBe("_callback");
    expect(callback!.headers["edgehook-event-type"]).toBe("callback.delivered");
    expect(JSON.parse(callback!.body)).toEqual({
      type: "callback.delivered",
      hop: 1,
      path: ["cbJob"],
      parent: { source: "cbsrc", eventId: id, eventType: "job.requested", destination: "cbJob", webhookId },
      response: { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}', encoding: "utf8", truncated: false },
    });
    expect(await received("/cb/failures", `${webhookId}.dead`)).toHaveLength(0);
  });

  it("a redelivered message, a replay of the delivered task and a repeated emission make no second callback", async () => {
    const id = await postOne("cbsrc");
    const view = await settled("cbsrc", id);
    const child = `${view.tasks[0]!.webhookId}.delivered`;
    await callbackAt("/cb/results", child);

    // The queue redelivers the task's message: the ledger says delivered, nothing is sent.
    await runBatch("edgehook-delivery", [{ v: 1, ledger: `cbsrc:${id}`, destination: "cbJob" }]);
    // The operator replays the delivered task: the destination gets it again; the callback is a duplicate.
    expect(await ledgerStub("cbsrc", id).replay({ statuses: ["delivered"] })).toEqual({ replayed: ["cbJob"] });
    await waitFor(async () => (await received("/cb/job", id)).length === 2 || undefined, 20_000, "the replayed delivery");
    await settled("cbsrc", id);
    await settle();
    expect((await received("/cb/results", child)).filter((r) => r.status === 200)).toHaveLength(1);
    const stored = await inspect("_callback", child);
    expect(stored!.tasks).toMatchObject([{ destination: "cbResults", status: "delivered", attempts: 1 }]);
  });

  it("the operator can replay the callback event itself (same webhook-id at the callback destination)", async () => {
    const id = await postOne("cbsrc");
    const view = await settled("cbsrc", id);
    const child = `${view.tasks[0]!.webhookId}.delivered`;
    const [first] = await callbackAt("/cb/results", child);
    await apiJson(`/v1/event/replay?source=_callback&id=${encodeURIComponent(child)}`, 200, { body: { includeDelivered: true } });
    const both = await waitFor(async () => {
      const got = (await received("/cb/results", child)).filter((r) => r.status === 200);
      return got.length === 2 ? got : undefined;
    }, 20_000, "the replayed callback");
    expect(both[1]!.webhookId).toBe(first!.webhookId);
    expect(both[1]!.body).toBe(first!.body);
  });
});

describe("failure callback on dead", () => {
  it("a task that ends dead sends one failure callback with the last response, and no callback", async () => {
    const id = await postOne("cbdead");
    const view = await settled("cbdead", id);
    expect(view.tasks[0]).toMatchObject({ status: "dead", lastStatus: 422 });
    const webhookId = view.tasks[0]!.webhookId;
    const [failure] = await callbackAt("/cb/failures", `${webhookId}.dead`);
    expect(JSON.parse(failure!.body)).toMatchObject({
      type: "callback.dead",
      hop: 1,
      parent: { source: "cbdead", eventId: id, destination: "cbReject", webhookId },
      response: { status: 422, body: '{"ok":false}' },
      error: "http_422",
    });
    // Replayed, it dies again: still one failure callback; never a delivered callback.
    expect(await ledgerStub("cbdead", id).replay()).toEqual({ replayed: ["cbReject"] });
    await waitFor(async () => (await received("/fail/422/cb", id)).length === 2 || undefined, 20_000, "the replayed attempt");
    await settled("cbdead", id);
    await settle();
    expect((await received("/cb/failures", `${webhookId}.dead`)).filter((r) => r.status === 200)).toHaveLength(1);
    expect(await received("/cb/results", `${webhookId}.delivered`)).toHaveLength(0);
  });

  it("a task the dead-letter queue ends sends its failure callback once, however often the dead letter comes", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    await post("nowhere", signed);
    const webhookId = `msg_dlq_${crypto.randomUUID()}`;
    await editLedger("nowhere", id, (event) => event.tasks.push(pendingTask("cbJob", webhookId)));
    const letter = { v: 1, ledger: `nowhere:${id}`, destination: "cbJob" };
    expect((await runBatch("edgehook-dead", [letter])).explicitAcks).toEqual(["m0"]);
    expect((await runBatch("edgehook-dead", [letter])).explicitAcks).toEqual(["m0"]);
    const [failure] = await callbackAt("/cb/failures", `${webhookId}.dead`);
    expect(JSON.parse(failure!.body)).toMatchObject({ type: "callback.dead", parent: { source: "nowhere", eventId: id, destination: "cbJob", webhookId }, error: "queue_retries_exhausted" });
    await settle();
    expect((await received("/cb/failures", `${webhookId}.dead`)).filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe("failure callback on a failed transform, and refusals at run time", () => {
  it("a transform that throws ends the task dead (transform_failed) and sends its failure callback once", async () => {
    const id = await postOne("cbtx");
    const view = await settled("cbtx", id);
    expect(view.tasks[0]).toMatchObject({ status: "dead", lastError: "transform_failed" });
    const webhookId = view.tasks[0]!.webhookId;
    const [failure] = await callbackAt("/cb/failures", `${webhookId}.dead`);
    expect(JSON.parse(failure!.body)).toMatchObject({ type: "callback.dead", parent: { source: "cbtx", eventId: id, destination: "cbTxFail" }, error: "transform_failed" });
    expect(await received("/cb/txfail", id)).toHaveLength(0);
    await settle();
    expect((await received("/cb/failures", `${webhookId}.dead`)).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("a hop past maxHops, or back onto its own path, is stored and linked but gets no task", async () => {
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error("test config invalid");
    const parent = (webhookId: string) => ({ source: "cbsrc", eventId: `evt_${webhookId}`, eventType: "job.requested", destination: "cbJob", webhookId });
    const report = { kind: "delivered" as const, response: { status: 200, headers: {}, body: "{}", encoding: "utf8" as const, truncated: false } };
    const deep = `msg_deep_${crypto.randomUUID()}`;
    expect(await sendCallbackEvent(env, loaded.config, parent(deep), { hop: 8, path: [] }, "cbResults", report)).toEqual({ status: "accepted", tasks: 0 });
    const loop = `msg_loop_${crypto.randomUUID()}`;
    expect(await sendCallbackEvent(env, loaded.config, parent(loop), { hop: 1, path: ["cbResults"] }, "cbResults", report)).toEqual({ status: "accepted", tasks: 0 });
    for (const [webhookId, refused, hop] of [[deep, "hop_limit", 9], [loop, "cycle", 2]] as const) {
      const stored = await inspect("_callback", `${webhookId}.delivered`);
      expect(stored!.tasks).toEqual([]);
      const detail = await apiJson<{ payload: { data: string }; links: { parent: { webhookId: string } } }>(`/v1/event?source=_callback&id=${encodeURIComponent(`${webhookId}.delivered`)}`, 200);
      expect(JSON.parse(detail.payload.data)).toMatchObject({ hop, refused });
      expect(detail.links.parent.webhookId).toBe(webhookId);
    }
  });
});

describe("chain links on the dashboard event page", () => {
  /** GET a dashboard page with a session made through the login form. */
  async function dashboard(path: string): Promise<string> {
    const login = await exports.default.fetch("https://edgehook.test/dashboard/login", { method: "POST", headers: { origin: "https://edgehook.test" }, body: new URLSearchParams({ token: env.ADMIN_TOKEN }), redirect: "manual" });
    const cookie = /__Host-edgehook_session=[^;]+/.exec(login.headers.get("set-cookie") ?? "")![0];
    const res = await exports.default.fetch(`https://edgehook.test/dashboard${path}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return res.text();
  }

  it("the parent's page links its callback event, and the callback event's page links its parent", async () => {
    const id = await postOne("cbsrc");
    const view = await settled("cbsrc", id);
    const child = `${view.tasks[0]!.webhookId}.delivered`;
    await callbackAt("/cb/results", child);
    const parentPage = await dashboard(`/event?${new URLSearchParams({ source: "cbsrc", id })}`);
    const children = /<ul id="children">([\s\S]*?)<\/ul>/.exec(parentPage)![1]!;
    expect(children).toContain(`href="/dashboard/event?${new URLSearchParams({ source: "_callback", id: child }).toString().replace(/&/g, "&amp;")}"`);
    expect(children).toMatch(/cbJob<\/span> delivered → <a [^>]+>.*<\/a> → <span class="v">cbResults<\/span>: <span class="s-delivered">delivered<\/span>/);
    const childPage = await dashboard(`/event?${new URLSearchParams({ source: "_callback", id: child })}`);
    expect(/<p id="parent">([\s\S]*?)<\/p>/.exec(childPage)![1]).toContain(`href="/dashboard/event?${new URLSearchParams({ source: "cbsrc", id }).toString().replace(/&/g, "&amp;")}"`);
  });
});
