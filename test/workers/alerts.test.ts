/**
 * The alert stage in workerd: the real AlertCenter object, the real queue consumer and the real sink
 * as both alert channels (a webhook channel that fails each alert's first two tries, and a
 * Slack-shaped one). Rules, grouping, transitions, cooldown, channel retry, no self-alerting, storm bound.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { signalAlerts, type AlertRecord, type AlertSignal, type AlertState } from "../../src/alerts";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { post, received, waitFor } from "./helpers";

const center = () => env.ALERT_CENTER.get(env.ALERT_CENTER.idFromName("alerts"));
const HOOK = "/flaky/2/alerts";
const SLACK = "/slack-alerts";
const recent = async (): Promise<AlertRecord[]> => (await center().list(200)).recent;
const ofType = async (type: string, subject?: string) => (await recent()).filter((a) => a.type === type && (subject === undefined || a.destination === subject || a.source === subject));
const dead = (destination: string, i: number, error = "http_500_attempts_exhausted"): AlertSignal => ({ kind: "task.dead", source: "doomed", eventId: `evt_${i}`, destination, reason: error, error, at: Date.now() });

/** Move the center's clock-driven state forward: every time in it `ms` earlier, then run its alarm. */
async function ageAndRun(ms: number): Promise<void> {
  await runInDurableObject(center(), (_i, state) => {
    const s = state.storage.kv.get<AlertState>("state") ?? { dead: {}, auth: {}, rate: {}, nextBacklogCheck: 0 };
    for (const g of Object.values(s.dead)) Object.assign(g, { flushAt: g.flushAt === null ? null : g.flushAt - ms, quietAt: g.quietAt - ms, since: g.since - ms });
    for (const t of Object.values(s.auth)) t.buckets = t.buckets.map(([b, c]) => [b - ms, c]);
    for (const t of Object.values(s.rate)) Object.assign(t, { ok: t.ok.map(([b, c]) => [b - ms, c]), failed: t.failed.map(([b, c]) => [b - ms, c]) });
    s.nextBacklogCheck -= ms;
    if (state.storage.kv.get("state")) state.storage.kv.put("state", s);
    state.storage.sql.exec("UPDATE outbox SET next_at = next_at - ?", ms);
  });
  await runDurableObjectAlarm(center());
}
const state = () => runInDurableObject(center(), (_i, s) => s.storage.kv.get<AlertState>("state"));

beforeEach(async () => {
  await runInDurableObject(center(), (_i, state) => {
    state.storage.sql.exec("DELETE FROM history");
    state.storage.sql.exec("DELETE FROM outbox");
    state.storage.kv.delete("state");
  });
});

describe("grouping and cooldown", () => {
  it("a burst of dead tasks is one task.dead with the count, the first ids and the last error; later deaths make one follow-up at the cooldown's end", async () => {
    for (let call = 0; call < 3; call++) await signalAlerts(env, Array.from({ length: 10 }, (_, i) => dead("always500", call * 10 + i, call === 2 && i === 9 ? "http_503_attempts_exhausted" : undefined)));
    expect(await ofType("task.dead")).toEqual([]); // held for groupSeconds, so the burst is one notification
    await ageAndRun(2000);
    const [first, ...more] = await ofType("task.dead");
    expect(more).toEqual([]);
    expect(first).toMatchObject({ destination: "always500", source: "doomed", count: 30, lastError: "http_503_attempts_exhausted", eventIds: ["doomed/evt_0", "doomed/evt_1", "doomed/evt_2", "doomed/evt_3", "doomed/evt_4"], link: "/dashboard/dead-letters?destination=always500" });
    expect(first!.deliveries.map((d) => d.channel).sort()).toEqual(["hook", "team"]);

    await signalAlerts(env, Array.from({ length: 7 }, (_, i) => dead("always500", 100 + i)));
    await ageAndRun(2000); // still within the 600 s cooldown: nothing new
    expect(await ofType("task.dead")).toHaveLength(1);
    await ageAndRun(600_000);
    const followUps = (await ofType("task.dead")).filter((a) => a.id !== first!.id);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ count: 7, details: { total: 37, followUp: true } });
    await ageAndRun(600_000); // quiet for a cooldown: the burst is over
    expect((await state())!.dead).toEqual({});
  });
});

