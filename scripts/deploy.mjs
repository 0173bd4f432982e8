#!/usr/bin/env node
/**
 * npm run deploy [-- --dry-run] [--secrets-file FILE] [--config wrangler.toml] [--env NAME]
 *
 * Idempotent provisioning, then deploy, with wrangler's own commands (so CLOUDFLARE_API_TOKEN,
 * CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_BASE_URL work as for wrangler):
 *   1. every queue wrangler.toml names (producers, consumers, dead-letter queues): created when missing
 *      (wrangler deploy creates producer queues, but not a queue that is only consumed);
 *   2. every D1 database: created when missing, its id written into wrangler.toml (replacing the
 *      placeholder), then its migrations applied (remote);
 *   3. transforms/ bundled (npm run transforms), then the config checked against the worker's secrets
 *      (npm run check -- --remote): any problem, or a secret the config needs that is not set, stops
 *      here, naming them;
 *   4. wrangler deploy.
 * --dry-run prints the plan (reads only) and changes nothing. --secrets-file (NAME=value lines or JSON)
 * counts as set and is passed on to wrangler deploy: the only way to give a worker that does not exist
 * yet its secrets.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { printCheck, remoteSecretNames, runCheck } from "./check.mjs";
import { readDevVars } from "./sink.mjs";
import { configArgs, readWranglerConfig, wrangler } from "./wrangler.mjs";

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    "secrets-file": { type: "string" },
    config: { type: "string" },
    env: { type: "string" },
  },
});
const dryRun = values["dry-run"];
const target = { config: values.config, env: values.env };
const cfArgs = configArgs(target);
const say = (line) => console.log(`[deploy] ${line}`);
const plan = (line) => say(dryRun ? `would ${line}` : line);

/** Stop with wrangler's own words. */
function fail(what, result) {
  console.error(`[deploy] ✗ ${what}\n${(result.stderr || result.stdout).trim()}`);
  process.exit(1);
}

const config = await readWranglerConfig({ config: values.config ?? "wrangler.toml", env: values.env });
const configPath = config.configPath ?? resolve("wrangler.toml");

// 1. Queues.
const queues = new Set();
for (const p of config.queues?.producers ?? []) queues.add(p.queue);
for (const c of config.queues?.consumers ?? []) {
  queues.add(c.queue);
  if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
}
for (const queue of queues) {
  const info = wrangler(["queues", "info", queue, ...cfArgs]);
  if (info.ok) {
    say(`queue ${queue}: exists`);
    continue;
  }
  if (!/does not exist/.test(info.stdout + info.stderr)) fail(`could not look up queue ${queue}`, info);
  plan(`create queue ${queue}`);
  if (!dryRun) {
    const created = wrangler(["queues", "create", queue, ...cfArgs]);
    if (!created.ok) fail(`could not create queue ${queue}`, created);
  }
}

