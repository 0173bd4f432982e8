#!/usr/bin/env node
/**
 * Serve one worker straight from workerd through Miniflare's own HTTP server (no `wrangler dev`:
 * its dev proxy alone caps a bare worker near 300 req/s on this machine).
 *
 *   node bench/serve.mjs <edgehook|floor|card> --port <n> [--dest <url>] [--persist <dir>]
 *        [--config <json file>] [--batch <maxBatchSize>,<maxBatchTimeout s>] [--redrive <s>]
 *        [--entry <worker entry, default src/index.ts: for before/after experiments>]
 *
 * `edgehook` runs src/index.ts bundled by esbuild with the bindings, Durable Objects and queues that
 * wrangler itself reads from the real wrangler.toml (`unstable_getMiniflareWorkerOptions`); only the
 * EDGEHOOK var, the secrets and (optionally) the consumer batch settings are overridden.
 * Prints `ready <url>` once listening; SIGTERM closes it, SIGKILL is a crash.
 */
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { bundle } from "./lib/bundle.mjs";
import { BENCH_SECRETS } from "./lib/secrets.mjs";

const args = process.argv.slice(2);
const target = args[0];
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i > 0 ? args[i + 1] : fallback;
};
const port = Number(opt("port", "0"));
const dest = opt("dest", "http://127.0.0.1:9/unset");
const persist = opt("persist", mkdtempSync(join(tmpdir(), `edgehook-bench-${target}-`)));
const [batchSize, batchTimeout] = (opt("batch", "") || "").split(",").map(Number);

/** Apply the D1 migrations (migrations/*.sql) to the event index, as `wrangler d1 migrations apply` would. */
async function applyMigrations() {
  if (!existsSync("migrations")) return;
  const db = await mf.getD1Database("EVENT_INDEX");
  for (const file of readdirSync("migrations").filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(join("migrations", file), "utf8")
      .split("\n")
      .filter((line) => !line.trim().startsWith("--"))
      .join("\n")
      .split(";")
      .map((q) => q.trim())
      .filter(Boolean);
    for (const q of statements) {
      try {
        await db.prepare(q).run();
      } catch (error) {
        // Restarting on persisted state (crash tests): the schema is already there.
        if (!/already exists/.test(String(error))) throw error;
      }
    }
  }
}

/** The default Edgehook config for benchmarks: one Stripe source to one destination. */
function edgehookConfig() {
  const file = opt("config");
  if (file) return JSON.parse(readFileSync(file, "utf8"));
  const redrive = opt("redrive");
  return {
    sources: { stripe: { provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], destinations: ["sink"] } },
    destinations: { sink: { url: dest, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 2000 } },
    ...(redrive ? { settings: { redriveAfterSeconds: Number(redrive) } } : {}),
  };
}

async function workerFor(name) {
  if (name === "edgehook") {
    const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
    const consumers = Object.fromEntries(
      Object.entries(workerOptions.queueConsumers ?? {}).map(([q, c]) => [q, batchSize ? { ...c, maxBatchSize: batchSize, maxBatchTimeout: batchTimeout } : c]),
    );
    return {
      ...workerOptions,
      name: "edgehook",
      modules: [{ type: "ESModule", path: "index.mjs", contents: await bundle(opt("entry", "src/index.ts")) }],
      bindings: { ...workerOptions.bindings, ...BENCH_SECRETS, EDGEHOOK: JSON.stringify(edgehookConfig()) },
      queueConsumers: consumers,
    };
  }
  if (name === "card") {
    return {
      name: "card",
      compatibilityDate: "2026-10-01",
      modules: [{ type: "ESModule", path: "index.mjs", contents: await bundle("bench/workers/card.ts") }],
      bindings: { STRIPE_WEBHOOK_SECRET: BENCH_SECRETS.STRIPE_WEBHOOK_SECRET, DEST_URL: dest },
      durableObjects: { SEEN: { className: "Seen", useSQLite: true } },
      queueProducers: { QUEUE: { queueName: "card-delivery" } },
      queueConsumers: { "card-delivery": { maxBatchSize: batchSize || 50, maxBatchTimeout: batchSize ? batchTimeout : 1, maxRetries: 100, retryDelay: 5 } },
    };
  }
  if (name === "floor") {
    return { name: "floor", compatibilityDate: "2026-10-01", modules: [{ type: "ESModule", path: "index.mjs", contents: await bundle("bench/workers/floor.ts") }] };
  }
  throw new Error(`unknown target ${name}; use edgehook, floor or card`);
}

const mf = new Miniflare({
  ...convertV4MiniflareOptions({ host: "127.0.0.1", port, workers: [await workerFor(target)] }),
  // Durable Objects (SQLite), D1, queues' state: kept here, so a restart on the same directory resumes.
  resourcePersistencePath: persist,
  // The worker still formats every log line; printing them is left out unless asked (BENCH_LOGS=1).
  handleStructuredLogs: (log) => {
    if (process.env.BENCH_LOGS) process.stderr.write(`${log.message}\n`);
  },
});
const url = await mf.ready;
if (target === "edgehook") await applyMigrations();
process.stdout.write(`ready ${url.origin}\n`);
process.on("SIGTERM", () => mf.dispose().finally(() => process.exit(0)));
