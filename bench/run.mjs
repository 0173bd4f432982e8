#!/usr/bin/env node
/**
 * `npm run bench`: Edgehook against the floor, the naive card and a hand-written peer, side by side
 * and interleaved in one run, then end-to-end latency and 1 MiB verification throughput.
 * Prints figures and ratios (and writes bench/results/latest.json); never asserts anything.
 *
 *   npm run bench -- [--rounds 2] [--duration 5] [--connections 16] [--only floor,card,edgehook,peer]
 *                    [--variant name=<worker entry>]...  adds Edgehook built from another entry (a copy
 *                                                of src/ before or after a change), for before/after figures
 *                    [--mixes fresh,duplicate,invalid]   measure only these mixes
 *                    [--quick]                           skip the end-to-end latency and 1 MiB sections
 */
import autocannon from "autocannon";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { signedEvent } from "./lib/events.mjs";
import { treeCpuMs } from "./lib/proc.mjs";
import { startRedis } from "./lib/redis.mjs";
import { percentile, startBenchSink } from "./lib/sink.mjs";
import { freePort, startServer } from "./lib/spawn.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const ROUNDS = Number(opt("rounds", "2"));
const DURATION = Number(opt("duration", "5"));
const CONNECTIONS = Number(opt("connections", "16"));
const VARIANTS = Object.fromEntries(args.flatMap((a, i) => (a === "--variant" ? [args[i + 1].split("=")] : [])));
const ONLY = opt("only", "floor,card,edgehook,peer").split(",").concat(Object.keys(VARIANTS));
const MIXES = opt("mixes", "fresh,duplicate,invalid").split(",");
const QUICK = args.includes("--quick");
const DUP_SET = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const sink = await startBenchSink();
const targets = {};
let redis;
async function startTargets() {
  for (const name of ONLY) {
    const dest = `${sink.url}/${name}`;
    if (name === "peer") {
      redis = await startRedis();
      const t = await startServer("bench/peer.mjs", ["--port", String(await freePort()), "--redis", redis.url, "--dest", dest]);
      targets[name] = { ...t, pids: [t.pid, redis.pid] };
    } else if (VARIANTS[name]) {
      const t = await startServer("bench/serve.mjs", ["edgehook", "--entry", VARIANTS[name], "--port", String(await freePort()), "--dest", dest]);
      targets[name] = { ...t, pids: [t.pid] };
    } else {
      const t = await startServer("bench/serve.mjs", [name, "--port", String(await freePort()), "--dest", dest]);
      targets[name] = { ...t, pids: [t.pid] };
    }
  }
  // The edgehook server at the lowest batch settings, for end-to-end latency only.
  if (ONLY.includes("edgehook") && !QUICK) {
    const t = await startServer("bench/serve.mjs", ["edgehook", "--port", String(await freePort()), "--dest", `${sink.url}/edgehook-b1`, "--batch", "1,0"]);
    targets["edgehook-b1"] = { ...t, pids: [t.pid] };
  }
}

let seq = 0;
const idFor = (target, kind) => `evt_${kind}_${target}_${process.pid}_${seq++}`;

async function prime(target, ids) {
  for (const id of ids) {
    const e = signedEvent(id);
    const res = await fetch(`${targets[target].url}/webhooks/stripe`, { method: "POST", headers: e.headers, body: e.body });
    await res.arrayBuffer();
    if (res.status >= 300 && target !== "floor") throw new Error(`priming ${target}: ${res.status}`);
  }
}

