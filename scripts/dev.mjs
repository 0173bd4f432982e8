#!/usr/bin/env node
/**
 * `npm run dev`: start the gateway locally with the sample config, and the sample destination.
 *   - copies .dev.vars.example to .dev.vars when missing (public development secrets);
 *   - bundles transforms/ (npm run transforms: transform files referenced by `file`);
 *   - runs `npm run check -- --fix` (adds secret names the config uses to [secrets].required, which
 *     is all wrangler dev loads from .dev.vars) and stops on any remaining problem;
 *   - starts the sample sink on 127.0.0.1:8788 (verifies and logs every delivery);
 *   - applies the D1 index migrations locally, then starts `wrangler dev` on 127.0.0.1:8787, offline,
 *     every binding local.
 * Then, in another terminal: `npm run send -- stripe` (or github, demo).
 */
import { copyFileSync, existsSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printCheck, runCheck } from "./check.mjs";
import { bundleTransformFiles } from "./transforms.mjs";
import { readDevVars, startSink } from "./sink.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("[dev] created .dev.vars from .dev.vars.example (development secrets only)");
}
// Transforms given as repository files (transforms/) are bundled into the worker before it is checked and built.
bundleTransformFiles();
const vars = process.argv.slice(2).filter((_, i, argv) => argv[i - 1] === "--var");
const check = await runCheck({ fix: true, vars });
printCheck(check, "[dev]");
if (!check.ok) process.exit(1);
const secret = readDevVars(".dev.vars").SINK_SIGNING_SECRET;
const sink = await startSink({ port: Number(process.env.SINK_PORT ?? 8788), secret, log: true });
console.log(`[dev] sample destination listening on ${sink.url}/hooks`);

// The search index (D1) needs its tables locally too; applying is idempotent.
const offline = { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "d1", "migrations", "apply", "edgehook-index", "--local"], { stdio: "inherit", env: offline });

const port = process.env.PORT ?? "8787";
const wrangler = spawn(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "dev", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
console.log(`[dev] gateway starting on http://127.0.0.1:${port} — then run: npm run send -- stripe`);

const stop = () => {
  wrangler.kill("SIGTERM");
  void sink.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  void sink.close().then(() => process.exit(code ?? 0));
});
