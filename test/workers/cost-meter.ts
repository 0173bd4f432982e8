/**
 * A meter for billable operations inside workerd: wraps the Durable Object classes' RPC methods,
 * SQLite cursors (`rowsRead` / `rowsWritten`, what Cloudflare bills), alarms, the queue producer,
 * the queue consumer and D1 statements, so a test can count what one event really causes.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import worker from "../../src/index";
import { DestinationGate } from "../../src/gate";
import { EventLedger } from "../../src/ledger";
import { MetricsStore } from "../../src/metrics";

/** Counts of billable operations since the last reset. */
export interface Counts {
  doRequests: Record<string, number>;
  rowsRead: number;
  rowsWritten: number;
  alarmsSet: number;
  deleteAll: number;
  queueMessagesSent: number;
  queueBytesSent: number;
  queueWriteOps: number;
  consumerInvocations: number;
  messagesConsumed: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  /** SQLite rows written by the MetricsStore (kept apart from the pipeline's `rowsWritten`). */
  metricsRowsWritten: number;
}

type AnyFn = (...args: unknown[]) => unknown;
interface Cursorish { rowsRead: number; rowsWritten: number }

const state = { paused: false, statements: [] as string[], kvWrites: [] as string[], cursors: [] as Cursorish[], metricsCursors: [] as Cursorish[], d1: [] as Promise<unknown>[], counts: fresh(), consumers: [] as Promise<unknown>[] };
/** True while a MetricsStore method runs (its methods are synchronous, so every cursor made meanwhile is its own). */
let inMetrics = false;

function fresh(): Counts {
  return { doRequests: {}, rowsRead: 0, rowsWritten: 0, alarmsSet: 0, deleteAll: 0, queueMessagesSent: 0, queueBytesSent: 0, queueWriteOps: 0, consumerInvocations: 0, messagesConsumed: 0, d1RowsRead: 0, d1RowsWritten: 0, metricsRowsWritten: 0 };
}

function wrap(target: object, name: string, before: (args: unknown[]) => void, after?: (result: unknown) => void): void {
  const original = (target as Record<string, AnyFn>)[name];
  if (typeof original !== "function") return;
  (target as Record<string, AnyFn>)[name] = function (this: unknown, ...args: unknown[]) {
    if (!state.paused) before(args);
    const result = original.apply(this, args);
    if (!state.paused && after) after(result);
    return result;
  };
}

const QUEUE_OP_BYTES = 64 * 1024;
/** Objects currently running a metered method (single-event tests: no concurrent calls per object). */
const inside = new WeakSet<object>();
let installed = false;

