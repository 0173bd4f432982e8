/**
 * Pure ordering policy. Events of one (destination, ordering key) are ordered by occurred-at, ties
 * broken by event id (plain string order), so every replica of the decision agrees.
 */

/** Where an event sits in its key's order. */
export interface OrderPoint {
  occurredAt: number;
  eventId: string;
}

/** Negative when `a` comes before `b`, positive after, 0 for the same event. */
export function compareOrder(a: OrderPoint, b: OrderPoint): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** drop-stale: is `candidate` older than the newest event already let through for its key? */
export function isStale(candidate: OrderPoint, newest: OrderPoint | null): boolean {
  return newest !== null && compareOrder(candidate, newest) < 0;
}

/** A queued event in a strict sequencer. */
export interface QueuedEvent extends OrderPoint {
  ledger: string;
  /** When the sequencer first saw it (ms). */
  arrivedAt: number;
}

/**
 * strict: which queued event to release now, if any. The head (earliest in order) goes once it has
 * waited the reorder window since it arrived, so an older event arriving within the window still
 * overtakes it; otherwise `waitMs` says when to look again.
 */
export function nextRelease(queue: readonly QueuedEvent[], now: number, windowMs: number): { release: QueuedEvent | null; waitMs: number | null } {
  if (queue.length === 0) return { release: null, waitMs: null };
  const head = queue.reduce((best, e) => (compareOrder(e, best) < 0 ? e : best));
  const due = head.arrivedAt + windowMs;
  return due <= now ? { release: head, waitMs: null } : { release: null, waitMs: due - now };
}
