/** A real local redis-server (Debian's package) in its own process group, for the peer. */
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./spawn.mjs";

/** Start redis-server with append-only persistence (fsync every second, its usual production setting). */
export async function startRedis() {
  try {
    execFileSync("redis-server", ["--version"]);
  } catch {
    throw new Error("redis-server not found: apt-get update && apt-get install -y redis-server");
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "edgehook-bench-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"], {
    stdio: "ignore",
    detached: true,
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: "pipe" });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, pid: child.pid, stop: () => { try { process.kill(-child.pid, "SIGTERM"); } catch {} } };
}
