/**
 * Sliding-window counts in at most 16 buckets per key: a window's state stays a few numbers however
 * many signals arrive, so the AlertCenter writes one small value per signal batch.
 */

/** `[bucketStart ms, count]` pairs, oldest first. */
export type Buckets = [number, number][];

/** Bucket width for a window: 1/15 of it, at least a second. */
export function bucketWidth(windowSeconds: number): number {
  return Math.max(1000, Math.ceil(windowSeconds / 15) * 1000);
}

/** Add `count` at time `at`, dropping buckets that have left the window. */
export function addCount(buckets: Buckets, at: number, count: number, windowSeconds: number, now: number): Buckets {
  const width = bucketWidth(windowSeconds);
  const start = Math.floor(at / width) * width;
  const kept = buckets.filter(([b]) => b + width > now - windowSeconds * 1000);
  if (count <= 0) return kept;
  const found = kept.find(([b]) => b === start);
  if (found) found[1] += count;
  else kept.push([start, count]);
  return kept.sort((a, b) => a[0] - b[0]);
}

/** The count within the last `windowSeconds` (bucket granularity: a bucket counts while any part of it is inside). */
export function sumOver(buckets: Buckets, windowSeconds: number, now: number): number {
  const width = bucketWidth(windowSeconds);
  return buckets.filter(([b]) => b + width > now - windowSeconds * 1000).reduce((n, [, c]) => n + c, 0);
}