/** One measured cell: `mix` against `target` for DURATION seconds. */
async function cell(target, mix, { bytes = 1024, connections = CONNECTIONS, duration = DURATION } = {}) {
  const dupIds = Array.from({ length: DUP_SET }, () => idFor(target, "dup"));
  if (mix === "duplicate") await prime(target, dupIds);
  const delivered0 = sink.stats(target).count;
  let n = 0;
  const next = () => {
    if (mix === "fresh") return signedEvent(idFor(target, "fresh"), { bytes });
    if (mix === "duplicate") return signedEvent(dupIds[n++ % DUP_SET], { bytes });
    return signedEvent(idFor(target, "bad"), { bytes, valid: false });
  };
  const cpu0 = treeCpuMs(targets[target].pids);
  const result = await autocannon({
    url: `${targets[target].url}/webhooks/stripe`,
    method: "POST",
    connections,
    duration,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  const accepted = codes["202"] ?? 0;
  // Fresh events are only done when delivered: count the consumer's CPU too (bounded wait).
  let delivered = 0;
  if (mix === "fresh" && target !== "floor") {
    for (let i = 0; i < 600 && sink.stats(target).count - delivered0 < accepted; i++) await sleep(100);
    delivered = sink.stats(target).count - delivered0;
  }
  const cpu = treeCpuMs(targets[target].pids) - cpu0;
  const total = result.requests.total;
  return {
    target, mix, bytes,
    rps: total / duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerReq: total ? cpu / total : NaN,
    requests: total,
    errors: result.errors + result.timeouts,
    codes,
    delivered,
  };
}

const median = (xs) => percentile(xs, 50);

/** Ratios within one round (cells measured minutes apart see different background load). */
function withRoundRatios(rows) {
  for (const r of rows) {
    const same = (t) => rows.find((o) => o.round === r.round && o.mix === r.mix && o.bytes === r.bytes && o.target === t);
    const floor = same("floor");
    const card = same("card");
    r.xFloor = floor ? r.rps / floor.rps : NaN;
    r.xCard = card ? r.rps / card.rps : NaN;
    r.xCardCpu = card ? r.cpuMsPerReq / card.cpuMsPerReq : NaN;
  }
  return rows;
}

function summarise(rows) {
  const out = {};
  for (const r of withRoundRatios(rows)) {
    const k = `${r.mix}|${r.target}`;
    (out[k] ??= []).push(r);
  }
  return Object.fromEntries(
    Object.entries(out).map(([k, rs]) => [k, {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpuMsPerReq: median(rs.map((r) => r.cpuMsPerReq)),
      xFloor: median(rs.map((r) => r.xFloor)),
      xCard: median(rs.map((r) => r.xCard)),
      xCardCpu: median(rs.map((r) => r.xCardCpu)),
      codes: rs.map((r) => r.codes),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      rounds: rs.length,
    }]),
  );
}

function printTable(summary) {
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");
  for (const mix of MIXES) {
    console.log(`\n### ${mix} (${CONNECTIONS} connections, ${DURATION} s × ${ROUNDS} rounds, 1 KiB; medians; ratios are medians of per-round ratios)`);
    console.log("| target | req/s | p50 ms | p99 ms | CPU ms/req | × floor req/s | × card req/s | × card CPU/req | statuses |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (const t of ONLY) {
      const s = summary[`${mix}|${t}`];
      if (!s) continue;
      const statuses = [...new Set(s.codes.flatMap((c) => Object.keys(c)))].join(",") + (s.errors ? ` (+${s.errors} errors)` : "");
      console.log(`| ${t} | ${f(s.rps, 0)} | ${f(s.p50, 1)} | ${f(s.p99, 1)} | ${f(s.cpuMsPerReq, 3)} | ${f(s.xFloor)} | ${f(s.xCard)} | ${f(s.xCardCpu)} | ${statuses} |`);
    }
  }
}

/** End-to-end latency: paced fresh events, ingest → destination, measured by the sink. */
async function endToEnd(target, count = 200, perSecond = 40) {
  sink.reset(target);
  const started = Date.now();
  const sends = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    const e = signedEvent(idFor(target, "e2e"));
    sends.push(fetch(`${targets[target].url}/webhooks/stripe`, { method: "POST", headers: e.headers, body: e.body }).then((r) => r.arrayBuffer()));
  }
  await Promise.all(sends);
  for (let i = 0; i < 300 && sink.stats(target).count < count; i++) await sleep(100);
  const lat = sink.stats(target).latencies;
  return { target, delivered: lat.length, sent: count, p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat) };
}

await startTargets();
console.log(`# Edgehook benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; load generator autocannon in this process, each target in its own process`);
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const mix of MIXES) {
    // Rotate the order each round so no target always runs first (or right after the heaviest).
    const order = ONLY.map((_, i) => ONLY[(i + round) % ONLY.length]);
    for (const target of order) {
      const r = await cell(target, mix);
      rows.push({ round, ...r });
      console.error(`round ${round + 1} ${mix.padEnd(9)} ${target.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s p50 ${r.p50} p99 ${r.p99} cpu ${r.cpuMsPerReq.toFixed(3)} ms/req ${JSON.stringify(r.codes)}${r.delivered ? ` delivered ${r.delivered}` : ""}`);
    }
  }
}
const summary = summarise(rows);
printTable(summary);

const e2e = [];
for (const t of ["edgehook", "edgehook-b1", "card"].filter((t) => targets[t] && !QUICK)) e2e.push(await endToEnd(t));
console.log("\n### End-to-end latency (ingest → destination, 200 events at 40/s)");
console.log("| target | batch | delivered | p50 ms | p99 ms | max ms |\n| --- | --- | ---: | ---: | ---: | ---: |");
for (const r of e2e) {
  const batch = r.target === "edgehook-b1" ? "maxBatchSize 1, maxBatchTimeout 0" : "wrangler.toml default: 50, 1 s";
  console.log(`| ${r.target.replace("-b1", "")} | ${batch} | ${r.delivered}/${r.sent} | ${r.p50} | ${r.p99} | ${r.max} |`);
}

const big = [];
for (let round = 0; round < (QUICK ? 0 : ROUNDS); round++) {
  for (const [target, mix] of [["floor", "invalid"], ["edgehook", "invalid"], ["edgehook", "fresh"], ["card", "invalid"]].filter(([t]) => targets[t])) {
    big.push({ round, ...(await cell(target, mix, { bytes: 1024 * 1024, connections: 4 })) });
  }
}
console.log("\n### 1 MiB bodies (4 connections): verification throughput = invalid-signature rate × 1 MiB");
console.log("| target | mix | req/s | MiB/s | p50 ms | p99 ms | CPU ms/req |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |");
const bigSummary = summarise(big);
for (const [k, s] of Object.entries(bigSummary)) {
  const [mix, target] = k.split("|");
  console.log(`| ${target} | ${mix} | ${s.rps.toFixed(1)} | ${s.rps.toFixed(1)} | ${s.p50} | ${s.p99} | ${s.cpuMsPerReq.toFixed(2)} |`);
}

mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify({ at: new Date().toISOString(), rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS, rows, summary, e2e, big, bigSummary }, null, 1));
for (const t of Object.values(targets)) await t.stop();
redis?.stop();
await sink.close();
process.exit(0);
