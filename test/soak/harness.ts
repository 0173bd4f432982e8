/**
 * Shared pieces of the reliability suites: the real worker served by workerd through Miniflare's own
 * server (bench/serve.mjs, the real wrangler.toml bindings), a suite config, signed events, a bounded
 * concurrent sender, and the admin API's view of an event.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedEvent } from "../../bench/lib/events.mjs";
import { BENCH_SECRETS } from "../../bench/lib/secrets.mjs";
import { freePort, startServer, type Served } from "../../bench/lib/spawn.mjs";

export { signedEvent };

/**
 * The config every suite runs with: one stripe-preset source per suite, each to its own sink path.
 * `redriveAfterSeconds` is short only where a suite needs the alarm to re-drive quickly (crash): a
 * pending task is re-sent every `redriveAfterSeconds` while the consumer lags, so a short value under
 * a backlog multiplies the queue's work (the first 20,000-request storm ran at 2 s and crawled).
 */
export function suiteConfig(sinkUrl: string, { redriveAfterSeconds = 300 }: { redriveAfterSeconds?: number } = {}) {
  const dest = (path: string, extra: Record<string, unknown> = {}) => ({
    url: `${sinkUrl}${path}`,
    secret: "SINK_SIGNING_SECRET",
    allowPrivateNetwork: true,
    // Generous: the sink shares a busy process with the load; a late 200 after a timeout is a
    // legitimate repeat (effectively-once), which would blur the storm's "zero doubles" count.
    timeoutMs: 10_000,
    retry: { maxAttempts: 4, baseSeconds: 1, capSeconds: 2 },
    // The breaker is not what these suites are about; keep it from parking the faulty destination.
    breaker: { failureThreshold: 1000, cooldownSeconds: 1 },
    ...extra,
  });
  const stripe = (destination: string, extra: Record<string, unknown> = {}) => ({ provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], destinations: [destination], ...extra });
  return {
    sources: { storm: stripe("ok"), faults: stripe("chaos"), crash: stripe("crash"), fuzz: stripe("fuzz", { maxBodyBytes: 64 * 1024 }) },
    // The faulty destination times out at 1 s (its sink hangs 5 s on a "hang" fault) and gives up
    // after 2 attempts, so about 9% of its tasks die at 30% faults and replay has work to do.
    destinations: { ok: dest("/ok"), chaos: dest("/chaos", { timeoutMs: 1000, retry: { maxAttempts: 2, baseSeconds: 1, capSeconds: 2 } }), crash: dest("/crash"), fuzz: dest("/fuzz") },
    settings: { redriveAfterSeconds },
  };
}

/** A running gateway. */
export interface Gateway extends Served {
  persist: string;
}

/** Serve the real worker with `config`; `persist` keeps state across a restart. */
export async function startGateway(config: unknown, options: { persist?: string; batch?: string } = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "edgehook-soak-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const persist = options.persist ?? join(dir, "state");
  const args = ["edgehook", "--port", String(await freePort()), "--config", file, "--persist", persist];
  if (options.batch) args.push("--batch", options.batch);
  const served = await startServer("bench/serve.mjs", args);
  const health = await fetch(`${served.url}/health`);
  if (health.status !== 200) {
    await served.stop();
    throw new Error(`gateway unhealthy (${health.status}): ${await health.text()}`);
  }
  return { ...served, persist };
}

/** POST a signed event to a source; resolves the status (0 when the connection failed). */
export async function post(url: string, source: string, event: { body: string; headers: Record<string, string> }): Promise<number> {
  try {
    const res = await fetch(`${url}/webhooks/${source}`, { method: "POST", headers: event.headers, body: event.body });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Run `tasks` with at most `concurrency` in flight. */
export async function pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** Poll `check` every 200 ms until it returns true, or throw after `ms` with `describe()`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A task as the admin API shows it. */
export interface TaskView {
  destination: string;
  webhookId: string;
  status: "pending" | "delivered" | "dead" | string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

const admin = (url: string, path: string, init: RequestInit = {}) =>
  fetch(`${url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${BENCH_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) } });

/** The ledger's tasks of an event through the admin API; `null` when the event is not stored. */
export async function tasksOf(url: string, source: string, eventId: string): Promise<TaskView[] | null> {
  const res = await admin(url, `/events/${source}/${encodeURIComponent(eventId)}`);
  if (res.status === 404) {
    await res.arrayBuffer();
    return null;
  }
  if (!res.ok) throw new Error(`admin GET ${source}/${eventId}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { tasks: TaskView[] };
  return body.tasks;
}

/** Replay an event's dead tasks through the admin API; the destinations re-opened. */
export async function replay(url: string, source: string, eventId: string): Promise<string[]> {
  const res = await admin(url, `/events/${source}/${encodeURIComponent(eventId)}/replay`, { method: "POST", body: "{}" });
  if (!res.ok) throw new Error(`admin replay ${source}/${eventId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { replayed: string[] }).replayed;
}

/** Fisher–Yates shuffle with a seeded generator (reproducible runs). */
export function shuffle<T>(items: T[], seed = 7): T[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
