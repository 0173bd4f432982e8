/**
 * The delivery engine with the real queue, real Durable Objects and a real sink: routing filters,
 * circuit breaker, 410 pause/resume, rate limit, batching, large payloads, failure isolation.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { inspect, post, received, settled, waitFor, type Received } from "./helpers";

const swSign = (body: string | Uint8Array) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body });
const gate = (name: string) => env.DESTINATION_GATE.get(env.DESTINATION_GATE.idFromName(name));
const setSwitch = (name: string, status: number) => fetch(`${env.SINK_URL}/_control/switch/${name}?status=${status}`, { method: "POST" });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function postMany(source: string, n: number, body: (i: number) => string = () => sampleEvent("standard-webhooks")) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const signed = await swSign(body(i));
    const res = await post(source, signed);
    expect(res.status).toBe(202);
    ids.push(signed.headers["webhook-id"]!);
  }
  return ids;
}

describe("routing and filters", () => {
  it("routes by event-type glob and JSON field matches; filtered destinations are recorded", async () => {
    const both = await swSign(JSON.stringify({ type: "invoice.paid", data: { id: "inv_1", currency: "eur" } }));
    const typeOnly = await swSign(JSON.stringify({ type: "invoice.voided", data: { id: "inv_2", currency: "usd" } }));
    const fieldOnly = await swSign(JSON.stringify({ type: "charge.refunded", data: { id: "inv_3", currency: "chf" } }));
    const neither = await swSign(JSON.stringify({ type: "charge.refunded", data: { id: "ch_4", currency: "chf" } }));
    for (const s of [both, typeOnly, fieldOnly, neither]) expect((await post("routed", s)).status).toBe(202);
    const plan = async (s: typeof both) => {
      const view = (await settled("routed", s.headers["webhook-id"]!))!;
      return { tasks: view.tasks.map((t) => t.destination), filtered: view.event.filtered };
    };
    expect(await plan(both)).toEqual({ tasks: ["ok", "ok2"], filtered: [] });
    expect(await plan(typeOnly)).toEqual({ tasks: ["ok"], filtered: ["ok2"] });
    expect(await plan(fieldOnly)).toEqual({ tasks: ["ok2"], filtered: ["ok"] });
    expect(await plan(neither)).toEqual({ tasks: [], filtered: ["ok", "ok2"] });
    expect(await received("/ok2", neither.headers["webhook-id"])).toEqual([]);
  });
});

describe("circuit breaker", () => {
  it("opens after consecutive failures, stops attempts, probes after the cool-down, closes when healthy", async () => {
    await setSwitch("breaking", 503);
    const ids = await postMany("breaking", 4);
    await waitFor(async () => (await gate("breaking").status()).breaker.state === "open", 20_000, "breaker to open");
    const atOpen = (await received("/switch/breaking")).length;
    expect(atOpen).toBeGreaterThanOrEqual(3);
    // While open, no attempts reach the destination.
    let status = await gate("breaking").status();
    while (status.breaker.state === "open" && status.breaker.retryAt! - Date.now() > 300) {
      expect((await received("/switch/breaking")).length).toBe(atOpen);
      await pause(100);
      status = await gate("breaking").status();
    }
    await setSwitch("breaking", 200);
    for (const id of ids) expect((await settled("breaking", id, 30_000)).tasks[0]!.status).toBe("delivered");
    expect((await gate("breaking").status()).breaker).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    // The first request after the open period was a lone probe: the next one came only after it succeeded.
    const after = (await received("/switch/breaking")).slice(atOpen);
    const probe = after.find((r) => r.status === 200)!;
    expect(after.filter((r) => r.at < probe.at)).toHaveLength(after.indexOf(probe));
    // Tasks deferred by the breaker did not burn attempts: every task used few attempts.
    for (const id of ids) expect((await inspect("breaking", id))!.tasks[0]!.attempts).toBeLessThan(10);
  });
});

describe("410 Gone pauses the destination", () => {
  it("keeps every event while paused (parked), and delivers them on resume", async () => {
    await setSwitch("gone", 410);
    const [first] = await postMany("gone", 1);
    await waitFor(async () => (await gate("gone").status()).paused, 15_000, "pause");
    expect((await gate("gone").status()).pausedReason).toMatch(/410/);
    await setSwitch("gone", 200);
    const more = await postMany("gone", 3);
    const all = [first!, ...more];
    await waitFor(async () => (await gate("gone").status()).parked === all.length, 15_000, "all parked");
    for (const id of all) expect((await inspect("gone", id))!.tasks[0]!.status).toBe("pending");
    const beforeResume = (await received("/switch/gone")).filter((r) => r.status === 200).length;
    expect(beforeResume).toBe(0);
    const resumed = await gate("gone").resume();
    expect(resumed).toMatchObject({ paused: false, parked: 0 });
    for (const id of all) expect((await settled("gone", id, 20_000)).tasks[0]!.status).toBe("delivered");
    for (const id of all) expect((await received("/switch/gone", id)).filter((r) => r.status === 200)).toHaveLength(0 + 1);
  });
});

describe("Retry-After", () => {
  it("is respected to the second: the retry comes no sooner than asked (backoff base is 0 here)", async () => {
    const [id] = await postMany("retryAfter", 1);
    expect((await settled("retryAfter", id!, 20_000)).tasks[0]).toMatchObject({ status: "delivered", attempts: 2 });
    const [first, second] = await received("/retry-after/2/1", id);
    expect(first!.status).toBe(503);
    expect(second!.status).toBe(200);
    const waited = second!.at - first!.at;
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(waited).toBeLessThan(4000);
  });
});

describe("rate limit", () => {
  it("never exceeds perSecond (plus one second of burst) across consumer invocations", async () => {
    const ids = await postMany("limited", 40);
    for (const id of ids) await settled("limited", id, 30_000);
    const got = (await received("/ok-limited")).filter((r) => ids.includes(r.webhookId) || true);
    const times = got.map((r) => r.at).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(40);
    // In any window of w seconds, at most 10·w + 10 deliveries (rate 10/s, burst capacity 10).
    for (let i = 0; i < times.length; i++) {
      for (const w of [1, 2]) {
        const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + w * 1000).length;
        expect(inWindow).toBeLessThanOrEqual(10 * w + 10);
      }
    }
  });
});

describe("batching destination", () => {
  it("sends signed JSON arrays of at most maxEvents, each event once, and a partial batch after maxWaitSeconds", async () => {
    const ids = await postMany("batched", 12);
    await waitFor(async () => {
      const envelopes = (await received("/batch")).flatMap((r) => JSON.parse(r.body) as { eventId: string }[]);
      return ids.every((id) => envelopes.some((e) => e.eventId === id));
    }, 30_000, "all batched events");
    const posts = (await received("/batch")).filter((r) => (JSON.parse(r.body) as { eventId: string }[]).some((e) => ids.includes(e.eventId)));
    for (const p of posts) {
      expect(p.verified).toBe(true);
      const envelopes = JSON.parse(p.body) as { id: string; eventId: string; source: string; payload: { type: string } }[];
      expect(envelopes.length).toBeGreaterThanOrEqual(1);
      expect(envelopes.length).toBeLessThanOrEqual(5);
      expect(p.headers["edgehook-batch-size"]).toBe(String(envelopes.length));
      expect(p.webhookId).toMatch(/^batch_/);
      for (const e of envelopes) expect(e).toMatchObject({ source: "batched", payload: { type: "invoice.paid" } });
    }
    const all = posts.flatMap((p) => JSON.parse(p.body) as { eventId: string }[]).map((e) => e.eventId);
    expect(all.sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await settled("batched", id)).tasks[0]!.status).toBe("delivered");

    // Two events never fill a batch of 5: they go together once the first has waited ~maxWaitSeconds.
    const started = Date.now();
    const pair = await postMany("batched", 2);
    await waitFor(async () => (await received("/batch")).some((r) => pair.every((id) => r.body.includes(id))), 20_000, "partial batch");
    const partial = (await received("/batch")).find((r) => pair.every((id) => r.body.includes(id)))!;
    expect(JSON.parse(partial.body)).toHaveLength(2);
    expect(partial.at - started).toBeGreaterThanOrEqual(1500);
  });
});

describe("large payloads", () => {
  it("a 5 MiB event flows end to end intact (queue messages stay small; the ledger holds the body)", async () => {
    const filler = "x".repeat(5 * 1024 * 1024 - 200);
    const body = JSON.stringify({ type: "file.uploaded", data: { blob: filler } });
    const signed = await swSign(body);
    const id = signed.headers["webhook-id"]!;
    expect((await post("large", signed)).status).toBe(202);
    const view = await settled("large", id, 30_000);
    expect(view.tasks[0]!.status).toBe("delivered");
    expect(view.event.payloadBytes).toBe(signed.body.byteLength);
    const [got] = await received("/large", id);
    expect(got!.verified).toBe(true);
    expect(got!.body.length).toBe(body.length);
    expect(got!.body === body).toBe(true);
  });
});

describe("failure isolation", () => {
  it("a destination failing 30% at random never costs the healthy one an event; every task ends delivered or dead", async () => {
    const n = 150;
    const ids = await postMany("mixed", n);
    const views = [];
    for (const id of ids) views.push(await settled("mixed", id, 60_000));
    let faultyDelivered = 0;
    for (const view of views) {
      const [faulty, healthy] = view.tasks;
      expect(healthy).toMatchObject({ destination: "healthy", status: "delivered", attempts: 1 });
      expect(["delivered", "dead"]).toContain(faulty!.status);
      if (faulty!.status === "delivered") faultyDelivered++;
    }
    expect(faultyDelivered).toBeGreaterThan(n * 0.8);
    const healthy = await received("/healthy");
    const okPerId = new Map<string, number>();
    for (const r of healthy) okPerId.set(r.webhookId, (okPerId.get(r.webhookId) ?? 0) + 1);
    for (const view of views) expect(okPerId.get(view.tasks[1]!.webhookId)).toBe(1);
    // The faulty destination's successful (in-time, non-fault) receipts: at most one per webhook-id.
    const faulty: Received[] = (await received("/random/30")).filter((r) => r.status === 200 && !(r as Received & { fault?: string }).fault);
    const seen = new Map<string, number>();
    for (const r of faulty) seen.set(r.webhookId, (seen.get(r.webhookId) ?? 0) + 1);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });
});
