#!/usr/bin/env node
/**
 * `npm test`'s pre-step: make sure the programs the tests need beyond npm are present —
 * Debian's `chromium` (the dashboard's browser test, driven by playwright-core), `redis-server`
 * (the Express + Redis peer the benchmark-targets test checks) and `prometheus` (with promtool: the
 * scrape test, test/e2e/metrics.test.ts). Installs them with apt-get when
 * missing and possible (root, or passwordless sudo); otherwise fails at once with the one command to
 * run, so a missing program is never a silent skip or a confusing failure ten minutes in.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const NEEDED = [
  { pkg: "chromium", present: () => existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium") },
  { pkg: "redis-server", present: () => onPath("redis-server") },
  { pkg: "prometheus", present: () => onPath("prometheus") && onPath("promtool") },
];

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

const missing = NEEDED.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const install = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
const command = `apt-get update && ${install}`;
const asRoot = `sudo apt-get update && sudo ${install}`;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = !isRoot && onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
if (!onPath("apt-get") || (!isRoot && !sudo)) {
  console.error(`npm test needs ${missing.join(" and ")}; install ${missing.length > 1 ? "them" : "it"} first: ${asRoot}`);
  process.exit(1);
}

console.log(`npm test: installing ${missing.join(", ")} (Debian packages the browser and benchmark-targets tests need)…`);
const run = (args) => execFileSync(sudo ? "sudo" : args[0], sudo ? args : args.slice(1), { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
try {
  run(["apt-get", "update"]);
  run(["apt-get", "install", "-y", "--no-install-recommends", ...missing]);
} catch {
  console.error(`npm test: installing ${missing.join(" ")} failed; run it by hand: ${sudo ? asRoot : command}`);
  process.exit(1);
}
const still = NEEDED.filter((n) => missing.includes(n.pkg) && !n.present()).map((n) => n.pkg);
if (still.length > 0) {
  console.error(`npm test: ${still.join(" ")} still missing after apt-get; run by hand: ${sudo ? asRoot : command}`);
  process.exit(1);
}
