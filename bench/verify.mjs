#!/usr/bin/env node
/**
 * Verification throughput per primitive in workerd (wrangler's local runtime, as `wrangler dev`), at
 * 1 KiB and 1 MiB bodies, beside `openssl speed -hmac sha256` on this machine. A benchmark: it prints,
 * it asserts nothing. Each figure goes through the full preset verifier (header parsing, signed-content
 * assembly, WebCrypto verify). Usage: npm run bench:verify [-- --seconds 2] [--only hmac,webcrypto] (1 MiB only)
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { unstable_startWorker } from "wrangler";

const at = process.argv.indexOf("--seconds");
const SECONDS = at > 0 ? Number(process.argv[at + 1]) : 2;
const only = process.argv.indexOf("--only");
const SIZES = only > 0 ? [1024 * 1024] : [1024, 1024 * 1024];
const PRIMITIVES = ["webcrypto-hmac-sha256", "webcrypto-sha256", "hmac-sha256 (body only, github)", "hmac-sha256 (t.body, stripe)", "hmac-sha1", "hmac-sha512", "ed25519", "ecdsa-p256", "jwt-hs256", "token"];

/** openssl's HMAC-SHA256 throughput in bytes/s for a block size. */
function opensslHmac(size) {
  const out = execFileSync("openssl", ["speed", "-seconds", String(SECONDS), "-bytes", String(size), "-hmac", "sha256"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const line = out.split("\n").find((l) => l.startsWith("hmac(sha256)"));
  return Number(line.trim().split(/\s+/).at(-1).replace(/k$/, "")) * 1000;
}

process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";
const worker = await unstable_startWorker({
  config: "bench/verify-wrangler.toml",
  dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error" },
});
const call = async (q) => (await worker.fetch(`http://bench.local/?${new URLSearchParams(q)}`)).json();

/** Verifications per second: grow n until one batch takes ≥ SECONDS, subtract an empty round trip. */
async function measure(primitive, size) {
  await call({ primitive, size, n: 3 }); // prepare keys, warm up
  const t0 = performance.now();
  await call({ primitive, size, n: 0 });
  const overhead = performance.now() - t0;
  let n = size >= 1024 * 1024 ? 4 : 256;
  for (;;) {
    const start = performance.now();
    const { ok } = await call({ primitive, size, n });
    const ms = performance.now() - start - overhead;
    if (ok !== n) throw new Error(`${primitive}: only ${ok}/${n} verified`);
    if (ms >= SECONDS * 1000) return (n / ms) * 1000;
    n = Math.ceil(n * Math.min(8, Math.max(1.5, (SECONDS * 1100) / Math.max(ms, 1))));
  }
}

const selected = only > 0 ? PRIMITIVES.filter((p) => process.argv[only + 1].split(",").some((o) => p.startsWith(o))) : PRIMITIVES;
// The machine may be shared: openssl is measured right before each figure, so each ratio compares
// two measurements taken under the same load.
const rows = [];
for (const size of SIZES) {
  for (const primitive of selected) {
    const openssl = opensslHmac(size);
    const ops = await measure(primitive, size);
    const mbs = (ops * size) / 1e6;
    rows.push({ size: size === 1024 ? "1 KiB" : "1 MiB", primitive, "verifies/s": Math.round(ops), "MB/s": mbs.toFixed(1), "openssl MB/s": (openssl / 1e6).toFixed(0), "ratio": (mbs / (openssl / 1e6)).toFixed(2) });
  }
}
await worker.dispose();
const node = process.version;
const osslVersion = execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
console.log(`ratio = Edgehook verify MB/s ÷ openssl HMAC-SHA256 MB/s (${osslVersion}, measured just before); Node ${node}; ${SECONDS}s per figure`);
console.table(rows);
for (const r of rows.filter((r) => r.size === "1 MiB" && r.primitive.startsWith("hmac-sha256"))) {
  console.log(`target: ${r.primitive} at 1 MiB ≥ 0.8 × openssl HMAC-SHA256 → ${r.ratio}`);
}
console.log("(token compares never read the body, so its MB/s is not a hashing rate)");
