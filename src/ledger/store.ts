/**
 * Ledger storage, schema v2 (docs/storage.md): the synchronous KV API of the SQLite-backed object.
 * The whole state is one value, `event` (metadata + tasks, and the body when it is small), so
 * accepting an event writes one row and recording an outcome rewrites that one row; no table is
 * created, so no schema rows are billed per object. Larger bodies go to `chunk:<n>` values, once.
 * With encryption on (settings.encryptionKeys) the body, its chunks and the forwarded headers are
 * stored sealed by the event's data key (src/crypt), whose envelope is kept in `sealed`.
 */
import { openPart, sealPart, type DataKey, type Envelope } from "../crypt";
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
  /** Encryption at rest: the data key's envelope. When set, `payload` and chunks are sealed and `headers` is `{}`. */
  sealed?: Envelope;
  /** The forwarded headers, sealed (JSON), when `sealed` is set. */
  sealedHeaders?: Uint8Array;
}

/** Read the event; `undefined` when nothing is stored. */
export function readEvent(kv: SyncKvStorage): StoredEvent | undefined {
  return kv.get<StoredEvent>("event");
}

/** Write the event (one row). */
export function writeEvent(kv: SyncKvStorage, event: StoredEvent): void {
  kv.put("event", event);
}

/** A body ready to store: in the event value when small, else as chunk values; sealed when a data key is given. */
export interface PreparedPayload {
  inline?: Uint8Array;
  chunks: Uint8Array[];
  payloadBytes: number;
}

/** Split (and seal, with a data key) a body for storage; no storage is touched, so it may run before the check-and-set. */
export async function preparePayload(payload: Uint8Array, dataKey: DataKey | null): Promise<PreparedPayload> {
  const payloadBytes = payload.byteLength;
  if (payloadBytes <= INLINE_PAYLOAD_BYTES) return { inline: dataKey ? await sealPart(dataKey, "body", payload) : payload, chunks: [], payloadBytes };
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < payloadBytes; at += PAYLOAD_CHUNK_BYTES) chunks.push(payload.slice(at, at + PAYLOAD_CHUNK_BYTES));
  return { chunks: dataKey ? await Promise.all(chunks.map((c, i) => sealPart(dataKey, `chunk:${i}`, c))) : chunks, payloadBytes };
}

/** Store a prepared body: its chunk values are written here (once, at accept); the rest goes in the event. */
export function storePayload(kv: SyncKvStorage, prepared: PreparedPayload): Pick<StoredEvent, "payload" | "chunks" | "payloadBytes"> {
  prepared.chunks.forEach((chunk, i) => kv.put(`chunk:${i}`, chunk));
  const { inline, chunks, payloadBytes } = prepared;
  return inline ? { payload: inline, chunks: 0, payloadBytes } : { chunks: chunks.length, payloadBytes };
}

/**
 * The original body: inline, or reassembled from its chunks, opened with the event's data key when
 * it is stored sealed. `null` when a sealed piece fails its integrity check.
 */
export async function loadPayload(kv: SyncKvStorage, event: StoredEvent, dataKey: DataKey | null): Promise<Uint8Array | null> {
  if (event.payload) return dataKey ? openPart(dataKey, "body", event.payload) : new Uint8Array(event.payload);
  const out = new Uint8Array(event.payloadBytes);
  for (let i = 0; i < event.chunks; i++) {
    const stored = kv.get<Uint8Array>(`chunk:${i}`);
    if (stored === undefined) throw new Error(`chunk ${i} of the body is missing from storage`);
    const chunk = dataKey ? await openPart(dataKey, `chunk:${i}`, stored) : stored;
    if (!chunk) return null;
    out.set(chunk, i * PAYLOAD_CHUNK_BYTES);
  }
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
