/**
 * The long reliability suites (`npm run soak`): the sizes the issue asks for. Each suite prints its
 * report (docs/reliability.md records them) and asserts the same properties as the CI versions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChaosSink, type ChaosSink } from "./chaos-sink";
import { badInput } from "./fuzz";
import { startGateway, suiteConfig, type Gateway } from "./harness";
import { crashRestart, destinationFaults, duplicateStorm } from "./suites";

/** Scales the storm, fault and crash sizes (fuzz stays at ≥ 10,000): locally each new event is a new SQLite database. */
const SIZE = Number(process.env.SOAK_SCALE ?? "1");
let sink: ChaosSink;

/** Each suite gets a fresh gateway: locally, thousands of SQLite databases from one suite slow the next. */
async function withGateway<T>(run: (gateway: Gateway) => Promise<T>): Promise<T> {
  const gateway = await startGateway(suiteConfig(sink.url));
  try {
    return await run(gateway);
  } finally {
    await gateway.stop();
  }
}

const report = (name: string, value: unknown) =>
  console.log(`SOAK ${name} ${JSON.stringify(value, (_k, v) => (v instanceof Map ? v.size : Array.isArray(v) && v.length > 20 ? `${v.length} items` : v))}`);

beforeAll(async () => {
  sink = await startChaosSink();
});

afterAll(async () => {
  await sink?.close();
});

describe("reliability (soak)", () => {
  it(`duplicate storm: ${20_000 * SIZE} requests, half duplicates, 100 concurrent copies of one event`, async () => {
    const r = await withGateway((gateway) => duplicateStorm(gateway.url, sink, { total: 20_000 * SIZE, settleMs: 600_000 }));
    report("storm", { ...r, accepted: r.accepted.size, doubleAccepted: [...r.accepted.values()].filter((n) => n > 1).length });
    expect(r.hotAccepted).toBe(1);
    expect([...r.accepted.values()].filter((n) => n > 1)).toEqual([]);
    expect(r.accepted.size).toBe(r.events);
    expect(Object.keys(r.statuses).sort()).toEqual(["200", "202"]);
    expect(r.doubleDeliveries).toEqual([]);
    expect(r.missing).toEqual([]);
  });

  it(`destination faults at 30%: ${2_000 * SIZE} events end delivered or dead; healed and replayed, all delivered`, async () => {
    const r = await withGateway((gateway) => destinationFaults(gateway.url, sink, { events: 2_000 * SIZE, settleMs: 900_000 }));
    report("faults", r);
    expect(r.accepted).toBe(r.events);
    expect(r.finalBeforeHeal.pending).toBe(0);
    expect(r.finalBeforeHeal.delivered + r.finalBeforeHeal.dead).toBe(r.events);
    expect(r.finalBeforeHeal.deadWithoutRecord).toBe(0);
    expect(r.finalBeforeHeal.dead).toBeGreaterThan(0);
    expect(r.replayed).toBe(r.finalBeforeHeal.dead);
    expect(r.missing).toEqual([]);
    expect(r.doubleDeliveries).toEqual([]);
  });

  it("bad input: 10,000 generated malformed requests", async () => {
    const [r, health] = await withGateway(async (gateway) => [await badInput(gateway.url, sink, { runs: 10_000 * Math.max(1, SIZE) }), (await fetch(`${gateway.url}/health`)).status] as const);
    report("fuzz", { ...r, violations: r.violations.slice(0, 5) });
    expect(r.violations).toEqual([]);
    expect(r.enqueued).toBe(0);
    expect(health).toBe(200);
  });

  it(`crash and restart: ${3_000 * SIZE} events, SIGKILL after ${1_000 * SIZE} answers, restart on the persisted state`, async () => {
    // Re-drive quickly, so what the crash lost from the in-memory local queue comes back within seconds.
    const config = suiteConfig(sink.url, { redriveAfterSeconds: 2 });
    const r = await crashRestart((persist) => startGateway(config, persist ? { persist } : {}), sink, { events: 3_000 * SIZE, killAfter: 1_000 * SIZE, settleMs: 600_000 });
    report("crash", r);
    expect(r.acknowledgedNotStored).toEqual([]);
    expect(r.acknowledgedNotDelivered).toEqual([]);
    expect(r.missingAfterProviderRetry).toEqual([]);
  });
});
