/**
 * Short versions of the reliability suites (the long ones: `npm run soak`), against the real worker
 * served by workerd (Miniflare's own server, the real wrangler.toml bindings) and a real local
 * destination that injects faults. Sizes are small so CI stays fast; the assertions are the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChaosSink, type ChaosSink } from "../soak/chaos-sink";
import { badInput } from "../soak/fuzz";
import { startGateway, suiteConfig, type Gateway } from "../soak/harness";
import { crashRestart, destinationFaults, duplicateStorm } from "../soak/suites";

let sink: ChaosSink;
let gateway: Gateway;

beforeAll(async () => {
  sink = await startChaosSink();
  gateway = await startGateway(suiteConfig(sink.url));
});

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
});

describe("reliability (short)", () => {
  it("duplicate storm: 600 requests, half duplicates, 100 concurrent copies of one event → one acceptance and one delivery each", async () => {
    const r = await duplicateStorm(gateway.url, sink, { total: 600 });
    expect(r.hotAccepted).toBe(1);
    expect([...r.accepted.values()].filter((n) => n > 1)).toEqual([]);
    expect(r.accepted.size).toBe(r.events);
    expect(Object.keys(r.statuses).sort()).toEqual(["200", "202"]);
    expect(r.statuses[202]).toBe(r.events);
    expect(r.doubleDeliveries).toEqual([]);
    expect(r.missing).toEqual([]);
  });

  it("destination faults at 30%: every event ends delivered or dead with its last response; after healing and replay, all delivered", async () => {
    const r = await destinationFaults(gateway.url, sink, { events: 60 });
    expect(r.accepted).toBe(60);
    expect(r.finalBeforeHeal.pending).toBe(0);
    expect(r.finalBeforeHeal.delivered + r.finalBeforeHeal.dead).toBe(60);
    expect(r.finalBeforeHeal.deadWithoutRecord).toBe(0);
    expect(Object.keys(r.faultsInjected).length).toBeGreaterThan(1);
    expect(r.replayed).toBe(r.finalBeforeHeal.dead);
    expect(r.missing).toEqual([]);
    expect(r.deliveredAfterReplay).toBe(60);
    expect(r.doubleDeliveries).toEqual([]);
  });

  it("bad input: 600 generated malformed requests → only documented 4xx codes, nothing enqueued, no crash", async () => {
    const r = await badInput(gateway.url, sink, { runs: 600 });
    expect(r.violations).toEqual([]);
    expect(Object.keys(r.statuses).every((s) => Number(s) >= 400 && Number(s) < 500)).toBe(true);
    expect(r.enqueued).toBe(0);
    expect(Object.keys(r.codes).length).toBeGreaterThanOrEqual(5);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it("crash and restart: every event that got a 2xx is stored and delivered after a SIGKILL; provider retries complete the rest", async () => {
    // Re-drive quickly, so what the crash lost from the in-memory local queue comes back within seconds.
    const config = suiteConfig(sink.url, { redriveAfterSeconds: 2 });
    const r = await crashRestart((persist) => startGateway(config, persist ? { persist } : {}), sink, { events: 150, killAfter: 60 });
    expect(r.acknowledgedBeforeCrash).toBeGreaterThanOrEqual(60);
    expect(r.acknowledgedNotStored).toEqual([]);
    expect(r.acknowledgedNotDelivered).toEqual([]);
    expect(r.missingAfterProviderRetry).toEqual([]);
    expect(Object.keys(r.retryStatuses).every((s) => s === "200" || s === "202")).toBe(true);
  });
});
