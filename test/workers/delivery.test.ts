/** Delivery: retries, dead records and consumer decisions, with the real queue and a real sink. */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config";
import { postSigned, SNIPPET_BYTES } from "../../src/delivery";
import worker from "../../src/index";
import { firstMessages, type DeliveryMessage } from "../../src/ledger";
import { INLINE_MESSAGE_BYTES } from "../../src/ledger/ledger";
import { loadPayload, type StoredEvent } from "../../src/ledger/store";
import { fromBase64 } from "../../src/shared/bytes";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { editLedger, inspect, ledgerStub, pendingTask, post, received, settled } from "./helpers";

const swSign = (body: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body });

/** Store an event for the destination-less source, then add one pending task by hand (as if planned under another config). */
async function eventWithHandMadeTask(destination: string): Promise<string> {
  const signed = await swSign(sampleEvent("standard-webhooks"));
  const id = signed.headers["webhook-id"]!;
  await post("nowhere", signed);
  await editLedger("nowhere", id, (event) => event.tasks.push(pendingTask(destination)));
  return id;
}

async function runBatch(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(queue, bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("delivery over the real queue", () => {
  it("a destination that fails twice gets the event on the third attempt, same webhook-id each time", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("flaky", signed)).status).toBe(202);
    const view = await settled("flaky", id, 20_000);
    expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200 });
    expect(view.tasks[0]!.log.map((a) => [a.attempt, a.status, a.error ?? null])).toEqual([[1, 500, "http_500"], [2, 500, "http_500"], [3, 200, null]]);
    const got = await received("/flaky/2", id);
    expect(got.map((r) => [r.attempt, r.status, r.headers["edgehook-attempt"]])).toEqual([[1, 500, "1"], [2, 500, "2"], [3, 200, "3"]]);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(1);
    expect(got.every((r) => r.verified)).toBe(true);
  });

  it("a destination that always fails ends dead after maxAttempts with the last response recorded; a 4xx is dead at once", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("doomed", signed)).status).toBe(202);
    const view = await settled("doomed", id, 20_000);
    const [fails, rejects] = view.tasks;
    expect(fails).toMatchObject({ destination: "always500", status: "dead", attempts: 3, lastStatus: 500, lastError: "http_500_attempts_exhausted" });
    expect(fails!.log[2]!.snippet).toBe('{"ok":false}');
    expect(rejects).toMatchObject({ destination: "rejects", status: "dead", attempts: 1, lastStatus: 422, lastError: "http_422" });
    expect(await received("/fail/500", id)).toHaveLength(3);
    expect(await received("/fail/422", id)).toHaveLength(1);
  });

  it("outbound headers follow the contract", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks", "invoice.voided"));
    const id = signed.headers["webhook-id"]!;
    await post("sw", signed);
    await settled("sw", id);
    const [got] = await received("/ok", id);
    expect(got!.headers).toMatchObject({
      "content-type": "application/json",
      "edgehook-source": "sw",
      "edgehook-event-type": "invoice.voided",
      "edgehook-attempt": "1",
    });
    expect(got!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(got!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
    expect(got!.headers).not.toHaveProperty("webhook-signature-original");
  });
});

