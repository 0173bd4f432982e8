/**
 * Search stage: the D1 event index, written off the request path in batches by the delivery
 * consumer. The ledger stays the source of truth; the index is for search and stats.
 */
import type { TaskStatus } from "../ledger";

/** One task's state after an attempt (or a skip), as the consumer saw it. */
export interface IndexUpdate {
  source: string;
  eventId: string;
  eventType: string;
  receivedAt: number;
  occurredAt: number;
  destination: string;
  status: TaskStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  /** When this update happened (ms since the epoch). */
  at: number;
}

/** Bindings the index uses; without `EVENT_INDEX` the index is off. */
export interface SearchEnv {
  EVENT_INDEX?: D1Database;
}

/** Write a batch of updates to the index. Never throws into delivery: failures are logged. */
export async function writeIndex(env: SearchEnv, updates: IndexUpdate[]): Promise<void> {
  if (!env.EVENT_INDEX || updates.length === 0) return;
  // Implemented with the operator surface (issue 6): upsert events and per-destination task rows.
}
