/** Pure query building for the event index: filters → SQL + parameters, and opaque keyset cursors. */

/**
 * Index task states: the ledger's (`stale`: skipped by drop-stale ordering), plus `expired` (the
 * ledger object is gone after its dedupe window) and `purged` (removed from the dead-letter list).
 */
export type IndexStatus = "pending" | "delivered" | "dead" | "stale" | "expired" | "purged";

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

/** Cursor shape of the events list: received_at, source, event_id. */
export const EVENT_CURSOR: ("string" | "number")[] = ["number", "string", "string"];

/** Build the events list query (newest first, `limit + 1` rows so the caller can tell if more follow). */
export function buildEventQuery(filter: EventFilter): Query | { error: "cursor_invalid" } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.source !== undefined) where.push("e.source = ?") && params.push(filter.source);
  if (filter.type !== undefined) {
    if (filter.type.endsWith("*")) where.push("e.event_type LIKE ? ESCAPE '\\'") && params.push(`${likeLiteral(filter.type.slice(0, -1))}%`);
    else where.push("e.event_type = ?") && params.push(filter.type);
  }
  if (filter.since !== undefined) where.push("e.received_at >= ?") && params.push(filter.since);
  if (filter.until !== undefined) where.push("e.received_at < ?") && params.push(filter.until);
  if (filter.q !== undefined) where.push("e.event_id LIKE ? ESCAPE '\\'") && params.push(`%${likeLiteral(filter.q)}%`);
  if (filter.status !== undefined || filter.destination !== undefined) {
    const inner = ["t.source = e.source", "t.event_id = e.event_id"];
    if (filter.status !== undefined) inner.push("t.status = ?") && params.push(filter.status);
    if (filter.destination !== undefined) inner.push("t.destination = ?") && params.push(filter.destination);
    where.push(`EXISTS (SELECT 1 FROM tasks t WHERE ${inner.join(" AND ")})`);
  }
  if (filter.cursor !== undefined) {
    const position = decodeCursor(filter.cursor, EVENT_CURSOR);
    if (!position) return { error: "cursor_invalid" };
    where.push("(e.received_at, e.source, e.event_id) < (?, ?, ?)") && params.push(...position);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  params.push(filter.limit + 1);
  return { sql: `SELECT e.* FROM events e ${clause} ORDER BY e.received_at DESC, e.source DESC, e.event_id DESC LIMIT ?`, params };
}

/** WHERE clause and parameters selecting dead tasks by a dead-letter filter. */
export function deadWhere(filter: DeadFilter): Query {
  const where = ["status = 'dead'"];
  const params: (string | number)[] = [];
  if (filter.destination !== undefined) where.push("destination = ?") && params.push(filter.destination);
  if (filter.source !== undefined) where.push("source = ?") && params.push(filter.source);
  if (filter.since !== undefined) where.push("updated_at >= ?") && params.push(filter.since);
  if (filter.until !== undefined) where.push("updated_at < ?") && params.push(filter.until);
  return { sql: where.join(" AND "), params };
}

/** Cursor shape of the dead-letter list: updated_at, source, event_id, destination. */
export const DEAD_CURSOR: ("string" | "number")[] = ["number", "string", "string", "string"];

/** Build the dead-letter list query (most recently dead first, `limit + 1` rows). */
export function buildDeadQuery(filter: DeadFilter & { limit: number; cursor?: string }): Query | { error: "cursor_invalid" } {
  const base = deadWhere(filter);
  let sql = base.sql;
  const params = [...base.params];
  if (filter.cursor !== undefined) {
    const position = decodeCursor(filter.cursor, DEAD_CURSOR);
    if (!position) return { error: "cursor_invalid" };
    sql += " AND (updated_at, source, event_id, destination) < (?, ?, ?, ?)";
    params.push(...position);
  }
  params.push(filter.limit + 1);
  return { sql: `SELECT * FROM tasks WHERE ${sql} ORDER BY updated_at DESC, source DESC, event_id DESC, destination DESC LIMIT ?`, params };
}

/** The value at quantile `q` (0..1) of ascending-sorted numbers (nearest rank); `null` when empty. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
