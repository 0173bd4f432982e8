/**
 * `npm run deploy` offline, against a local stand-in for the Cloudflare API (test/support/cf-api.ts)
 * that wrangler reaches through CLOUDFLARE_API_BASE_URL, on a temp copy of the repo's config.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCloudflareApi, type CloudflareApi } from "../support/cf-api";
import { copyRepo, REPO } from "../support/repo-copy";

const PLACEHOLDER = 'database_id = "00000000-0000-0000-0000-000000000000"';
const MIGRATIONS = readdirSync(join(REPO, "migrations")).filter((f) => f.endsWith(".sql")).sort();
/** Each run is several wrangler processes (a few seconds each on an idle machine); allow for a loaded one. */
const RUN_TIMEOUT = 600_000;

describe("npm run deploy against a Cloudflare API stand-in", () => {
  let api: CloudflareApi;
  let dir: string;
  let secretsFile: string;
  let partialSecretsFile: string;

  /** Run scripts/deploy.mjs asynchronously: the stand-in answers from this process's event loop. */
  const deploy = (...args: string[]) =>
    new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(dir, "scripts/deploy.mjs"), ...args], {
        cwd: dir,
        env: { ...process.env, CLOUDFLARE_API_BASE_URL: api.url, CLOUDFLARE_API_TOKEN: "stand-in-token", CLOUDFLARE_ACCOUNT_ID: "acc-test", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("exit", (status) => resolve({ status, out }));
    });
  const creates = () => api.writes().filter((w) => /^POST \/accounts\/[^/]+\/(queues|d1\/database)$/.test(w) || /\/d1\/database\/[^/]+\/query$/.test(w));

  beforeAll(async () => {
    api = await startCloudflareApi();
    dir = copyRepo("edgehook-deploy-");
    // Every secret the sample config needs, from the public development values.
    secretsFile = join(dir, "secrets.env");
    writeFileSync(secretsFile, readFileSync(join(dir, ".dev.vars.example")));
    partialSecretsFile = join(dir, "partial.env");
    writeFileSync(partialSecretsFile, readFileSync(secretsFile, "utf8").replace(/^STRIPE_WEBHOOK_SECRET=.*$/m, ""));
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--dry-run prints the plan and changes nothing", async () => {
    const { status, out } = await deploy("--dry-run", "--secrets-file", secretsFile);
    expect(out).toContain("would create queue edgehook-delivery");
    expect(out).toContain("would create queue edgehook-dead");
    expect(out).toContain("would create D1 database edgehook-index");
    expect(out).toContain(`would apply migrations to edgehook-index: ${MIGRATIONS.join(", ")}`);
    expect(out).toContain("would deploy worker edgehook");
    expect(status).toBe(0);
    expect(api.writes()).toEqual([]);
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toContain(PLACEHOLDER);
  }, RUN_TIMEOUT);

  it("first run provisions queues (the dead-letter one too), D1 (id written) and migrations, then stops naming the missing secret", async () => {
    const { status, out } = await deploy("--secrets-file", partialSecretsFile);
    expect(out).toMatch(/stopped: secrets not set: STRIPE_WEBHOOK_SECRET;/);
    expect(status).toBe(1);
    expect([...api.state.queues.keys()].sort()).toEqual(["edgehook-dead", "edgehook-delivery"]);
    const [db, ...others] = [...api.state.databases.values()];
    expect(others).toEqual([]);
    expect(db).toMatchObject({ name: "edgehook-index", applied: MIGRATIONS });
    const toml = readFileSync(join(dir, "wrangler.toml"), "utf8");
    expect(toml).toContain(`database_id = "${db!.uuid}"`);
    expect(toml).not.toContain(PLACEHOLDER);
    expect(api.state.scripts.size).toBe(0); // nothing uploaded
  }, RUN_TIMEOUT);

  it("second run creates nothing, applies no migration, and deploys with the secrets", async () => {
    const before = creates().length;
    const { status, out } = await deploy("--secrets-file", secretsFile);
    expect(out).toContain("queue edgehook-dead: exists");
    expect(out).toContain("D1 edgehook-index: migrations up to date");
    expect(out).toContain("✓ deployed edgehook");
    expect(status).toBe(0);
    expect(creates().length).toBe(before);
    expect([...api.state.databases.values()][0]!.applied).toEqual(MIGRATIONS);
    const script = api.state.scripts.get("edgehook");
    expect(script?.uploads).toBe(1);
    expect([...script!.secrets].sort()).toEqual(["ADMIN_TOKEN", "DEMO_WEBHOOK_SECRET", "GITHUB_WEBHOOK_SECRET", "SINK_SIGNING_SECRET", "STRIPE_WEBHOOK_SECRET"]);
    expect(api.state.calls.filter((c) => !c.known)).toEqual([]);
  }, RUN_TIMEOUT);
});
