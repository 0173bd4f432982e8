/**
 * `npm run check` and `npm run dev` on a temp copy of the repo, as a user adds a source: its secret
 * name in EDGEHOOK, its value only in .dev.vars (issue 15, "done when").
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepo, REPO as repo } from "../support/repo-copy";
import { freePort } from "./gateway";

/** Each check loads wrangler's config reader (a few seconds idle); wrangler dev takes longer. Generous for a loaded machine. */
const SLOW = 300_000;
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" };

const run = (dir: string, script: string, ...args: string[]) => spawnSync(process.execPath, [join(dir, "scripts", script), ...args], { cwd: dir, env, encoding: "utf8" });

/** The documented way to add a source: a table in wrangler.toml, the value in .dev.vars. */
const SHOP_SOURCE = '\n[vars.EDGEHOOK.sources.shop]\nprovider = "stripe"\nsecrets = ["SHOP_STRIPE_SECRET"]\ndestinations = ["sample-sink"]\n';

/** runCheck in this process: wrangler's config reader loads once here instead of once per spawned check. */
type CheckResult = { ok: boolean; problems: string[]; warnings: string[]; fixed: string[] };
const { runCheck } = (await import(join(repo, "scripts/check.mjs") as string)) as { runCheck: (o: { config: string }) => Promise<CheckResult> };

describe("npm run check", () => {
  let dir: string;
  beforeAll(() => {
    dir = copyRepo("edgehook-check-");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes the sample config", async () => {
    expect(await runCheck({ config: join(dir, "wrangler.toml") })).toEqual({ ok: true, problems: [], warnings: [], fixed: [], missingSecrets: [] });
  }, SLOW);

  it("names a bad field by its path, exit code 1", () => {
    const config = join(dir, "bad.toml");
    writeFileSync(config, readFileSync(join(dir, "wrangler.toml"), "utf8").replace("timeoutMs = 5000", 'timeoutMs = "5s"'));
    const result = run(dir, "check.mjs", "--config", config);
    expect(result.stderr).toMatch(/✗ EDGEHOOK\.destinations\.sample-sink\.timeoutMs: /);
    expect(result.status).toBe(1);
  }, SLOW);

  it("names a transform whose code cannot load (a syntax error, an import the sandbox lacks), exit code 1", async () => {
    const config = join(dir, "transforms.toml");
    const broken = '\n[vars.EDGEHOOK.transforms.broken]\ncode = "export default function (event) { return { payload: "\n' +
      '\n[vars.EDGEHOOK.transforms.imports]\ncode = "import x from \'node:fs\'; export default function (event) { return null; }"\n';
    writeFileSync(config, readFileSync(join(dir, "wrangler.toml"), "utf8") + broken);
    const result = await runCheck({ config });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.transforms\.broken: /), expect.stringMatching(/^EDGEHOOK\.transforms\.imports: .*node:fs/)]);
  }, SLOW);

  it("names a new source's secret missing from .dev.vars, then from [secrets].required; --fix adds it, exit code 0", async () => {
    const config = join(dir, "wrangler.toml");
    appendFileSync(config, SHOP_SOURCE);
    const noValue = await runCheck({ config });
    expect(noValue.ok).toBe(false);
    expect(noValue.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: Worker secret "SHOP_STRIPE_SECRET" is not set .*add SHOP_STRIPE_SECRET=<value> to \.dev\.vars/)]);

    appendFileSync(join(dir, ".dev.vars"), "SHOP_STRIPE_SECRET=whsec_shop_test_secret\n");
    const notRequired = await runCheck({ config });
    expect(notRequired.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: Worker secret "SHOP_STRIPE_SECRET" has a value in \.dev\.vars but is not listed in \[secrets\]\.required.*npm run check -- --fix/)]);

    const fixed = run(dir, "check.mjs", "--fix");
    expect(fixed.stdout).toContain('added "SHOP_STRIPE_SECRET" to [secrets].required');
    expect(fixed.stdout).toContain("✓ configuration valid");
    expect(fixed.status).toBe(0);
    expect(readFileSync(config, "utf8")).toMatch(/^required = \[.*"SINK_SIGNING_SECRET", "SHOP_STRIPE_SECRET"\]$/m);
    // The generated Env follows, so `npm run typecheck` (wrangler types --check) stays green.
    expect(readFileSync(join(dir, "worker-configuration.d.ts"), "utf8")).toContain("SHOP_STRIPE_SECRET: string");
  }, SLOW);
});

describe("npm run dev with a source whose secret is only in .dev.vars", () => {
  let dir: string;
  let dev: ChildProcess;
  let port: number;
  const output: string[] = [];

  beforeAll(async () => {
    dir = copyRepo("edgehook-check-");
    const [gatewayPort, sinkPort, inspector] = [await freePort(), await freePort(), await freePort()];
    port = gatewayPort;
    const toml = readFileSync(join(dir, "wrangler.toml"), "utf8").replace("http://127.0.0.1:8788/hooks", `http://127.0.0.1:${sinkPort}/hooks`);
    writeFileSync(join(dir, "wrangler.toml"), toml + SHOP_SOURCE);
    appendFileSync(join(dir, ".dev.vars"), "SHOP_STRIPE_SECRET=whsec_shop_test_secret\n");
    dev = spawn(process.execPath, [join(dir, "scripts/dev.mjs"), "--inspector-port", String(inspector), "--show-interactive-dev-session=false"], {
      cwd: dir,
      env: { ...env, PORT: String(port), SINK_PORT: String(sinkPort) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    dev.stdout!.on("data", (d) => output.push(String(d)));
    dev.stderr!.on("data", (d) => output.push(String(d)));
    const deadline = Date.now() + SLOW;
    for (;;) {
      if (dev.exitCode !== null) throw new Error(`npm run dev exited (${dev.exitCode}):\n${output.join("")}`);
      const status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`npm run dev did not start (health ${status}):\n${output.join("")}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, SLOW + 60_000);

  afterAll(async () => {
    if (dev?.exitCode === null) {
      const exited = new Promise((r) => dev.once("exit", r));
      process.kill(-dev.pid!, "SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds the name to [secrets].required first, then verifies and delivers the source's events", async () => {
    expect(output.join("")).toContain('[dev] added "SHOP_STRIPE_SECRET" to [secrets].required');
    const sent = run(dir, "send.mjs", "shop", "--url", `http://127.0.0.1:${port}/webhooks/shop`);
    expect(sent.stdout).toMatch(/^202 /);
    const deadline = Date.now() + 120_000;
    while (!/\[sink\] ✓ signature valid shop\//.test(output.join("")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(output.join("")).toMatch(/\[sink\] ✓ signature valid shop\/\S+ webhook-id=\S+ attempt=1 → 200/);
  }, SLOW);
});
