/** Shared pieces of the wrangler-dev benchmarks (bench:delivery, bench:ordering). */
import { Webhook } from "standardwebhooks";

/** A numeric `--name value` command-line argument, or `fallback`. */
export function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Run `fn` over `items` with at most `concurrency` in flight. */
export async function pool(items, concurrency, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (queue.length) await fn(queue.shift());
  }));
}

/**
 * POST `body` to a Standard Webhooks source, signed with `secret` under a fresh `webhook-id`, as a
 * provider would: a dropped connection (wrangler dev reloading, a loaded machine) is retried up to 5
 * times, and a 200 duplicate counts as stored. Returns the id.
 */
export async function postStandardWebhook(url, secret, body) {
  const id = `msg_${crypto.randomUUID()}`;
  const now = new Date();
  const headers = { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, now, body) };
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { method: "POST", headers, body });
      if (res.status === 202 || res.status === 200) return id;
      throw new Error(`ingest ${res.status}`);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
