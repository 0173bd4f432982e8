#!/usr/bin/env node
/**
 * Delivery-engine figures (a benchmark: it prints, it asserts nothing). Runs the real local gateway
 * (wrangler dev on the real wrangler.toml) and a real local sink, then measures:
 *   1. isolation: 2,000 events, half to a source whose destination is healthy alone, half to a source
 *      fanning out to a destination failing 30% at random (500, 503+Retry-After, slow past the
 *      timeout, connection reset) and another healthy one. Healthy-destination latency
 *      (post → receipt) with and without the failing sibling, completeness, repeats by webhook-id;
 *   2. rate limit: a 30 s burst to a destination limited to 20 requests/s.
 * Usage: npm run bench:delivery [-- --events 2000 --rate 20 --seconds 30]
 */
import { readDevVars, startSink } from "../scripts/sink.mjs";
import { startGateway } from "../test/e2e/gateway.ts";
import { arg, pool, postStandardWebhook } from "./lib/load.mjs";

const EVENTS = arg("events", 2000);
const RATE = arg("rate", 20);
const SECONDS = arg("seconds", 30);

const secrets = readDevVars(".dev.vars.example");
const sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET });
const dest = (path, extra = {}) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 2000, ...extra });
const sw = { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"] };
const gateway = await startGateway({
  secrets,
  config: {
    sources: { alone: { ...sw, destinations: ["healthyAlone"] }, mixed: { ...sw, destinations: ["faulty", "healthyBeside"] }, burst: { ...sw, destinations: ["limited"] } },
    destinations: {
      healthyAlone: dest("/alone"),
      healthyBeside: dest("/beside"),
      faulty: dest("/random/30", { retry: { maxAttempts: 5, baseSeconds: 1, capSeconds: 2 } }),
      limited: dest("/limited", { rateLimit: { perSecond: RATE } }),
    },
  },
});
const sent = new Map(); // webhook-id header of the inbound event → post time

async function postEvent(source) {
  const body = JSON.stringify({ type: "bench.event", timestamp: new Date().toISOString(), data: { n: Math.random() } });
  const t = Date.now();
  const id = await postStandardWebhook(`${gateway.url}/webhooks/${source}`, secrets.DEMO_WEBHOOK_SECRET, body);
  sent.set(id, t);
  return id;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const okOnce = (path) => sink.received.filter((r) => r.path === path && r.status === 200 && !r.fault);

try {
  // 1. Isolation
  const sources = Array.from({ length: EVENTS }, (_, i) => (i % 2 ? "mixed" : "alone"));
  const t0 = Date.now();
  const ids = { alone: [], mixed: [] };
  await pool(sources, 16, async (s) => ids[s].push(await postEvent(s)));
  const posted = Date.now() - t0;
  const deadline = Date.now() + 180_000;
  const done = () => okOnce("/alone").length >= ids.alone.length && okOnce("/beside").length >= ids.mixed.length;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const latency = (path) => okOnce(path).map((r) => r.at - sent.get(r.headers["edgehook-event-id"]));
  const [alone, beside] = [latency("/alone"), latency("/beside")];
  const repeats = (path) => {
    const counts = new Map();
    for (const r of okOnce(path)) counts.set(r.webhookId, (counts.get(r.webhookId) ?? 0) + 1);
    return [...counts.values()].filter((c) => c > 1).length;
  };
  // Wait (bounded) until the faulty destination's tasks are all final: delivered or dead.
  let states;
  const settleBy = Date.now() + 180_000;
  do {
    states = { delivered: 0, dead: 0, pending: 0, missing: 0 };
    await pool(ids.mixed, 16, async (id) => {
      const res = await fetch(`${gateway.url}/api/v1/events/mixed/${id}`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
      if (res.status !== 200) return void states.missing++;
      states[(await res.json()).tasks[0].status]++;
    });
    if (states.pending > 0) await new Promise((r) => setTimeout(r, 3000));
  } while (states.pending > 0 && Date.now() < settleBy);
  const faultyOk = new Set(okOnce("/random/30").map((r) => r.headers["edgehook-event-id"]));
  console.log(`isolation: ${EVENTS} events posted in ${(posted / 1000).toFixed(1)} s`);
  console.log(`  healthy alone        : ${alone.length}/${ids.alone.length} delivered, latency p50 ${pct(alone, 50)} ms, p99 ${pct(alone, 99)} ms, repeats ${repeats("/alone")}`);
  console.log(`  healthy beside faulty: ${beside.length}/${ids.mixed.length} delivered, latency p50 ${pct(beside, 50)} ms, p99 ${pct(beside, 99)} ms, repeats ${repeats("/beside")}`);
  console.log(`  ratio (beside/alone) : p50 ${(pct(beside, 50) / pct(alone, 50)).toFixed(2)}×, p99 ${(pct(beside, 99) / pct(alone, 99)).toFixed(2)}×`);
  console.log(`  faulty destination   : delivered ${states.delivered}, dead ${states.dead}, pending ${states.pending}, missing ${states.missing}; distinct in-time 2xx ${faultyOk.size}, repeats ${repeats("/random/30")}`);

  // 2. Rate limit over a burst
  const burst = Math.ceil(RATE * SECONDS * 1.5);
  await pool(Array.from({ length: burst }), 16, () => postEvent("burst"));
  const start = Date.now();
  while (Date.now() - start < (SECONDS + 3) * 1000) await new Promise((r) => setTimeout(r, 250));
  const times = okOnce("/limited").map((r) => r.at).sort((a, b) => a - b);
  const windowStart = times[0];
  const inWindow = times.filter((t) => t < windowStart + SECONDS * 1000).length;
  const achieved = inWindow / SECONDS;
  console.log(`rate limit: ${RATE}/s configured, ${burst} events posted; first ${SECONDS} s delivered ${inWindow} → ${achieved.toFixed(2)}/s (${((achieved / RATE - 1) * 100).toFixed(1)}% vs limit)`);
} finally {
  await gateway.stop();
  await sink.close();
}