describe("transitions", () => {
  it("breaker and pause alert once per transition, whatever the repeats", async () => {
    const at = Date.now();
    const breaker = (s: "open" | "closed"): AlertSignal => ({ kind: "breaker", destination: "breaking", state: s, error: s === "open" ? "http_503" : null, at });
    await signalAlerts(env, [breaker("closed"), breaker("open"), breaker("open")]);
    await signalAlerts(env, [breaker("open"), breaker("closed"), breaker("closed")]);
    await signalAlerts(env, [{ kind: "pause", destination: "gone", paused: true, by: "gone", at }, { kind: "pause", destination: "gone", paused: true, by: "operator", at }]);
    await signalAlerts(env, [{ kind: "pause", destination: "gone", paused: false, by: "operator", at }, { kind: "pause", destination: "gone", paused: false, by: "operator", at }]);
    const types = (await recent()).map((a) => `${a.type} ${a.destination}`).sort();
    expect(types).toEqual(["destination.breaker_closed breaking", "destination.breaker_opened breaking", "destination.paused gone", "destination.resumed gone"]);
    expect((await ofType("destination.breaker_opened"))[0]).toMatchObject({ lastError: "http_503", link: "/dashboard/destinations#breaking" });
  });

  it("source.auth_failures: at the threshold within the window once, then .resolved once after a quiet window", async () => {
    const fail = (count: number): AlertSignal => ({ kind: "auth_failures", source: "stripe", count, reason: "signature_invalid", at: Date.now() });
    await signalAlerts(env, [fail(4), fail(5)]);
    expect(await ofType("source.auth_failures")).toEqual([]); // 9 < 10
    await signalAlerts(env, [fail(1)]);
    await signalAlerts(env, [fail(50)]);
    expect(await ofType("source.auth_failures")).toHaveLength(1);
    expect((await ofType("source.auth_failures"))[0]).toMatchObject({ source: "stripe", count: 10, lastError: "signature_invalid" });
    await ageAndRun(120_000); // failures still inside the 300 s window
    expect(await ofType("source.auth_failures.resolved")).toEqual([]);
    await ageAndRun(301_000);
    expect(await ofType("source.auth_failures.resolved")).toHaveLength(1);
    expect((await ofType("source.auth_failures.resolved"))[0]).toMatchObject({ count: 60 });
  });

  it("delivery.success_rate: below target with enough attempts opens once; recovery resolves once", async () => {
    const attempts = (successes: number, failures: number): AlertSignal => ({ kind: "attempts", destination: "faulty", successes, failures, at: Date.now() });
    await signalAlerts(env, [attempts(10, 5)]); // 15 attempts < minAttempts 20
    expect(await ofType("delivery.success_rate")).toEqual([]);
    await signalAlerts(env, [attempts(8, 2)]);
    await signalAlerts(env, [attempts(1, 9)]);
    const [open, ...rest] = await ofType("delivery.success_rate");
    expect(rest).toEqual([]);
    expect(open).toMatchObject({ destination: "faulty", details: { attempts: 25, successes: 18, percent: 72, targetPercent: 95 } });
    await ageAndRun(961_000); // the window (900 s) and one bucket (60 s)
    await signalAlerts(env, [attempts(40, 0)]);
    expect(await ofType("delivery.success_rate.resolved")).toHaveLength(1);
  });

  it("backlog.stalled from the index's oldest pending task, resolved when it drains", async () => {
    const db = env.EVENT_INDEX;
    const old = Date.now() - 3600_000;
    await db.prepare("INSERT INTO deliveries (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, updated_at) VALUES (?, 'stripe', 'evt_backlog', 'ok', 't', ?, 'pending', 1, ?)").bind(old, old, old).run();
    await ageAndRun(120_000);
    expect((await ofType("backlog.stalled"))[0]).toMatchObject({ count: 1, since: old, details: { thresholdSeconds: 900 } });
    await db.prepare("UPDATE deliveries SET status = 'delivered' WHERE event_id = 'evt_backlog'").run();
    await ageAndRun(120_000);
    expect(await ofType("backlog.stalled.resolved")).toHaveLength(1);
    expect(await ofType("backlog.stalled")).toHaveLength(1);
  });
});

