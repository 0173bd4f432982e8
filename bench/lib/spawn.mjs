/** Start a serving process and wait for its `ready <url>` line. */
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Process groups started here: detached so a crash takes workerd along, so they must not outlive us. */
const started = new Set();
process.once("exit", () => {
  for (const pid of started) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * Spawn `node <script> ...args` and resolve `{ url, pid, child, stop, kill }` once it prints `ready <url>`.
 */
export function startServer(script, args, { timeoutMs = 90_000, env = {} } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so a crash (SIGKILL) takes workerd down with its parent.
    detached: true,
  });
  started.add(child.pid);
  child.once("exit", () => started.delete(child.pid));
  const logs = [];
  child.stderr.on("data", (d) => {
    logs.push(String(d));
    if (logs.length > 200) logs.shift();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} ${args[0]} did not start:\n${logs.join("")}`)), timeoutMs);
    let buffered = "";
    let ready = false;
    child.stdout.on("data", (d) => {
      if (ready) return;
      buffered += String(d);
      const m = buffered.match(/ready (\S+)/);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve({
          url: m[1].replace(/\/$/, ""),
          pid: child.pid,
          child,
          logs,
          stop: () => stopChild(child, "SIGTERM"),
          kill: () => stopChild(child, "SIGKILL"),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} ${args[0]} exited (${code}):\n${logs.join("")}`));
    });
  });
}

function stopChild(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    const group = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    group(signal);
    setTimeout(() => group("SIGKILL"), 5000).unref();
  });
}