describe("consumer decisions (createMessageBatch)", () => {
  it("skips (acks) a message whose task is already delivered: no second request", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    await post("sw", signed);
    await settled("sw", id);
    const result = await runBatch("edgehook-delivery", [{ v: 1, ledger: `sw:${id}`, destination: "ok" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await received("/ok", id)).toHaveLength(1);
  });

  it("acks malformed messages and messages for unknown events without storing anything", async () => {
    const result = await runBatch("edgehook-delivery", [{ hello: "world" }, { v: 1, ledger: "sw:never-seen", destination: "ok" }]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(await inspect("sw", "never-seen")).toBeNull();
  });

  it("retries a retryable failure with a delay, and records the attempt before answering", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    await post("doomed", signed);
    await settled("doomed", id, 20_000);
    // Re-open the always500 task to observe one decision in isolation.
    await editLedger("doomed", id, (event) => Object.assign(event.tasks.find((t) => t.destination === "always500")!, { status: "pending", attempts: 0, log: [] }));
    const result = await runBatch("edgehook-delivery", [{ v: 1, ledger: `doomed:${id}`, destination: "always500" }]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    // Backoff for attempt 1 with base 1 s, cap 1 s: 0 or 1 s (a 0 delay is reported as absent).
    expect([0, 1]).toContain(result.retryMessages[0]!.delaySeconds ?? 0);
    const task = (await inspect("doomed", id))!.tasks[0]!;
    expect(task).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500 });
  });

  it("marks the task dead when its destination was removed from config", async () => {
    const id = await eventWithHandMadeTask("retired");
    const result = await runBatch("edgehook-delivery", [{ v: 1, ledger: `nowhere:${id}`, destination: "retired" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect((await inspect("nowhere", id))!.tasks[0]).toMatchObject({ status: "dead", lastError: "destination_not_configured" });
  });

  it("the dead-letter consumer records a dead outcome for a pending task", async () => {
    const id = await eventWithHandMadeTask("ok");
    const result = await runBatch("edgehook-dead", [{ v: 1, ledger: `nowhere:${id}`, destination: "ok" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect((await inspect("nowhere", id))!.tasks[0]).toMatchObject({ status: "dead", lastError: "queue_retries_exhausted" });
  });
});

describe("the attempt's response snippet", () => {
  /** One attempt against a stubbed fetch answering `response`; returns the recorded snippet. */
  async function snippetOf(response: Response): Promise<string | undefined> {
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(response);
    try {
      return (await postSigned(loaded.config.destinations.get("ok")!, new Headers(), new Uint8Array(0), Date.now())).snippet;
    } finally {
      spy.mockRestore();
    }
  }
  const big = "x".repeat(4 * SNIPPET_BYTES);
  const streamed = (text: string) => new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(text)), c.close()) });

  it("keeps a small declared-length body whole", async () => {
    expect(await snippetOf(new Response('{"ok":true}', { headers: { "content-length": "11" } }))).toBe('{"ok":true}');
  });

  it("bounds a larger body, declared or streamed, to SNIPPET_BYTES", async () => {
    expect(await snippetOf(new Response(big, { headers: { "content-length": String(big.length) } }))).toBe(big.slice(0, SNIPPET_BYTES));
    expect(await snippetOf(new Response(streamed(big)))).toBe(big.slice(0, SNIPPET_BYTES));
    expect(await snippetOf(new Response(streamed("short")))).toBe("short");
  });
});

describe("the first attempt without a claim (inline delivery)", () => {
  /** Deliver a fresh `sw` event; return its id, the body sent and the first messages the ledger builds for what it stored. */
  async function deliveredEvent(change: (event: StoredEvent) => void = () => {}, payload?: Uint8Array) {
    const body = sampleEvent("standard-webhooks");
    const signed = await swSign(body);
    const id = signed.headers["webhook-id"]!;
    await post("sw", signed);
    await settled("sw", id);
    const messages = await runInDurableObject(ledgerStub("sw", id), async (_i, state) => {
      const event = state.storage.kv.get<StoredEvent>("event")!;
      change(event);
      return firstMessages(`sw:${id}`, event, payload ?? (await loadPayload(state.storage.kv, event, null))!);
    });
    return { id, body, messages, view: (await inspect("sw", id))! };
  }

  it("the ledger's first message carries the delivery, with the task's webhook-id and its re-drive deadline", async () => {
    const { id, body, messages, view } = await deliveredEvent();
    expect(messages).toHaveLength(1);
    const inline = messages[0]!.inline!;
    expect(inline).toMatchObject({ webhookId: view.tasks[0]!.webhookId, source: "sw", eventId: id, eventType: view.event.eventType });
    expect(new TextDecoder().decode(fromBase64(inline.payload)!)).toBe(body);
    // The task's first re-drive check: due time plus redriveAfterSeconds (300 s by default).
    expect(inline.until - view.tasks[0]!.dueAt).toBe(300_000);
  });

  it("an ordered event's carries its key as well; a large event's carries none", async () => {
    const ordered = await deliveredEvent((event) => (event.orderingKey = "cus_1"));
    expect(ordered.messages[0]).toMatchObject({ key: "cus_1", inline: { orderingKey: "cus_1" } });
    const large = await deliveredEvent(() => {}, new Uint8Array(INLINE_MESSAGE_BYTES + 1));
    expect(large.messages[0]!.inline).toBeUndefined();
    const fits = await deliveredEvent(() => {}, new Uint8Array(30 * 1024));
    expect(fits.messages[0]!.inline).toBeDefined();
  });

  it("a first delivery attempts from the message without asking the ledger", async () => {
    // The ledger already holds the task as delivered, which cannot happen to a real first delivery
    // before its deadline; here it shows that the attempt did not consult the ledger.
    const { id, messages } = await deliveredEvent();
    const result = await runBatch("edgehook-delivery", messages);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await received("/ok", id)).toHaveLength(2);
    expect((await inspect("sw", id))!.tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("a redelivered message and a message near its deadline ask the ledger, which skips the delivered task", async () => {
    const { id, messages } = await deliveredEvent();
    const redelivered = await runBatch("edgehook-delivery", messages, 2);
    expect(redelivered.explicitAcks).toEqual(["m0"]);
    // The attempt (timeout 2 s + 5 s margin) would end after the deadline: claim instead.
    const late: DeliveryMessage = { ...messages[0]!, inline: { ...messages[0]!.inline!, until: Date.now() + 6_000 } };
    expect((await runBatch("edgehook-delivery", [late])).explicitAcks).toEqual(["m0"]);
    expect(await received("/ok", id)).toHaveLength(1);
  });

  it("a deferred copy (batch not full yet) drops the inline delivery, so its attempt claims", async () => {
    const { messages } = await deliveredEvent();
    const sent: unknown[] = [];
    const queue = { send: async () => {}, sendBatch: async (batch: { body: unknown }[]) => void sent.push(...batch.map((m) => m.body)) };
    const batch = createMessageBatch("edgehook-delivery", [{ id: "m0", timestamp: new Date(), attempts: 1, body: { ...messages[0]!, destination: "batched" } }]);
    await worker.queue(batch, { ...env, DELIVERY_QUEUE: queue as unknown as typeof env.DELIVERY_QUEUE });
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(["m0"]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ ledger: messages[0]!.ledger, destination: "batched" });
    expect(sent[0]).not.toHaveProperty("inline");
  });
});
