/**
 * Cost per accepted event, counted rather than guessed: one Stripe event to one destination goes
 * through ingest → ledger → queue → consumer → destination → cleanup, and every billable operation
 * on the way is counted (docs/cost.md prices them). A change that adds a row write, a DO request or
 * a queue operation per event fails here first.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { pruneIndex } from "../../src/search";
import { forgetRecentlyAccepted } from "../../src/ingest";
import { flushNow, metricsStore } from "../../src/metrics";
import { beforeAll, describe, expect, it } from "vitest";
import { signRequest, sampleEvent } from "../support/signer";
import { TEST_SECRETS } from "../support/fixtures";
import { installMeter, readMeter, resetMeter, statementBreakdown, unmetered, type Counts } from "./cost-meter";
import { ledgerStub, post, received, waitFor } from "./helpers";

beforeAll(async () => {
  await installMeter();
  // The MetricsStore creates its tables once, on its first request ever: not a per-event cost.
  await unmetered(() => metricsStore(env)!.snapshot(Date.now(), []));
});

async function acceptOne(): Promise<{ eventId: string; counts: Counts; response: Response }> {
  const body = sampleEvent("stripe");
  const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
  const eventId = (JSON.parse(body) as { id: string }).id;
  resetMeter();
  const response = await post("stripe", signed);
  await waitFor(async () => (await received("/ok", eventId)).length > 0, 15_000, "delivery");
  // The consumer records the outcome after the destination answered: wait for that write too.
  await waitFor(async () => ((await readMeter()).doRequests["EventLedger.record"] ?? 0) > 0, 15_000, "record");
  // The metrics tally reaches its store in a coalesced flush a few seconds later: make it happen now.
  await readMeter();
  await flushNow(env);
  return { eventId, counts: await readMeter(), response };
}

describe("billable operations of one accepted event", () => {
  it("ingest, delivery and cleanup cost a fixed, small number of operations", async () => {
    const { eventId, counts, response } = await acceptOne();
    expect(response.status).toBe(202);

    // Durable Object requests: accept on ingest; record per delivery (the first attempt needs no
    // claim: its message carries the delivery inline); the gate twice per batch.
    const { "MetricsStore.add": metricsFlushes, ...pipeline } = counts.doRequests;
    expect(pipeline).toEqual({
      "EventLedger.accept": 1,
      "EventLedger.record": 1,
      "DestinationGate.admit": 1,
      "DestinationGate.report": 1,
    });
    // One queue message carrying the 1 KiB body inline (base64): one 64 KB write op (a read and a
    // delete follow).
    expect(counts.queueMessagesSent).toBe(1);
    expect(counts.queueWriteOps).toBe(1);
    expect(counts.queueBytesSent).toBeLessThan(4096);
    expect(counts.consumerInvocations).toBe(1);
    expect(counts.messagesConsumed).toBe(1);
    // Alarms: one set at accept (re-drive check), moved once when the task became final.
    expect(counts.alarmsSet).toBe(2);
    // SQLite rows written: the ledger's one `event` value at accept, rewritten once with the outcome
    // (the gate writes nothing while its breaker stays closed). Reads are $0.001/M.
    expect(counts.rowsWritten, statementBreakdown().join("\n")).toBe(2);
    expect(counts.rowsRead).toBeLessThanOrEqual(16);
    // The search index (D1): one upsert of the task's row (WITHOUT ROWID, no index entry while not dead).
    expect(counts.d1RowsWritten).toBe(D1_ROWS_WRITTEN_PER_EVENT);
    // Metrics (src/metrics): counted in memory, sent in one MetricsStore request per isolate per
    // flush interval — one here, two if the delivery came more than FLUSH_AFTER_MS after the accept.
    // Its rows: a total and a per-minute row per counter series (ingest, delivery) and one per
    // histogram (latency, time to delivery). Shared by every event an isolate counts in the interval.
    expect(metricsFlushes).toBeGreaterThanOrEqual(1);
    expect(metricsFlushes).toBeLessThanOrEqual(2);
    expect(counts.metricsRowsWritten).toBe(METRICS_ROWS_PER_LONE_EVENT);

    // Cleanup after the dedupe window: pretend the window has passed, then let the alarm run.
    const stub = ledgerStub("stripe", eventId);
    const rowsLeft = await unmetered(() =>
      runInDurableObject(stub, (_i, s) => {
        const event = s.storage.kv.get<{ expiresAt: number }>("event")!;
        s.storage.kv.put("event", { ...event, expiresAt: 0 });
        return [...s.storage.kv.list()].length;
      }),
    );
    resetMeter();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const cleanup = await readMeter();
    expect(cleanup.doRequests).toEqual({ "EventLedger.alarm": 1 });
    expect(cleanup.deleteAll).toBe(1);
    expect(cleanup.alarmsSet).toBe(0);
    // deleteAll removes the one `event` value (counted in docs/cost.md as a row written).
    expect(rowsLeft).toBe(1);
    expect(await unmetered(() => stub.inspect())).toBeNull();

    // Index retention (the hourly cron, settings.indexRetentionDays = 30): once the event is older
    // than that, its index row is deleted: one D1 row written.
    resetMeter();
    expect(await pruneIndex(env, 30, Date.now() + 31 * 86_400_000)).toBe(1);
    expect((await readMeter()).d1RowsWritten).toBe(1);
    console.log(JSON.stringify({ msg: "cost", accept: counts, cleanup, rowsDeletedByCleanup: rowsLeft }));
  });

  it("the destination gate is asked once per batch, not once per event", async () => {
    const bodies = Array.from({ length: 20 }, () => sampleEvent("stripe"));
    const signed = await Promise.all(bodies.map((body) => signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body })));
    resetMeter();
    const statuses = await Promise.all(signed.map(async (s) => (await post("stripe", s)).status));
    expect(statuses.every((s) => s === 202)).toBe(true);
    const ids = bodies.map((b) => (JSON.parse(b) as { id: string }).id);
    await waitFor(async () => {
      const got = new Set((await received("/ok")).map((r) => r.headers["edgehook-event-id"]));
      return ids.every((id) => got.has(id));
    }, 20_000, "20 deliveries");
    await waitFor(async () => ((await readMeter()).doRequests["EventLedger.record"] ?? 0) >= 20, 15_000, "20 records");
    const counts = await readMeter();
    expect(counts.doRequests["EventLedger.accept"]).toBe(20);
    expect(counts.doRequests["EventLedger.claim"]).toBeUndefined();
    expect(counts.queueMessagesSent).toBe(20);
    expect(counts.consumerInvocations).toBeLessThan(20);
    expect(counts.doRequests["DestinationGate.admit"]).toBe(counts.consumerInvocations);
    expect(counts.doRequests["DestinationGate.report"]).toBe(counts.consumerInvocations);
    expect(counts.rowsWritten).toBe(20 * 2);
    expect(counts.d1RowsWritten).toBe(20 * D1_ROWS_WRITTEN_PER_EVENT);
  });

  it("a duplicate of an event this isolate accepted costs one request and no Durable Object request", async () => {
    const body = sampleEvent("stripe");
    const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
    expect((await post("stripe", signed)).status).toBe(202);
    resetMeter();
    expect((await post("stripe", signed)).status).toBe(200);
    const counts = await readMeter();
    const { "MetricsStore.add": _flushed, ...pipeline } = counts.doRequests; // an earlier test's coalesced flush may land here
    expect(pipeline).toEqual({});
    expect(counts.rowsWritten).toBe(0);
    expect(counts.queueMessagesSent).toBe(0);
  });

  it("any other duplicate costs one request and one Durable Object request, and writes nothing", async () => {
    const body = sampleEvent("stripe");
    const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
    expect((await post("stripe", signed)).status).toBe(202);
    forgetRecentlyAccepted(); // as in another isolate, or after this one was evicted
    resetMeter();
    expect((await post("stripe", signed)).status).toBe(200);
    const counts = await readMeter();
    const { "MetricsStore.add": _flushed, ...pipeline } = counts.doRequests; // an earlier test's coalesced flush may land here
    expect(pipeline).toEqual({ "EventLedger.accept": 1 });
    expect(counts.rowsWritten).toBe(0);
    expect(counts.queueMessagesSent).toBe(0);
  });
});

/** MetricsStore rows written for an event counted alone in its flush interval (docs/cost.md). */
const METRICS_ROWS_PER_LONE_EVENT = 6;

/** Rows the event index (D1, src/search) writes per event delivered to one destination; docs/cost.md prices it. */
const D1_ROWS_WRITTEN_PER_EVENT = 1;
