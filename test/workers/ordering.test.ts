/** Ordered delivery per entity key, with the real queue, sequencer objects and sink. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { apiJson } from "./admin-helpers";
import { inspect, post, received, waitFor, type Received } from "./helpers";

interface Planned { key: string; at: number; id: string; body: string; n: number }

/** `keys` × `perKey` events; occurred-at increases with n inside each key. */
function plan(prefix: string, keys: number, perKey: number, extra: (k: number, n: number) => Record<string, unknown> = () => ({})): Planned[] {
  const base = Date.now() - 60_000;
  const out: Planned[] = [];
  for (let k = 0; k < keys; k++) {
    for (let n = 0; n < perKey; n++) {
      const key = `${prefix}-k${k}`;
      const at = base + n * 1000 + k; // distinct per key, increasing with n
      const id = `msg_${prefix}_${k}_${n}_${crypto.randomUUID().slice(0, 8)}`;
      out.push({ key, at, id, n, body: JSON.stringify({ type: "entity.updated", data: { key, at, n, ...extra(k, n) } }) });
    }
  }
  return out;
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function postAll(source: string, events: Planned[], concurrency = 16) {
  const queue = shuffle(events);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: e.body, id: e.id });
      const res = await post(source, signed);
      expect(res.status).toBe(202);
    }
  }));
}

const dataOf = (r: Received) => (JSON.parse(r.body) as { data: { key: string; at: number; n: number } }).data;
const byKey = (rs: Received[]) => {
  const map = new Map<string, number[]>();
  for (const r of rs.sort((a, b) => a.at - b.at)) {
    const d = dataOf(r);
    map.set(d.key, [...(map.get(d.key) ?? []), d.n]);
  }
  return map;
};

describe("strict ordering", () => {
  it("1,000 events across 50 keys, posted shuffled and concurrently: each key in occurred-at order, none missing, none repeated", async () => {
    const events = plan("strict", 50, 20);
    await postAll("strict", events);
    const ours = async () => (await received("/strict")).filter((r) => r.status === 200 && dataOf(r).key.startsWith("strict-"));
    await waitFor(async () => (await ours()).length >= events.length, 120_000, "all strict deliveries");
    const got = await ours();
    expect(got).toHaveLength(events.length);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(events.length);
    for (const [key, ns] of byKey(got)) expect(ns, key).toEqual([...Array(20).keys()]);
  }, 180_000);

  it("keys run in parallel while each key has one request in flight (destination takes 50 ms)", async () => {
    const events = plan("par", 10, 5);
    const started = Date.now();
    await postAll("parallel", events);
    const ours = async () => (await received("/slow/50")).filter((r) => dataOf(r).key.startsWith("par-"));
    await waitFor(async () => (await ours()).length >= events.length, 60_000, "parallel deliveries");
    const got = await ours();
    const spans = got.map((r) => ({ key: dataOf(r).key, n: dataOf(r).n, end: r.at, start: r.at - 50 }));
    const overlap = (a: typeof spans[0], b: typeof spans[0]) => a.start < b.end && b.start < a.end;
    let sameKey = 0;
    let crossKey = 0;
    for (let i = 0; i < spans.length; i++) {
      for (let j = i + 1; j < spans.length; j++) {
        if (!overlap(spans[i]!, spans[j]!)) continue;
        if (spans[i]!.key === spans[j]!.key) sameKey++;
        else crossKey++;
      }
    }
    expect(sameKey).toBe(0);
    expect(crossKey).toBeGreaterThan(0);
    for (const [key, ns] of byKey(got)) expect(ns, key).toEqual([0, 1, 2, 3, 4]);
    console.log(JSON.stringify({ msg: "parallel_keys", events: events.length, serialMs: events.length * 50, tookMs: Date.now() - started, crossKeyOverlaps: crossKey }));
  });

  it("a dead head blocks only its own key until the operator skips it (admin API)", async () => {
    const events = plan("poison", 3, 3, (k, n) => (k === 0 && n === 0 ? { note: "POISON" } : {}));
    await postAll("poisoned", events);
    const ok = async () => (await received("/poison/POISON")).filter((r) => r.status === 200 && dataOf(r).key.startsWith("poison-"));
    await waitFor(async () => (await ok()).length >= 6, 30_000, "the healthy keys");
    const [head, ...rest] = events.filter((e) => e.key === "poison-k0");
    await waitFor(async () => (await inspect("poisoned", head!.id))?.tasks[0]?.status === "dead", 15_000, "head dead");
    // The operator sees the blocked key through the admin API, and skips its head there.
    expect(await apiJson("/v1/destinations/poisoned/keys/poison-k0", 200)).toMatchObject({ blocked: `poisoned:${head!.id}`, queued: 2, inFlight: null });
    for (const e of rest) expect((await inspect("poisoned", e.id))!.tasks[0]!.status).toBe("pending");
    expect((await ok()).filter((r) => dataOf(r).key === "poison-k0")).toHaveLength(0);

    expect(await apiJson("/v1/destinations/poisoned/keys/poison-k0/skip", 200, { method: "POST" })).toMatchObject({ blocked: null });
    await waitFor(async () => (await ok()).filter((r) => dataOf(r).key === "poison-k0").length === 2, 20_000, "the blocked key after skip");
    expect(byKey(await ok()).get("poison-k0")).toEqual([1, 2]);
  });
});

describe("ordering keys in the admin API", () => {
  it("404 for an unknown destination, 409 for one that does not order (or, to skip, is not strict), 401 without the token", async () => {
    expect(await apiJson<{ error: { code: string } }>("/v1/destinations/nope/keys/k", 404)).toMatchObject({ error: { code: "not_found" } });
    expect(await apiJson<{ error: { code: string } }>("/v1/destinations/ok/keys/k", 409)).toMatchObject({ error: { code: "not_ordered" } });
    expect(await apiJson<{ error: { code: string } }>("/v1/destinations/staleOrder/keys/k/skip", 409, { method: "POST" })).toMatchObject({ error: { code: "not_ordered" } });
    expect(await apiJson("/v1/destinations/staleOrder/keys/never-seen", 200)).toEqual({ queued: 0, inFlight: null, blocked: null, newest: null });
    expect(await apiJson("/v1/destinations/poisoned/keys/k/skip", 401, { method: "POST", token: null })).toMatchObject({ error: { code: "unauthorized" } });
  });
});

describe("drop-stale ordering", () => {
  it("never sends an older event after a newer one of its key; every skipped one is recorded stale", async () => {
    const events = plan("stale", 20, 10);
    await postAll("stale", events);
    const final = async () => {
      const views = await Promise.all(events.map((e) => inspect("stale", e.id)));
      return views.every((v) => v && v.tasks[0]!.status !== "pending") ? views : undefined;
    };
    const views = (await waitFor(final, 60_000, "all stale-mode tasks final"))!;
    const delivered = views.filter((v) => v!.tasks[0]!.status === "delivered").length;
    const stale = views.filter((v) => v!.tasks[0]!.status === "stale").length;
    expect(delivered + stale).toBe(events.length);
    const got = (await received("/jitter/40")).filter((r) => dataOf(r).key.startsWith("stale-"));
    expect(got).toHaveLength(delivered);
    for (const [key, ns] of byKey(got)) {
      for (let i = 1; i < ns.length; i++) expect(ns[i]!, key).toBeGreaterThan(ns[i - 1]!);
    }
    // The newest event of every key is always delivered.
    for (let k = 0; k < 20; k++) expect(byKey(got).get(`stale-k${k}`)!.at(-1)).toBe(9);
  }, 120_000);
});
