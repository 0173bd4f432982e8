/**
 * The benchmark's targets do the work they stand for (docs/benchmarks.md). Timing is never tested
 * here, but a comparison is only honest if the naive card and the hand-written peer really verify,
 * deduplicate and deliver, and the floor really does neither. Each target is served exactly the way
 * `npm run bench` serves it (bench/serve.mjs, bench/peer.mjs with a real redis-server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedEvent } from "../../bench/lib/events.mjs";
import { startRedis } from "../../bench/lib/redis.mjs";
import { startBenchSink } from "../../bench/lib/sink.mjs";
import { freePort, startServer, type Served } from "../../bench/lib/spawn.mjs";
import { until } from "../soak/harness";

type Sink = Awaited<ReturnType<typeof startBenchSink>>;
let sink: Sink;
const stops: (() => unknown)[] = [];

beforeAll(async () => {
  sink = await startBenchSink();
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await sink?.close();
});

async function serve(target: "floor" | "card" | "edgehook" | "peer"): Promise<Served> {
  const dest = `${sink.url}/${target}`;
  let served: Served;
  if (target === "peer") {
    const redis = await startRedis();
    stops.push(redis.stop);
    served = await startServer("bench/peer.mjs", ["--port", String(await freePort()), "--redis", redis.url, "--dest", dest]);
  } else {
    served = await startServer("bench/serve.mjs", [target, "--port", String(await freePort()), "--dest", dest]);
  }
  stops.push(() => served.stop());
  return served;
}

/** A fresh event, the same event again (re-signed, as a provider's retry), and a forged one. */
async function exercise(url: string, tag: string): Promise<{ id: string; statuses: number[] }> {
  const id = `evt_targets_${tag}_${process.pid}`;
  const post = async (e: { body: string; headers: Record<string, string> }) => {
    const res = await fetch(`${url}/webhooks/stripe`, { method: "POST", headers: e.headers, body: e.body });
    await res.arrayBuffer();
    return res.status;
  };
  const statuses = [await post(signedEvent(id)), await post(signedEvent(id)), await post(signedEvent(`${id}_forged`, { valid: false }))];
  return { id, statuses };
}

describe("benchmark targets", () => {
  it("the floor answers 202 to everything and delivers nothing: it verifies and stores nothing", async () => {
    const served = await serve("floor");
    expect((await exercise(served.url, "floor")).statuses).toEqual([202, 202, 202]);
    expect(sink.stats("floor").count).toBe(0);
  });

  for (const target of ["card", "peer", "edgehook"] as const) {
    it(`${target}: accepts a fresh event once, answers its repeat as a duplicate, refuses a forgery, and delivers the event exactly once`, async () => {
      const served = await serve(target);
      const { statuses } = await exercise(served.url, target);
      expect(statuses).toEqual([202, 200, 401]);
      await until(() => sink.stats(target).count >= 1, 20_000, () => `${target}: nothing delivered`);
      await new Promise((r) => setTimeout(r, 500)); // a second delivery would land by now
      expect(sink.stats(target).count).toBe(1);
      expect([...sink.stats(target).ids.values()]).toEqual([1]);
    }, 120_000);
  }
});
