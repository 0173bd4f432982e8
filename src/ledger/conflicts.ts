/**
 * Conflicting copies: a validly signed request with a stored event's id but another body. The first
 * body stays the event (it may already be delivered); each other one is counted and the first few
 * distinct ones are kept by hash, size and arrival, for the operator to see.
 */
import type { Conflicts } from "./types";

/** Distinct conflicting bodies kept per event; later ones only raise the counters. */
export const MAX_CONFLICT_COPIES = 5;

/**
 * The event's conflict record after one more conflicting copy (a new object; `previous` is untouched).
 * @example recordConflict(undefined, { sha256: "ab…", bytes: 12, receivedAt: now }) // { total: 1, copies: [{ …, count: 1 }] }
 */
export function recordConflict(previous: Conflicts | undefined, copy: { sha256: string; bytes: number; receivedAt: number }): Conflicts {
  const copies = (previous?.copies ?? []).map((c) => ({ ...c }));
  const seen = copies.find((c) => c.sha256 === copy.sha256);
  if (seen) seen.count += 1;
  else if (copies.length < MAX_CONFLICT_COPIES) copies.push({ ...copy, count: 1 });
  return { total: (previous?.total ?? 0) + 1, copies };
}
