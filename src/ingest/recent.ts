/**
 * An in-isolate memory of events known to be stored, so a repeat of one of them is answered
 * `200 duplicate` after verification without a round trip to its Durable Object.
 *
 * Only events the ledger has durably stored are remembered — accepted here (the 202 was allowed),
 * or reported `duplicate` by the ledger with the end of their dedupe window — and never beyond that
 * end: the ledger keeps an event until `receivedAt + dedupeWindow` at least, so for any entry younger
 * than both the TTL and the window the ledger would answer `duplicate` too. Losing the memory
 * (eviction, another isolate) only sends the repeat to the ledger, which stays the source of truth.
 *
 * Each entry also holds the stored body's SHA-256: a repeat whose body differs (a conflicting copy)
 * is not answered here but sent to the ledger, which records the conflict — one request per copy.
 */

/** What the memory knows about a repeat: a plain duplicate, a conflicting copy, or nothing. */
export type RecentVerdict = "duplicate" | "conflict" | "unknown";

/** A bounded map of ledger names to the time until which a repeat is known to be a duplicate. */
export class RecentlyAccepted {
  readonly #until = new Map<string, number>();
  readonly #sha256 = new Map<string, string>();

  /**
   * @param capacity most entries kept (oldest dropped first)
   * @param ttlMs longest an entry is trusted (never longer than the dedupe window)
   * @example const recent = new RecentlyAccepted(10_000, 10 * 60_000);
   */
  constructor(
    readonly capacity: number,
    readonly ttlMs: number,
  ) {}

  /** Whether `name` was accepted here and is still certainly inside its dedupe window at `now`. */
  has(name: string, now: number): boolean {
    const until = this.#until.get(name);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(name);
    this.#sha256.delete(name);
    return false;
  }

  /**
   * Whether a repeat of `name` with body hash `sha256` is a known duplicate (same body as stored), a
   * conflicting copy (another body: ask the ledger, which records it), or unknown here.
   */
  check(name: string, sha256: string, now: number): RecentVerdict {
    if (!this.has(name, now)) return "unknown";
    const stored = this.#sha256.get(name);
    if (stored === undefined) return "unknown";
    return stored === sha256 ? "duplicate" : "conflict";
  }

  /**
   * Remember that `name` is stored and a duplicate for `windowMs` after `from` (its accept time and
   * dedupe window, or now and the time left of the window), with the stored body's hash when known;
   * nothing is remembered for `windowMs <= 0`.
   */
  add(name: string, from: number, windowMs: number, sha256?: string): void {
    if (windowMs <= 0) return;
    this.#until.delete(name);
    this.#sha256.delete(name);
    if (this.#until.size >= this.capacity) {
      const oldest = this.#until.keys().next();
      if (!oldest.done) {
        this.#until.delete(oldest.value);
        this.#sha256.delete(oldest.value);
      }
    }
    this.#until.set(name, from + Math.min(this.ttlMs, windowMs));
    if (sha256 !== undefined) this.#sha256.set(name, sha256);
  }

  /** Forget everything (the ledger stays the source of truth, so this only costs round trips). */
  clear(): void {
    this.#until.clear();
    this.#sha256.clear();
  }

  /** Entries currently held. */
  get size(): number {
    return this.#until.size;
  }
}

/**
 * This isolate's memory: events it saw stored in the last 10 minutes (at most 10,000), so a verified
 * repeat of one is a duplicate without asking its ledger object.
 */
export const recentlyAccepted = new RecentlyAccepted(10_000, 10 * 60_000);

/**
 * Drop this isolate's memory of accepted events, e.g. in a test that makes an event's dedupe window
 * pass by editing its ledger record (which this memory cannot observe).
 * @example forgetRecentlyAccepted(); // the next repeat asks the ledger again
 */
export function forgetRecentlyAccepted(): void {
  recentlyAccepted.clear();
}
