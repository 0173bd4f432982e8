#!/usr/bin/env node
/**
 * Ordered-delivery figures (a benchmark: it prints, it asserts nothing). The real local gateway
 * (wrangler dev on the real wrangler.toml) and sink; a strict-ordering destination that takes 50 ms
 * per request; 50 keys × 20 events posted shuffled and concurrently. Prints the time to deliver all
 * of them beside the serial time (events × 50 ms), the ratio, and order / completeness checks.
 * The reorder window must cover the posting time for strict order (events of a key arriving further
 * apart than the window are delivered in arrival order after the released one): the default, 60 s,
 * covers posting 1,000 events through the wrangler dev proxy on a loaded machine. The delivery phase
 * (first to last delivery) is compared with the serial time.
 * Usage: npm run bench:ordering [-- --keys 50 --per-key 20 --window 60]
 */
import { Webhook } from "standardwebhooks";
import { readDevVars, startSink } from "../scripts/sink.mjs";
import { startGateway } from "../test/e2e/gateway.ts";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const KEYS = arg("keys", 50);
const PER_KEY = arg("per-key", 20);
const WINDOW = arg("window", 60);
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
const wh = new Webhook(secrets.DEMO_WEBHOOK_SECRET);

const events = [];
const base = Date.now() - 3_600_000;
for (let k = 0; k < KEYS; k++) for (let n = 0; n < PER_KEY; n++) events.push({ key: `k${k}`, n, at: base + n * 1000 + k });
for (let i = events.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [events[i], events[j]] = [events[j], events[i]];
}

try {
  const started = Date.now();
  const queue = [...events];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const id = `msg_${crypto.randomUUID()}`;
      const now = new Date();
      const body = JSON.stringify({ type: "entity.updated", data: { key: e.key, n: e.n, at: e.at } });
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${gateway.url}/webhooks/ordered`, { method: "POST", headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now / 1000)), "webhook-signature": wh.sign(id, now, body) }, body });
          if (res.status === 202 || res.status === 200) break;
          throw new Error(`ingest ${res.status}`);
        } catch (error) {
          if (attempt >= 5) throw error;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
  }));
  const posted = Date.now() - started;
  const deadline = Date.now() + 300_000 + WINDOW * 1000;
  while (sink.received.filter((r) => r.status === 200).length < events.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const took = Date.now() - started;
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
  console.log(`  posted in ${(posted / 1000).toFixed(1)} s; all delivered ${(took / 1000).toFixed(1)} s after the first post`);
  console.log(`  delivery phase (first to last delivery): ${(phase / 1000).toFixed(1)} s; serial would be ${(serial / 1000).toFixed(1)} s → ${(serial / phase).toFixed(1)}× faster with keys in parallel`);
  console.log(`  delivered ${got.length}/${events.length}, distinct webhook-ids ${new Set(got.map((r) => r.webhookId)).size}, keys in order ${inOrder}/${perKey.size}`);
} finally {
  await gateway.stop();
  await sink.close();
}