// 2. D1 databases: create, write the id, apply migrations.
/** The text with `database_id` of the [[d1_databases]] block naming `name` set to `id`. */
function setDatabaseId(toml, name, id) {
  const blocks = toml.split(/^(?=\s*\[)/m);
  return blocks
    .map((block) => (/^\s*\[\[d1_databases\]\]/.test(block) && new RegExp(`^\\s*database_name\\s*=\\s*"${name}"`, "m").test(block) ? block.replace(/^(\s*database_id\s*=\s*)"[^"]*"/m, `$1"${id}"`) : block))
    .join("");
}
let databases;
const listDatabases = () => {
  const listed = wrangler(["d1", "list", "--json", ...cfArgs]);
  if (!listed.ok) fail("could not list D1 databases", listed);
  return JSON.parse(listed.stdout.slice(listed.stdout.indexOf("[")));
};
for (const db of config.d1_databases ?? []) {
  databases ??= listDatabases();
  let found = databases.find((d) => d.name === db.database_name);
  if (found) say(`D1 ${db.database_name}: exists (${found.uuid})`);
  else {
    plan(`create D1 database ${db.database_name}`);
    if (!dryRun) {
      const created = wrangler(["d1", "create", db.database_name, ...cfArgs]);
      if (!created.ok) fail(`could not create D1 database ${db.database_name}`, created);
      // wrangler prints the new id as a config snippet (database_id = "…").
      const uuid = /database_id\W+([0-9a-f-]{36})/.exec(created.stdout)?.[1];
      if (!uuid) fail(`D1 database ${db.database_name} was created but wrangler printed no id`, created);
      found = { name: db.database_name, uuid };
    }
  }
  if (found?.uuid !== db.database_id) {
    plan(`write database_id = "${found?.uuid ?? "<new id>"}" for ${db.database_name} into ${configPath}`);
    if (!dryRun) writeFileSync(configPath, setDatabaseId(readFileSync(configPath, "utf8"), db.database_name, found.uuid));
  }
  const dir = resolve(configPath, "..", db.migrations_dir ?? "migrations");
  if (!existsSync(dir)) continue;
  if (dryRun) {
    if (found?.uuid === db.database_id) {
      const pending = wrangler(["d1", "migrations", "list", db.database_name, "--remote", ...cfArgs]);
      if (!pending.ok) fail(`could not list migrations of ${db.database_name}`, pending);
      const names = [...pending.stdout.matchAll(/(\S+\.sql)/g)].map((m) => m[1]);
      say(names.length > 0 ? `would apply migrations to ${db.database_name}: ${names.join(", ")}` : `D1 ${db.database_name}: migrations up to date`);
    } else {
      const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
      say(`would apply migrations to ${db.database_name}: ${files.join(", ")}`);
    }
    continue;
  }
  const applied = wrangler(["d1", "migrations", "apply", db.database_name, "--remote", ...cfArgs]);
  if (!applied.ok) fail(`could not apply migrations to ${db.database_name}`, applied);
  const names = [...new Set([...applied.stdout.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1]))];
  say(names.length > 0 ? `applied migrations to ${db.database_name}: ${names.join(", ")}` : `D1 ${db.database_name}: migrations up to date`);
}

// 3. The config, checked against the secrets the worker has (plus those of --secrets-file).
const remote = remoteSecretNames(target);
if (remote.error) {
  console.error(`[deploy] ✗ ${remote.error}`);
  process.exit(1);
}
let fileNames = [];
if (values["secrets-file"]) {
  const text = readFileSync(values["secrets-file"], "utf8");
  try {
    fileNames = Object.keys(JSON.parse(text));
  } catch {
    fileNames = Object.keys(readDevVars(values["secrets-file"]));
  }
}
const check = await runCheck({ ...target, remote: true, secretNames: [...remote.names, ...fileNames] });
printCheck(check, "[deploy] check:");
if (check.missingSecrets.length > 0) {
  const how = remote.notDeployed
    ? `worker "${config.name}" is not deployed yet, so put the values in a file (NAME=value lines; never commit it) and run npm run deploy -- --secrets-file <file>`
    : `set each with npx wrangler secret put <NAME> (or pass --secrets-file <file>)`;
  console.error(`[deploy] ✗ stopped: secrets not set: ${check.missingSecrets.join(", ")}; ${how}`);
  process.exit(1);
}
if (!check.ok) {
  console.error("[deploy] ✗ stopped: fix the configuration problems above (npm run check names them too)");
  process.exit(1);
}

// 4. Deploy.
plan(`deploy worker ${config.name} (wrangler deploy)`);
if (dryRun) {
  say("dry run: nothing was changed");
  process.exit(0);
}
const deployed = wrangler(["deploy", ...cfArgs, ...(values["secrets-file"] ? ["--secrets-file", values["secrets-file"]] : [])], { inherit: true });
if (!deployed.ok) {
  console.error("[deploy] ✗ wrangler deploy failed (its output is above)");
  process.exit(1);
}
say(`✓ deployed ${config.name}`);
