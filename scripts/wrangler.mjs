/**
 * Running the repo's own wrangler from scripts (check, deploy): no metrics, no prompts (CI=true makes
 * wrangler take the non-interactive path), output captured. CLOUDFLARE_API_BASE_URL, CLOUDFLARE_API_TOKEN
 * and CLOUDFLARE_ACCOUNT_ID pass through from the environment.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));

/**
 * Run `wrangler <args>`; returns { ok, status, stdout, stderr }.
 * @param {string[]} args
 * @param {{ inherit?: boolean }} [options] inherit: show wrangler's output live instead of capturing it
 */
export function wrangler(args, { inherit = false } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    stdio: inherit ? "inherit" : "pipe",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return { ok: result.status === 0, status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** The config args (`--config`, `--env`) to pass on to every wrangler command. */
export function configArgs({ config, env }) {
  return [...(config ? ["--config", config] : []), ...(env ? ["--env", env] : [])];
}

/** Wrangler's reading of the config file, with `--env` applied (wrangler's own parser, so TOML edge cases agree). */
export async function readWranglerConfig({ config = "wrangler.toml", env } = {}) {
  const { unstable_readConfig } = await import("wrangler");
  return unstable_readConfig({ config, env }, { hideWarnings: true });
}