/** Install the meter once per isolate (idempotent). */
export async function installMeter(): Promise<void> {
  if (installed) return;
  installed = true;
  for (const [label, cls] of [["EventLedger", EventLedger], ["DestinationGate", DestinationGate], ["MetricsStore", MetricsStore]] as const) {
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === "constructor") continue;
      // Only calls from outside the object are requests: `this.status()` inside `admit` is not.
      const original = (cls.prototype as unknown as Record<string, AnyFn>)[name]!;
      (cls.prototype as unknown as Record<string, AnyFn>)[name] = function (this: object, ...args: unknown[]) {
        const outer = !inside.has(this);
        if (outer && !state.paused) {
          const key = `${label}.${name}`;
          state.counts.doRequests[key] = (state.counts.doRequests[key] ?? 0) + 1;
        }
        if (!outer) return original.apply(this, args);
        if (label === "MetricsStore") {
          inMetrics = true;
          try {
            return original.apply(this, args);
          } finally {
            inMetrics = false;
          }
        }
        inside.add(this);
        try {
          const result = original.apply(this, args);
          return result instanceof Promise ? result.finally(() => inside.delete(this)) : (inside.delete(this), result);
        } catch (error) {
          inside.delete(this);
          throw error;
        }
      };
    }
  }
  const probe = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName("cost-meter:probe"));
  const [sqlProto, storageProto, kvProto] = await runInDurableObject(probe, (_i, s) => [Object.getPrototypeOf(s.storage.sql), Object.getPrototypeOf(s.storage), Object.getPrototypeOf(s.storage.kv)]);
  wrap(sqlProto, "exec", (args) => {
    if (!inMetrics) state.statements.push(String(args[0]).trim().split(/\s+/).slice(0, 4).join(" "));
  }, (cursor) => (inMetrics ? state.metricsCursors : state.cursors).push(cursor as Cursorish));
  // The synchronous KV API stores each key as one row of a hidden SQLite table: a put or a delete
  // writes one row, a get reads one (its cursors are not visible, so count the calls).
  wrap(kvProto, "put", (args) => {
    state.counts.rowsWritten++;
    state.kvWrites.push(String(args[0]));
  });
  wrap(kvProto, "delete", (args) => {
    state.counts.rowsWritten++;
    state.kvWrites.push(`delete ${String(args[0])}`);
  });
  wrap(kvProto, "get", () => void state.counts.rowsRead++);
  wrap(storageProto, "setAlarm", () => void state.counts.alarmsSet++);
  wrap(storageProto, "deleteAll", () => void state.counts.deleteAll++);
  const queueProto = Object.getPrototypeOf(env.DELIVERY_QUEUE);
  const sent = (bodies: unknown[]) => {
    for (const body of bodies) {
      const bytes = JSON.stringify(body).length;
      state.counts.queueMessagesSent++;
      state.counts.queueBytesSent += bytes;
      state.counts.queueWriteOps += Math.max(1, Math.ceil(bytes / QUEUE_OP_BYTES));
    }
  };
  wrap(queueProto, "send", (args) => sent([args[0]]));
  wrap(queueProto, "sendBatch", (args) => sent([...(args[0] as Iterable<{ body: unknown }>)].map((m) => m.body)));
  const handlers = worker as unknown as Record<string, AnyFn>;
  wrap(handlers, "queue", (args) => {
    state.counts.consumerInvocations++;
    state.counts.messagesConsumed += (args[0] as MessageBatch).messages.length;
  }, (result) => state.consumers.push(result as Promise<unknown>));
  const d1 = (env as unknown as Record<string, unknown>).EVENT_INDEX;
  if (d1 && typeof d1 === "object") {
    const statementProto = Object.getPrototypeOf((d1 as D1Database).prepare("SELECT 1"));
    const track = (result: unknown) => state.d1.push(Promise.resolve(result).catch(() => undefined));
    for (const name of ["run", "all", "first", "raw"]) wrap(statementProto, name, () => {}, track);
    wrap(Object.getPrototypeOf(d1), "batch", () => {}, track);
  }
}

/** Start counting from zero. */
export function resetMeter(): void {
  state.kvWrites = [];
  state.cursors = [];
  state.metricsCursors = [];
  state.statements = [];
  state.d1 = [];
  state.consumers = [];
  state.counts = fresh();
}

/** Run `fn` without counting what it does (test set-up and inspection are not the product's cost). */
export async function unmetered<T>(fn: () => Promise<T>): Promise<T> {
  state.paused = true;
  try {
    return await fn();
  } finally {
    state.paused = false;
  }
}

/** Rows written per SQL statement and KV write (for explaining the totals). */
export function statementBreakdown(): string[] {
  return [...state.cursors.map((c, i) => `${state.statements[i]}: read ${c.rowsRead}, written ${c.rowsWritten}`), ...state.kvWrites.map((k) => `kv ${k}: written 1`)];
}

/** The counts so far (consumer invocations awaited, cursor and D1 row counts summed). */
export async function readMeter(): Promise<Counts> {
  await Promise.allSettled(state.consumers);
  const counts = { ...state.counts, doRequests: { ...state.counts.doRequests } };
  for (const c of state.cursors) {
    counts.rowsRead += c.rowsRead;
    counts.rowsWritten += c.rowsWritten;
  }
  for (const c of state.metricsCursors) counts.metricsRowsWritten += c.rowsWritten;
  for (const r of await Promise.all(state.d1)) {
    const results = Array.isArray(r) ? r : [r];
    for (const one of results) {
      const meta = (one as { meta?: { rows_read?: number; rows_written?: number } } | null)?.meta;
      counts.d1RowsRead += meta?.rows_read ?? 0;
      counts.d1RowsWritten += meta?.rows_written ?? 0;
    }
  }
  return counts;
}
