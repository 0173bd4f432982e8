/**
 * Start the real local gateway (`wrangler dev` on the real wrangler.toml) for end-to-end tests,
 * configured only through the EDGEHOOK var and a secrets file, with its own persistence directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Gateway {
  url: string;
  logs: string[];
  stop: () => Promise<void>;
}

/** Spawn wrangler dev and wait until /health answers. */
export async function startGateway(options: { config: unknown; secrets: Record<string, string>; persistTo?: string; vars?: Record<string, string> }): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "edgehook-e2e-"));
  const envFile = join(dir, "secrets.env");
  writeFileSync(envFile, Object.entries(options.secrets).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const [port, inspector] = [await freePort(), await freePort()];
  const args = [
    "node_modules/wrangler/bin/wrangler.js", "dev",
    "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
    "--var", `EDGEHOOK:${JSON.stringify(options.config)}`,
    // Extra bindings a test sets without listing them in wrangler.toml's [secrets].required (which limits what the env file loads).
    ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    "--env-file", envFile,
    "--persist-to", options.persistTo ?? join(dir, "state"),
    "--show-interactive-dev-session=false",
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout!.on("data", (d) => logs.push(String(d)));
  child.stderr!.on("data", (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${logs.join("")}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) break;
      if (res.status === 503) throw new Error(`gateway config invalid:\n${logs.join("")}`);
    } catch (error) {
      if ((error as Error).message.startsWith("gateway config")) throw error;
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${logs.join("")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
