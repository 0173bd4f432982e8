/** Pure query building for the event index: filters → SQL + parameters, and opaque keyset cursors. */

/**
 * Index task states: the ledger's (`stale`: skipped by drop-stale ordering; `filtered`: dropped by a transform), plus `expired` (the
 * ledger object is gone after its dedupe window) and `purged` (removed from the dead-letter list).
 * (The row of an event routed nowhere, destination '', has status `unrouted`; it is not a task.)
 */
export type IndexStatus = "pending" | "delivered" | "dead" | "stale" | "filtered" | "expired" | "purged";

/** Filter for the events list. Every field is optional; all given ones must hold. */
export interface EventFilter {
  source?: string;
  /** Exact type, or a prefix glob ending in `*` (e.g. `invoice.*`). */
  type?: string;
  /** Events with at least one task in this state (for `destination`, if given). */
  status?: IndexStatus;
  destination?: string;
  /** Received at or after (ms since the epoch). */
  since?: number;
  /** Received before (ms since the epoch). */
  until?: number;
  /** Text contained in the event id. */
  q?: string;
  limit: number;
  cursor?: string;
}

/** Filter for dead letters (dead tasks) and bulk replay. */
export interface DeadFilter {
  destination?: string;
  source?: string;
  /** Task became dead at or after (ms). */
  since?: number;
  /** Task became dead before (ms). */
  until?: number;
}

/** A SQL statement with its positional parameters. */
export interface Query {
  sql: string;
  params: (string | number)[];
}

/** Encode a keyset position as an opaque URL-safe cursor. */
export function encodeCursor(position: (string | number)[]): string {
  return btoa(JSON.stringify(position)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decode a cursor made by `encodeCursor` with the given arity; `null` when malformed. */
export function decodeCursor(cursor: string, shape: ("string" | "number")[]): (string | number)[] | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (!Array.isArray(value) || value.length !== shape.length) return null;
    return value.every((v, i) => typeof v === shape[i]) ? (value as (string | number)[]) : null;
  } catch {
    return null;
  }
}

/** Escape LIKE wildcards so user text matches literally (with `ESCAPE '\'`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The index table: one row per (event, destination), keyed (received_at, source, event_id, destination). */
export const TABLE = "deliveries";

/** Cursor shape of the events list: received_at, source, event_id. */
export const EVENT_CURSOR: ("string" | "number")[] = ["number", "string", "string"];

/**
 * Build the events list query (newest first, `limit + 1` events so the caller can tell if more
 * follow). Rows are tasks; grouping them by the key prefix (received_at, source, event_id) yields
 * events, in primary-key order, so the scan walks the key backwards from the cursor (or `until`) and
 * stops once the page is full. Filters on task fields (status, destination) keep the events that have
 * at least one such task. `+source` keeps the planner from treating source as a key constraint, which
 * would make it sort the whole range instead of walking the key in order.
 */
export function buildEventQuery(filter: EventFilter): Query | { error: "cursor_invalid" } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.source !== undefined) where.push("+source = ?") && params.push(filter.source);
  if (filter.type !== undefined) {
    if (filter.type.endsWith("*")) where.push("event_type LIKE ? ESCAPE '\\'") && params.push(`${likeLiteral(filter.type.slice(0, -1))}%`);
    else where.push("event_type = ?") && params.push(filter.type);
  }
  if (filter.since !== undefined) where.push("received_at >= ?") && params.push(filter.since);
  if (filter.until !== undefined) where.push("received_at < ?") && params.push(filter.until);
  if (filter.q !== undefined) where.push("event_id LIKE ? ESCAPE '\\'") && params.push(`%${likeLiteral(filter.q)}%`);
  if (filter.status !== undefined) where.push("status = ?") && params.push(filter.status);
  if (filter.destination !== undefined) where.push("destination = ?") && params.push(filter.destination);
  if (filter.cursor !== undefined) {
    const position = decodeCursor(filter.cursor, EVENT_CURSOR);
    if (!position) return { error: "cursor_invalid" };
    where.push("(received_at, source, event_id) < (?, ?, ?)") && params.push(...position);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")} ` : "";
  params.push(filter.limit + 1);
  return {
    sql: `SELECT received_at, source, event_id, MAX(event_type) AS event_type, MAX(occurred_at) AS occurred_at FROM ${TABLE} ${clause}GROUP BY received_at, source, event_id ORDER BY received_at DESC, source DESC, event_id DESC LIMIT ?`,
    params,
  };
}

/**
 * WHERE clause and parameters selecting dead tasks by a dead-letter filter. The literal
 * `status = 'dead'` lets SQLite use the partial index `deliveries_dead` (updated_at, then the key).
 */
export function deadWhere(filter: DeadFilter): Query {
  const where = ["status = 'dead'"];
  const params: (string | number)[] = [];
  // `+`: plain filters, not key constraints (which would make the planner sort instead of walking the index).
  if (filter.destination !== undefined) where.push("+destination = ?") && params.push(filter.destination);
  if (filter.source !== undefined) where.push("+source = ?") && params.push(filter.source);
  if (filter.since !== undefined) where.push("updated_at >= ?") && params.push(filter.since);
  if (filter.until !== undefined) where.push("updated_at < ?") && params.push(filter.until);
  return { sql: where.join(" AND "), params };
}

/** Cursor shape of the dead-letter list: updated_at, received_at, source, event_id, destination. */
export const DEAD_CURSOR: ("string" | "number")[] = ["number", "number", "string", "string", "string"];

/** Order of dead tasks: the partial index's own order (updated_at, then the primary key). */
export const DEAD_ORDER = ["updated_at", "received_at", "source", "event_id", "destination"] as const;

/** Build the dead-letter list query (most recently dead first, `limit + 1` rows). */
export function buildDeadQuery(filter: DeadFilter & { limit: number; cursor?: string }): Query | { error: "cursor_invalid" } {
  const base = deadWhere(filter);
  let sql = base.sql;
  const params = [...base.params];
  if (filter.cursor !== undefined) {
    const position = decodeCursor(filter.cursor, DEAD_CURSOR);
    if (!position) return { error: "cursor_invalid" };
    sql += ` AND (${DEAD_ORDER.join(", ")}) < (?, ?, ?, ?, ?)`;
    params.push(...position);
  }
  params.push(filter.limit + 1);
  return { sql: `SELECT * FROM ${TABLE} WHERE ${sql} ORDER BY ${DEAD_ORDER.map((c) => `${c} DESC`).join(", ")} LIMIT ?`, params };
}

/** The 1-based nearest rank of percentile `p` (integer 0..100) among `n` values: ceil(p·n/100), at least 1. */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.floor((n * p + 99) / 100));
}

/**
 * The latency percentiles of the tasks received since `?` (the one parameter), computed in D1 so
 * only a few rows come back: rows `{ r, n, latency_ms }` for the nearest ranks of `percentiles`.
 * The rank arithmetic is `nearestRank`'s, in SQLite integer division.
 */
export function percentileQuery(percentiles: readonly number[]): string {
  const ranks = percentiles.map((p) => `MAX(1, (n * ${Math.trunc(p)} + 99) / 100)`).join(", ");
  return `SELECT r, n, latency_ms FROM (SELECT latency_ms, ROW_NUMBER() OVER (ORDER BY latency_ms) AS r, COUNT(*) OVER () AS n FROM ${TABLE} WHERE received_at >= ? AND destination != '' AND latency_ms IS NOT NULL) WHERE r IN (${ranks})`;
}
