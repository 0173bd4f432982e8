#!/usr/bin/env node
/**
 * `npm run bench:encryption`: the cost of payload encryption at rest (settings.encryptionKeys).
 * Prints figures and the ratio; never asserts anything.
 *
 * 1. The envelope alone (src/crypt, WebCrypto in Node): per event, seal (new data key, wrap, seal
 *    body and headers) and open (unwrap, open body and headers), by body size.
 * 2. End to end in workerd: Edgehook with and without encryption side by side, rounds interleaved,
 *    fresh events accepted and delivered; CPU of each server's whole process tree per event, and
 *    the ratio within each round.
 *
 *   npm run bench:encryption -- [--rounds 3] [--duration 5] [--connections 8] [--bytes 1024]
 */
import autocannon from "autocannon";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundle } from "./lib/bundle.mjs";
import { signedEvent } from "./lib/events.mjs";
import { treeCpuMs } from "./lib/proc.mjs";
import { BENCH_SECRETS } from "./lib/secrets.mjs";
import { percentile, startBenchSink } from "./lib/sink.mjs";
import { freePort, startServer } from "./lib/spawn.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const ROUNDS = Number(opt("rounds", "3"));
const DURATION = Number(opt("duration", "5"));
const CONNECTIONS = Number(opt("connections", "8"));
const BYTES = Number(opt("bytes", "1024"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => percentile(xs, 50);
const dir = mkdtempSync(join(tmpdir(), "edgehook-bench-crypt-"));

// 1. The envelope alone.
const entry = join(dir, "crypt.mjs");
writeFileSync(entry, await bundle("bench/crypt-entry.ts"));
const crypt = await import(pathToFileURL(entry).href);
const ring = await crypt.keyringOf([{ name: "BENCH_PAYLOAD_KEY", bytes: Buffer.from(BENCH_SECRETS.BENCH_PAYLOAD_KEY, "base64") }]);
const headers = new TextEncoder().encode(JSON.stringify({ "content-type": "application/json" }));
console.log("envelope alone (Node WebCrypto, µs per event; median of 5 runs):");
for (const bytes of [1024, 64 * 1024, 1024 * 1024]) {
  const body = crypto.getRandomValues(new Uint8Array(Math.min(bytes, 65536)));
  const full = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += body.length) full.set(body.subarray(0, Math.min(body.length, bytes - at)), at);
  const n = bytes >= 1024 * 1024 ? 50 : 2000;
  const seal = [];
  const open = [];
  for (let run = 0; run < 5; run++) {
    let sealed;
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      const { dataKey, envelope } = await crypt.newDataKey(ring, `stripe:evt_${i}`);
      sealed = { envelope, body: await crypt.sealPart(dataKey, "body", full), headers: await crypt.sealPart(dataKey, "headers", headers), context: `stripe:evt_${i}` };
    }
    seal.push(((performance.now() - t) * 1000) / n);
    t = performance.now();
    for (let i = 0; i < n; i++) {
      const key = await crypt.openDataKey(ring, sealed.envelope, sealed.context);
      await crypt.openPart(key.dataKey, "body", sealed.body);
      await crypt.openPart(key.dataKey, "headers", sealed.headers);
    }
    open.push(((performance.now() - t) * 1000) / n);
  }
  console.log(`  ${String(bytes).padStart(8)} B body: seal ${median(seal).toFixed(1)} µs, open ${median(open).toFixed(1)} µs`);
}

// 2. End to end in workerd, with and without encryption.
const sink = await startBenchSink();
const configFor = (name, encrypted) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    sources: { stripe: { provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], destinations: ["sink"] } },
    destinations: { sink: { url: `${sink.url}/${name}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 2000 } },
    ...(encrypted ? { settings: { encryptionKeys: ["BENCH_PAYLOAD_KEY"] } } : {}),
  }));
  return file;
};
const targets = {};
for (const [name, encrypted] of [["plain", false], ["encrypted", true]]) {
  targets[name] = await startServer("bench/serve.mjs", ["edgehook", "--port", String(await freePort()), "--config", configFor(name, encrypted)]);
}

let seq = 0;
/** Fresh events for DURATION seconds; CPU of the server's process tree per event once all are delivered. */
async function cell(name) {
  const delivered0 = sink.stats(name).count;
  const cpu0 = treeCpuMs([targets[name].pid]);
  const result = await autocannon({
    url: `${targets[name].url}/webhooks/stripe`,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ setupRequest: (req) => ({ ...req, ...signedEvent(`evt_crypt_${name}_${process.pid}_${seq++}`, { bytes: BYTES }) }) }],
  });
  const accepted = result.statusCodeStats?.["202"]?.count ?? 0;
  for (let i = 0; i < 600 && sink.stats(name).count - delivered0 < accepted; i++) await sleep(100);
  const delivered = sink.stats(name).count - delivered0;
  const cpu = treeCpuMs([targets[name].pid]) - cpu0;
  return { name, rps: result.requests.total / DURATION, p99: result.latency.p99, accepted, delivered, cpuMsPerEvent: accepted ? cpu / accepted : NaN };
}

// Warm both (JIT, first objects), then interleave rounds, alternating which goes first.
await cell("plain");
await cell("encrypted");
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ["plain", "encrypted"] : ["encrypted", "plain"];
  const cells = {};
  for (const name of order) cells[name] = await cell(name);
  const ratio = cells.encrypted.cpuMsPerEvent / cells.plain.cpuMsPerEvent;
  rows.push({ round, plain: cells.plain, encrypted: cells.encrypted, ratio });
  console.log(
    `round ${round}: plain ${cells.plain.cpuMsPerEvent.toFixed(3)} ms CPU/event (${cells.plain.rps.toFixed(0)} req/s, ${cells.plain.delivered}/${cells.plain.accepted} delivered) · ` +
      `encrypted ${cells.encrypted.cpuMsPerEvent.toFixed(3)} ms CPU/event (${cells.encrypted.rps.toFixed(0)} req/s, ${cells.encrypted.delivered}/${cells.encrypted.accepted} delivered) · ratio ${ratio.toFixed(3)}`,
  );
}
const plain = median(rows.map((r) => r.plain.cpuMsPerEvent));
const encrypted = median(rows.map((r) => r.encrypted.cpuMsPerEvent));
console.log(`\nmedian over ${ROUNDS} rounds (${BYTES} B bodies, accepted and delivered, whole workerd process tree):`);
console.log(`  plain ${plain.toFixed(3)} ms CPU/event · encrypted ${encrypted.toFixed(3)} ms CPU/event · +${(encrypted - plain).toFixed(3)} ms · ratio ${median(rows.map((r) => r.ratio)).toFixed(3)} (median of per-round ratios)`);

for (const t of Object.values(targets)) await t.stop();
await sink.close();
process.exit(0);
