/** Wire types between the ingest stage, the ledger object and the delivery consumer. */

/** An event as the ingest stage hands it to the ledger. */
export interface EventRecord {
  source: string;
  eventId: string;
  /** The provider's own id, when the source dedupes on content (`eventId` is then the body hash). */
  providerEventId?: string;
  eventType: string;
  orderingKey: string | null;
  /** Milliseconds since the epoch. */
  occurredAt: number;
  receivedAt: number;
  /** Allow-listed original headers, forwarded to destinations. */
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** One conflicting body (same id, other bytes): its hash, size, first arrival and how often it came. */
export interface ConflictCopy {
  sha256: string;
  bytes: number;
  receivedAt: number;
  count: number;
}

/** An event's conflicting copies: every one counted in `total`, the first distinct ones kept. */
export interface Conflicts {
  total: number;
  copies: ConflictCopy[];
}

/** What the ledger needs to store and plan an event. */
export interface AcceptInput {
  event: EventRecord;
  /** SHA-256 hex of `event.payload` (the ledger computes it when absent). */
  bodySha256?: string;
  destinations: string[];
  /** Routed destinations whose filters did not match this event (recorded, not delivered). */
  filtered?: string[];
  dedupeWindowSeconds: number;
  redriveAfterSeconds: number;
}

/** First arrival stores and enqueues; every other copy is a duplicate. */
export type AcceptResult =
  | { status: "accepted"; tasks: number }
  /**
   * `expiresAt`: the stored event's dedupe window end; until then every copy is a duplicate.
   * `sha256`: the stored body's hash; `conflict`: set when this copy's body differs (then recorded).
   */
  | { status: "duplicate"; tasks: 0; expiresAt: number; sha256: string; conflict?: { total: number } };

/**
 * Queue message, one per (event, destination). Small on purpose: the payload stays in the ledger,
 * except for the first send of a small event (`inline`).
 */
export interface DeliveryMessage {
  v: 1;
  /** Ledger object name: `<source>:<eventId>`. */
  ledger: string;
  destination: string;
  /** When the task was first enqueued (ms); kept across deferrals, for batch wait bounds. */
  queuedAt?: number;
  /** Ordering: the event's ordering key, occurred-at and id (absent: the event is unordered). */
  key?: string;
  occurredAt?: number;
  eventId?: string;
  /** Released by the key's sequencer (strict ordering): attempt it directly. */
  sequenced?: boolean;
  /** The first send of a small event: its first attempt needs no `claim` (see InlineDelivery). */
  inline?: InlineDelivery;
}

/**
 * What the first attempt of a task needs, carried by the ledger's first message so that attempt
 * costs no `claim` round trip. The consumer may use it only on the message's first delivery and
 * only while the attempt ends before `until`, the task's first re-drive check: until then no other
 * message for the task exists (the alarm has not re-sent it, a replay leaves pending tasks alone,
 * and a deferred, parked or sequenced copy drops `inline`), so nothing can have finished the task. Any other
 * case claims from the ledger as usual. The outcome is recorded in the ledger either way.
 */
export interface InlineDelivery extends Omit<Delivery, "payload"> {
  /** The body, base64 (sealed when `sealed` is set). */
  payload: string;
  /** Milliseconds since the epoch. */
  until: number;
  /** Encryption at rest is on: the body is sealed as stored, `headers` is `{}` and the real ones are here, sealed. */
  sealed?: InlineSeal;
}

/** The stored envelope and sealed headers of an encrypted event, as a queue message carries them (base64). */
export interface InlineSeal {
  keyId: string;
  keyName: string;
  /** The wrapped data key (src/crypt Envelope.wrapped), base64. */
  wrapped: string;
  /** The sealed forwarded headers, base64. */
  headers: string;
}

/** Everything the consumer needs to make one delivery attempt. */
export interface Delivery {
  webhookId: string;
  source: string;
  eventId: string;
  eventType: string;
  orderingKey: string | null;
  occurredAt: number;
  receivedAt: number;
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** The ledger's answer when the consumer asks to attempt a task. */
export type ClaimResult =
  | { action: "deliver"; attempt: number; delivery: Delivery }
  | { action: "skip"; reason: "delivered" | "dead" | "stale" | "filtered" | "unknown" }
  | { action: "wait"; delaySeconds: number }
  /** The stored body cannot be read (encryption at rest: its key is no longer configured, or storage changed). */
  | { action: "unreadable"; reason: "encryption_key_unavailable" | "payload_unreadable"; message: string };

/**
 * Task states. `pending` covers queued, in flight and waiting for a retry; `stale` (drop-stale
 * ordering) means a newer event of the same key had already gone: recorded, not sent, replayable;
 * `filtered` means the destination's transform returned null for the event: recorded, not sent, replayable.
 */
export type TaskStatus = "pending" | "delivered" | "dead" | "stale" | "filtered";

/**
 * A transform's output for one task (src/transform), kept so that retries, re-drives and replays
 * under the same transform version send the same bytes.
 */
export interface TransformedDelivery {
  name: string;
  /** The transform version (hash of its code) that made this output. */
  version: string;
  at: number;
  /** The transform returned null: nothing is sent. */
  dropped: boolean;
  payload?: Uint8Array;
  headers?: Record<string, string>;
  eventType?: string;
  /** Appended to the destination URL. */
  path?: string | null;
  /** As stored with encryption at rest: payload, headers, eventType and path sealed (src/ledger/sealed.ts); never in what the ledger hands out. */
  sealed?: { payload?: Uint8Array; fields: Uint8Array };
}

/** Which transform version produced what a task sent (or dropped), for the event detail. */
export interface TransformNote {
  name: string;
  version: string;
  at: number;
  dropped: boolean;
  /** Bytes of the transformed body (absent when dropped). */
  bytes?: number;
}

/** One attempt, as recorded in the attempt log. */
export interface AttemptRecord {
  attempt: number;
  at: number;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  latencyMs: number;
  /** Error class: `http_5xx`, `timeout`, `network`, … (absent on success). */
  error?: string;
  /** Bounded snippet of the response body. */
  snippet?: string;
}

/** The consumer's report of an attempt and what happens next. */
export interface Outcome {
  kind: "delivered" | "retry" | "dead";
  record: AttemptRecord;
  /** For `retry`: when the next attempt is due (ms since the epoch). */
  retryAt?: number;
}

/** A task as stored, for inspection. */
export interface TaskView {
  destination: string;
  webhookId: string;
  status: TaskStatus;
  attempts: number;
  dueAt: number;
  lastError: string | null;
  lastStatus: number | null;
  log: AttemptRecord[];
  /** The transform output the task sends (absent: no transform ran). */
  transform?: TransformNote;
}

/** The ledger's full state, for the operator surface and tests. */
export interface LedgerView {
  event: Omit<EventRecord, "payload"> & { payloadBytes: number; expiresAt: number; filtered: string[]; bodySha256?: string; conflicts?: Conflicts; encryption?: EncryptionView };
  tasks: TaskView[];
}

/** Which tasks a replay re-opens. */
export interface ReplayOptions {
  /** Only these destinations (default: all). */
  destinations?: string[];
  /** Only tasks in these states (default: `["dead"]`). */
  statuses?: TaskStatus[];
}

/** The destinations whose tasks a replay re-opened (empty when there was nothing to replay). */
export interface ReplayResult {
  replayed: string[];
}

/** How an encrypted event is stored: which key sealed it, and whether this config can open it (absent: stored in clear). */
export interface EncryptionView {
  keyId: string;
  keyName: string;
  /** Why the payload and headers cannot be read now (absent: readable). */
  problem?: { reason: "encryption_key_unavailable" | "payload_unreadable"; message: string };
}

/** The stored body for the operator surface, or why it cannot be read (its key is no longer configured, or storage changed). */
export type PayloadAnswer = { ok: true; payload: Uint8Array } | { ok: false; reason: "encryption_key_unavailable" | "payload_unreadable"; message: string };
