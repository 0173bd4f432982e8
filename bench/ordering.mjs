#!/usr/bin/env node
/**
 * Ordered-delivery figures (a benchmark: it prints, it asserts nothing). The real local gateway
 * (wrangler dev on the real wrangler.toml) and sink; a strict-ordering destination that takes 50 ms
 * per request; 50 keys × 20 events posted shuffled and concurrently; order and completeness checks.
 * Posting 1,000 events through the wrangler dev proxy takes longer than a reorder window, so the
 * destination is paused (admin API) while they are posted — the backlog a destination faces after an
 * outage — and resumed once all are stored: the time from resume to the last delivery is compared
 * with the serial time (events × 50 ms).
 * Usage: npm run bench:ordering [-- --keys 50 --per-key 20 --window 3]
 */
import { readDevVars, startSink } from "../scripts/sink.mjs";
import { startGateway } from "../test/e2e/gateway.ts";
import { arg, pool, postStandardWebhook } from "./lib/load.mjs";

const KEYS = arg("keys", 50);
const PER_KEY = arg("per-key", 20);
const WINDOW = arg("window", 3);
const SLOW_MS = 50;

const secrets = readDevVars(".dev.vars.example");
const sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET });
const gateway = await startGateway({
  secrets,
  config: {
    sources: { ordered: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["strict"], orderingKey: { path: "data.key" }, occurredAt: { path: "data.at" } } },
    destinations: {
      strict: { url: `${sink.url}/slow/${SLOW_MS}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, ordering: { mode: "strict", reorderWindowSeconds: WINDOW } },
    },
  },
});

const events = [];
const base = Date.now() - 3_600_000;
for (let k = 0; k < KEYS; k++) for (let n = 0; n < PER_KEY; n++) events.push({ key: `k${k}`, n, at: base + n * 1000 + k });
for (let i = events.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [events[i], events[j]] = [events[j], events[i]];
}

const admin = (path, body) =>
  fetch(`${gateway.url}/api/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });

try {
  const paused = await admin("/destinations/strict/pause", { reason: "bench: build a backlog" });
  if (paused.status !== 200) throw new Error(`pause: ${paused.status} ${await paused.text()}`);
  const started = Date.now();
  await pool(events, 16, (e) =>
    postStandardWebhook(`${gateway.url}/webhooks/ordered`, secrets.DEMO_WEBHOOK_SECRET, JSON.stringify({ type: "entity.updated", data: { key: e.key, n: e.n, at: e.at } })),
  );
  const posted = Date.now() - started;
  await new Promise((r) => setTimeout(r, 5000)); // let the last messages reach the (paused) gate and park
  const resumedAt = Date.now();
  const resumed = await admin("/destinations/strict/resume");
  if (resumed.status !== 200) throw new Error(`resume: ${resumed.status} ${await resumed.text()}`);
  const deadline = Date.now() + 300_000;
  while (sink.received.filter((r) => r.status === 200).length < events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const took = Date.now() - resumedAt;
  const got = sink.received.filter((r) => r.status === 200).sort((a, b) => a.at - b.at);
  const perKey = new Map();
  for (const r of got) {
    const { key, n } = JSON.parse(r.body).data;
    perKey.set(key, [...(perKey.get(key) ?? []), n]);
  }
  let inOrder = 0;
  for (const ns of perKey.values()) if (ns.every((n, i) => i === 0 || n > ns[i - 1])) inOrder++;
  const serial = events.length * SLOW_MS;
  const phase = got.length ? got.at(-1).at - got[0].at + SLOW_MS : 0;
  console.log(`strict ordering: ${KEYS} keys × ${PER_KEY} events, destination ${SLOW_MS} ms per request, reorder window ${WINDOW} s`);
  console.log(`  posted (destination paused) in ${(posted / 1000).toFixed(1)} s; resumed; all delivered ${(took / 1000).toFixed(1)} s after resume (window included)`);
  console.log(`  first to last delivery: ${(phase / 1000).toFixed(1)} s; serial would be ${(serial / 1000).toFixed(1)} s → ${(serial / phase).toFixed(1)}× faster with keys in parallel (${(serial / took).toFixed(1)}× counting from resume)`);
  console.log(`  delivered ${got.length}/${events.length}, distinct webhook-ids ${new Set(got.map((r) => r.webhookId)).size}, keys in order ${inOrder}/${perKey.size}`);
} finally {
  await gateway.stop();
  await sink.close();
}