describe("channels", () => {
  it("a webhook channel failing twice still gets the alert once (same webhook-id, signed); Slack gets text + blocks; the channel's failures raise nothing", async () => {
    await signalAlerts(env, [{ kind: "breaker", destination: "outage", state: "open", error: "http_502", at: Date.now() }]);
    const [alert] = await ofType("destination.breaker_opened", "outage");
    const slack = await waitFor(async () => (await received(SLACK)).find((r) => r.body.includes(alert!.id)), 10_000, "slack alert");
    const message = JSON.parse(slack.body) as { text: string; blocks: { type: string }[] };
    expect(message.text).toContain("[destination.breaker_opened]");
    expect(message.blocks.map((b) => b.type)).toEqual(["section", "section", "context"]);
    expect(slack.body).toContain("https://edgehook.test/dashboard/destinations#outage");
    const tries = await waitFor(async () => {
      const list = (await received(HOOK)).filter((r) => r.webhookId === alert!.id);
      return list.some((r) => r.status === 200) ? list : undefined;
    }, 20_000, "webhook channel to accept");
    expect(tries.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(tries.every((r) => r.verified)).toBe(true);
    const payload = JSON.parse(tries[2]!.body) as { type: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: "destination.breaker_opened", data: { id: alert!.id, destination: "outage", lastError: "http_502", link: "https://edgehook.test/dashboard/destinations#outage" } });
    const after = await recent();
    expect(after.map((a) => a.type)).toEqual(["destination.breaker_opened"]); // nothing about the channel
    expect(after[0]!.deliveries).toEqual([{ channel: "hook", state: "sent", tries: 3, lastError: null }, { channel: "team", state: "sent", tries: 1, lastError: null }]);
  });

  it("an alert storm is bounded: 300 transitions send at most maxPerHour notifications, the rest are kept as suppressed", async () => {
    const at = Date.now();
    for (let i = 0; i < 3; i++) {
      await signalAlerts(env, Array.from({ length: 100 }, (_, j): AlertSignal => ({ kind: "breaker", destination: `d${i * 100 + j}`, state: "open", error: null, at })));
    }
    const list = await recent();
    expect(list).toHaveLength(200); // the history keeps the newest HISTORY_LIMIT
    const counts = await runInDurableObject(center(), (_i, s) => s.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n);
    expect(counts).toBe(40 * 2); // maxPerHour alerts, to 2 channels each
    expect(list.filter((a) => a.suppressed)).toHaveLength(200);
  });
});

describe("from the pipeline", () => {
  it("events that die in the consumer raise one grouped task.dead per destination (a 4xx and exhausted retries)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks") });
      expect((await post("doomed", signed)).status).toBe(202);
      ids.push(signed.headers["webhook-id"]!);
    }
    // Each destination's burst: 3 dead tasks in its open group, and its first notification sent.
    const alerts = await waitFor(async () => {
      await runDurableObjectAlarm(center());
      const { open } = await center().list(200);
      const total = (d: string) => open.find((o) => o.type === "task.dead" && o.destination === d)?.count;
      const list = await ofType("task.dead");
      return total("rejects") === 3 && total("always500") === 3 && list.some((a) => a.destination === "always500") && list.some((a) => a.destination === "rejects") ? list : undefined;
    }, 50_000, "dead tasks to be alerted");
    expect(alerts.filter((a) => a.destination === "rejects").length).toBe(1);
    expect(alerts.find((a) => a.destination === "rejects")).toMatchObject({ lastError: "http_422", count: 3 });
    expect(alerts.find((a) => a.destination === "always500")!.lastError).toBe("http_500_attempts_exhausted");
    expect(alerts.filter((a) => a.destination === "always500").length).toBe(1); // a late death waits for the cooldown's follow-up
  }, 60_000);
});
