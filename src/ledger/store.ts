/**
 * Ledger storage, schema v2 (docs/storage.md): the synchronous KV API of the SQLite-backed object.
 * The whole state is one value, `event` (metadata + tasks, and the body when it is small), so
 * accepting an event writes one row and recording an outcome rewrites that one row; no table is
 * created, so no schema rows are billed per object. Larger bodies go to `chunk:<n>` values, once.
 */
import type { AttemptRecord, Conflicts, EventRecord, TaskStatus, TransformedDelivery, TransformNote } from "./types";

export const SCHEMA_VERSION = 2;

/** Bodies up to this size live inside the `event` value (rewritten with each outcome). */
export const INLINE_PAYLOAD_BYTES = 256 * 1024;
/** Larger bodies are split into values of this size (a key and value together hold at most 2 MB). */
export const PAYLOAD_CHUNK_BYTES = 1024 * 1024;

/** One destination's task, as stored. */
export interface StoredTask {
  destination: string;
  webhookId: string;
  status: TaskStatus;
  attempts: number;
  /** When the task is next expected to be consumed (ms); the alarm re-sends it `redriveMs` later. */
  dueAt: number;
  /** Re-sends by the alarm since the task last made progress; each one doubles the next wait. */
  redrives?: number;
  lastStatus: number | null;
  lastError: string | null;
  log: AttemptRecord[];
  /** The transform output this task sends, when its destination has a transform (the output itself: `transform:<destination>`). */
  transform?: TransformNote;
}

/** The `event` value. */
export interface StoredEvent extends Omit<EventRecord, "payload"> {
  v: typeof SCHEMA_VERSION;
  expiresAt: number;
  redriveMs: number;
  filtered: string[];
  payloadBytes: number;
  /** The body when at most INLINE_PAYLOAD_BYTES, else absent (see `chunks`). */
  payload?: Uint8Array;
  chunks: number;
  tasks: StoredTask[];
  /** SHA-256 hex of the body (absent on events stored before it was recorded: computed on demand). */
  bodySha256?: string;
  /** Copies that came with this id and another body (absent: none). */
  conflicts?: Conflicts;
}

/** Read the event; `undefined` when nothing is stored. */
export function readEvent(kv: SyncKvStorage): StoredEvent | undefined {
  return kv.get<StoredEvent>("event");
}

/** Write the event (one row). */
export function writeEvent(kv: SyncKvStorage, event: StoredEvent): void {
  kv.put("event", event);
}

/** Store a body: inline in the event when small, else as chunk values (written once, at accept). */
export function storePayload(kv: SyncKvStorage, payload: Uint8Array): Pick<StoredEvent, "payload" | "chunks" | "payloadBytes"> {
  if (payload.byteLength <= INLINE_PAYLOAD_BYTES) return { payload, chunks: 0, payloadBytes: payload.byteLength };
  let chunks = 0;
  for (let at = 0; at < payload.byteLength; at += PAYLOAD_CHUNK_BYTES) kv.put(`chunk:${chunks++}`, payload.slice(at, at + PAYLOAD_CHUNK_BYTES));
  return { chunks, payloadBytes: payload.byteLength };
}

/** The original body: inline, or reassembled from its chunks. */
export function loadPayload(kv: SyncKvStorage, event: StoredEvent): Uint8Array {
  if (event.payload) return new Uint8Array(event.payload);
  const out = new Uint8Array(event.payloadBytes);
  for (let i = 0; i < event.chunks; i++) out.set(kv.get<Uint8Array>(`chunk:${i}`)!, i * PAYLOAD_CHUNK_BYTES);
  return out;
}

/** Store a task's transform output (one value per task, rewritten only when the transform version changes). */
export function storeTransformed(kv: SyncKvStorage, destination: string, output: TransformedDelivery): void {
  kv.put(`transform:${destination}`, output);
}

/** A task's stored transform output, if any. */
export function loadTransformed(kv: SyncKvStorage, destination: string): TransformedDelivery | undefined {
  const stored = kv.get<TransformedDelivery>(`transform:${destination}`);
  return stored && stored.payload ? { ...stored, payload: new Uint8Array(stored.payload) } : stored;
}

/** Longest wait between two re-sends of one task by the alarm. */
export const MAX_REDRIVE_MS = 6 * 3600 * 1000;

/**
 * When the alarm may re-send a pending task: `redriveMs` after it was due, doubling with each
 * re-send that brought no progress (capped at MAX_REDRIVE_MS), so a lagging consumer or a long pause
 * is not fed an ever-growing stream of copies.
 */
export function redriveAt(task: StoredTask, redriveMs: number): number {
  return task.dueAt + Math.min(redriveMs * 2 ** (task.redrives ?? 0), Math.max(redriveMs, MAX_REDRIVE_MS));
}
