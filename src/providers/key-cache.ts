/**
 * Per-isolate cache of keys fetched from providers (PayPal certificates, Plaid JWKs). Unauthenticated
 * requests choose what is fetched (a cert URL, a `kid`), so both hits and misses are cached, in-flight
 * fetches are shared, the cache is bounded, and fresh fetches are capped per minute.
 */

/** A fetched key lives an hour; a failed fetch is remembered for a minute (PayPal and Plaid retry). */
const KEY_TTL_MS = 60 * 60 * 1000;
const FAILURE_TTL_MS = 60 * 1000;
/** Entries kept per isolate; the oldest is dropped first. */
const MAX_ENTRIES = 256;
/** Fetches of keys not in the cache, per isolate per minute: a flood of distinct URLs or kids costs this much, no more. */
export const KEY_FETCHES_PER_MINUTE = 20;

const entries = new Map<string, { key: Promise<CryptoKey | null>; until: number }>();
let budget = { start: -Infinity, used: 0 };

/** What a key lookup found: the key, `null` when it could not be fetched, or `"throttled"` when the fetch budget is spent. */
export type KeyLookup = CryptoKey | null | "throttled";

function remember(id: string, key: Promise<CryptoKey | null>, until: number): void {
  entries.delete(id);
  entries.set(id, { key, until });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

/**
 * The key cached under `id`, else `load()` it (at most once at a time per id, within the per-minute budget).
 * @example const key = await cachedKey(`paypal\u0000${url}`, now, () => fetchCert(url));
 */
export async function cachedKey(id: string, now: number, load: () => Promise<CryptoKey | null>): Promise<KeyLookup> {
  const hit = entries.get(id);
  if (hit && hit.until > now) return hit.key;
  if (now - budget.start >= 60_000 || now < budget.start) budget = { start: now, used: 0 };
  if (budget.used >= KEY_FETCHES_PER_MINUTE) return "throttled";
  budget.used++;
  const key = load().catch(() => null);
  remember(id, key, now + FAILURE_TTL_MS);
  const result = await key;
  if (result) remember(id, key, now + KEY_TTL_MS);
  return result;
}
