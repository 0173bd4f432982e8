/** Exactly-once acceptance, fan-out, the outbox alarm and self-cleanup, on the real Durable Object. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventLedger } from "../../src/ledger";
import { forgetRecentlyAccepted } from "../../src/ingest";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { editLedger, inspect, ledgerStub, post, received, settled, waitFor } from "./helpers";

const swSign = (body: string, id?: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("exactly-once acceptance", () => {
  it("50 concurrent posts of one event: one 202, 49 duplicates, one task, one delivery", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    const responses = await Promise.all(Array.from({ length: 50 }, () => post("sw", signed)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ status: string; id: string }>));
    expect(new Set(bodies.map((b) => b.id))).toEqual(new Set([id]));
    expect(bodies.filter((b) => b.status === "duplicate")).toHaveLength(49);

    const view = await settled("sw", id);
    expect(view.tasks).toHaveLength(1);
    expect(view.tasks[0]).toMatchObject({ destination: "ok", status: "delivered", attempts: 1 });
    await pause(500); // room for a wrongful second delivery to show up
    const got = await received("/ok", id);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
  });

  it("fans out one task per destination, each with its own stable webhook-id", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("fanout", signed)).status).toBe(202);
    const view = await settled("fanout", id);
    expect(view.tasks.map((t) => [t.destination, t.status])).toEqual([["ok", "delivered"], ["ok2", "delivered"]]);
    const [a, b] = [await received("/ok", id), await received("/ok2", id)];
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]!.webhookId).toBe(view.tasks[0]!.webhookId);
    expect(b[0]!.webhookId).toBe(view.tasks[1]!.webhookId);
    expect(a[0]!.webhookId).not.toBe(b[0]!.webhookId);
    expect(a[0]!.body).toBe(new TextDecoder().decode(signed.body)); // verbatim
  });

  it("a source with no destinations stores the event and plans nothing", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    expect((await post("nowhere", signed)).status).toBe(202);
    expect((await inspect("nowhere", signed.headers["webhook-id"]!))?.tasks).toEqual([]);
  });
});

describe("outbox alarm", () => {
  it("re-sends a task whose queue message was lost, and the destination gets it once", async () => {
    const id = `lost-${crypto.randomUUID()}`;
    const stub = ledgerStub("sw", id);
    const payload = new TextEncoder().encode(sampleEvent("standard-webhooks"));
    // The queue refuses the send (as if the message were lost): the event must still be stored.
    const result = await runInDurableObject(stub, async (instance: EventLedger) => {
      const holder = instance as unknown as { env: Record<string, unknown> };
      const real = holder.env;
      holder.env = { ...real, DELIVERY_QUEUE: { sendBatch: async () => { throw new Error("queue unavailable"); } } };
      try {
        return await instance.accept({
          event: { source: "sw", eventId: id, eventType: "invoice.paid", orderingKey: null, occurredAt: Date.now(), receivedAt: Date.now(), headers: {}, payload },
          destinations: ["ok"],
          dedupeWindowSeconds: 3600,
          redriveAfterSeconds: 300,
        });
      } finally {
        holder.env = real;
      }
    });
    expect(result).toEqual({ status: "accepted", tasks: 1 });
    await pause(300);
    expect(await received("/ok", id)).toHaveLength(0);
    expect((await inspect("sw", id))?.tasks[0]?.status).toBe("pending");

    // An alarm before the re-drive time leaves it alone (it may still be in the queue).
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await pause(300);
    expect(await received("/ok", id)).toHaveLength(0);

    // Five minutes later (time-travel the task), the alarm re-sends it.
    await editLedger("sw", id, (event) => event.tasks.forEach((t) => (t.dueAt -= 301_000)));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const view = await settled("sw", id);
    expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await received("/ok", id)).toHaveLength(1);
  });

  it("deletes itself after the dedupe window once every task is final; a later copy is new again", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("sw", signed)).status).toBe(202);
    await settled("sw", id);
    const stub = ledgerStub("sw", id);
    const alarm = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    const view = await inspect("sw", id);
    expect(alarm).toBe(view!.event.expiresAt); // next alarm = end of the 7-day window
    expect(view!.event.expiresAt - view!.event.receivedAt).toBe(7 * 86_400_000);

    await editLedger("sw", id, (event) => (event.expiresAt = Date.now() - 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await inspect("sw", id)).toBeNull();
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull(); // no alarm left either
    forgetRecentlyAccepted(); // the ingest isolate remembers accepting it 10 min long; the edit above faked 7 days
    expect((await post("sw", signed)).status).toBe(202);
  });

  it("keeps an expired event while a task is still pending", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    const stub = ledgerStub("flaky", id);
    await post("flaky", signed);
    await editLedger("flaky", id, (event) => {
      event.expiresAt = Date.now() - 1;
      event.tasks.forEach((t) => (t.status = "pending"));
    });
    await runDurableObjectAlarm(stub);
    expect(await inspect("flaky", id)).not.toBeNull();
    await waitFor(async () => (await received("/flaky/2", id)).length > 0);
  });
});

describe("replay", () => {
  it("re-opens dead tasks with the same webhook-id and a fresh attempt budget; pending and delivered ones are untouched; idempotent", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    await post("doomed", signed);
    const before = await settled("doomed", id, 20_000);
    expect(before.tasks.map((t) => t.status)).toEqual(["dead", "dead"]);
    const stub = ledgerStub("doomed", id);
    const first = await stub.replay({ destinations: ["rejects"] });
    expect(first).toEqual({ replayed: ["rejects"] });
    const after = await settled("doomed", id, 20_000);
    expect(after.tasks[1]).toMatchObject({ destination: "rejects", status: "dead", attempts: 1, webhookId: before.tasks[1]!.webhookId });
    expect(after.tasks[0]!.log).toHaveLength(3); // always500 untouched
    const got = await received("/fail/422", id);
    expect(got.map((r) => r.webhookId)).toEqual([before.tasks[1]!.webhookId, before.tasks[1]!.webhookId]);
    expect(await stub.replay({ statuses: ["delivered"] })).toEqual({ replayed: [] });
    expect(await ledgerStub("doomed", "never-stored").replay()).toBeNull();
  });
});
