#!/usr/bin/env node
/**
 * npm run check [-- --remote] [--fix] [--config wrangler.toml] [--env NAME] [--var EDGEHOOK:<json>]
 *
 * Validates the configuration offline, without starting anything, with the worker's own config code
 * (src/check over src/config, bundled here with wrangler's esbuild): the EDGEHOOK schema, every secret
 * name it refers to against .dev.vars and [secrets].required (or, with --remote, the deployed worker's
 * secret list), destination URLs, and whether each transform's code can load (scripts/check-transforms.mjs). Prints each problem with its path and the fix; exit code 1 on any.
 * --fix adds referenced secret names missing from [secrets].required to wrangler.toml (and refreshes
 * worker-configuration.d.ts), since wrangler dev loads from .dev.vars only the names listed there.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readDevVars } from "./sink.mjs";
import { checkTransformsOffline } from "./check-transforms.mjs";
import { bundleTransformFiles } from "./transforms.mjs";
import { configArgs, readWranglerConfig, wrangler } from "./wrangler.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The check stage (src/check), bundled in memory: the same code the worker runs, no build step, no extra dependency. */
export async function loadCheckStage() {
  const { build } = await import("esbuild");
  const out = await build({ entryPoints: [resolve(root, "src/check/index.ts")], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "silent" });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}

/** The deployed worker's secret names, or { error } (a worker not deployed yet has none). */
export function remoteSecretNames(options) {
  const listed = wrangler(["secret", "list", "--format", "json", ...configArgs(options)]);
  if (listed.ok) {
    const start = listed.stdout.indexOf("[");
    try {
      return { names: JSON.parse(listed.stdout.slice(start)).map((s) => s.name) };
    } catch {
      return { error: `could not read wrangler secret list output:\n${listed.stdout}` };
    }
  }
  if (/not found/i.test(listed.stdout + listed.stderr)) return { names: [], notDeployed: true };
  return { error: `wrangler secret list failed:\n${listed.stderr || listed.stdout}` };
}

/**
 * Run the check; returns { ok, problems, warnings, fixed, missingSecrets }. Never exits the process.
 * @param {{ config?: string, env?: string, remote?: boolean, fix?: boolean, vars?: string[], secretNames?: string[] }} options
 *   secretNames: remote secret names already known (deploy passes them and adds those of --secrets-file)
 */
export async function runCheck(options = {}) {
  const config = options.config ?? "wrangler.toml";
  const wranglerConfig = await readWranglerConfig({ config, env: options.env });
  let edgehook = wranglerConfig.vars?.EDGEHOOK;
  for (const v of options.vars ?? []) {
    const at = v.indexOf(":");
    if (v.slice(0, at) === "EDGEHOOK") edgehook = v.slice(at + 1);
  }
  const required = wranglerConfig.secrets?.required;
  const warnings = [];
  let secrets;
  if (options.remote) {
    let names = options.secretNames;
    if (!names) {
      const remote = remoteSecretNames(options);
      if (remote.error) return { ok: false, problems: [remote.error], warnings, fixed: [], missingSecrets: [] };
      if (remote.notDeployed) warnings.push(`worker "${wranglerConfig.name}" is not deployed yet, so it has no secrets`);
      names = remote.names;
    }
    secrets = { where: "remote", names };
  } else {
    const devVars = resolve(wranglerConfig.configPath ? resolve(wranglerConfig.configPath, "..") : ".", ".dev.vars");
    if (!existsSync(devVars)) warnings.push(`no .dev.vars next to ${config}: npm run dev creates it from .dev.vars.example`);
    secrets = { where: "local", values: readDevVars(devVars) };
  }
  // The config resolves transforms/ files from a generated module; refresh it as dev and build do.
  bundleTransformFiles();
  const { checkConfig, addRequiredSecrets } = await loadCheckStage();
  const mtlsBindings = (wranglerConfig.mtls_certificates ?? []).map((m) => m.binding);
  const report = checkConfig({ edgehook, required, secrets, mtlsBindings });
  report.problems.push(...(await checkTransformsOffline(transformsOf(edgehook))));
  const fixed = [];
  if (options.fix && report.notRequired.length > 0) {
    const path = wranglerConfig.configPath ?? resolve(config);
    const updated = addRequiredSecrets(readFileSync(path, "utf8"), report.notRequired);
    if (updated !== null) {
      writeFileSync(path, updated);
      fixed.push(...report.notRequired);
      // The secret names are part of the generated Env type; keep `npm run typecheck` true.
      if (existsSync(resolve(path, "..", "worker-configuration.d.ts"))) wrangler(["types", ...configArgs(options)]);
      return { ...(await runCheck({ ...options, fix: false })), fixed };
    }
  }
  return { ok: report.problems.length === 0, problems: report.problems, warnings: [...warnings, ...report.warnings], fixed, missingSecrets: report.missingSecrets };
}

/** The `transforms` table of the EDGEHOOK var (object or JSON string); undefined when it is not readable (the schema check names why). */
function transformsOf(edgehook) {
  try {
    return (typeof edgehook === "string" ? JSON.parse(edgehook) : edgehook)?.transforms;
  } catch {
    return undefined;
  }
}

/** Print a check result for people; `prefix` marks the lines (e.g. "[dev]"). */
export function printCheck(result, prefix = "check:") {
  for (const name of result.fixed) console.log(`${prefix} added "${name}" to [secrets].required in wrangler.toml (wrangler dev loads from .dev.vars only the names listed there)`);
  for (const w of result.warnings) console.log(`${prefix} warning: ${w}`);
  for (const p of result.problems) console.error(`${prefix} ✗ ${p}`);
  if (result.ok) console.log(`${prefix} ✓ configuration valid`);
  else console.error(`${prefix} ${result.problems.length} problem(s); fix them and run npm run check again`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      remote: { type: "boolean", default: false },
      fix: { type: "boolean", default: false },
      config: { type: "string" },
      env: { type: "string" },
      var: { type: "string", multiple: true },
    },
  });
  const result = await runCheck({ ...values, vars: values.var });
  printCheck(result);
  process.exit(result.ok ? 0 : 1);
}
