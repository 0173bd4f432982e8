/**
 * EventLedger: one SQLite-backed Durable Object per `<source>:<eventId>`.
 *
 * - `accept` is an atomic check-and-set (no I/O between the read and the write, so the input gate
 *   makes it race-free) and an outbox: tasks are stored before they are enqueued, and the alarm
 *   re-sends any task that is neither confirmed nor due in the future.
 * - `claim` / `record` bracket each delivery attempt; a task already final is skipped.
 * - After the dedupe window, once every task is final, the object deletes itself.
 * State is one KV value (src/ledger/store.ts): one row written to accept, one per outcome.
 * With settings.encryptionKeys the body and forwarded headers are sealed before they are stored
 * (src/ledger/sealed.ts) and opened for `claim`, `payload` and `inspect`.
 */
import { DurableObject } from "cloudflare:workers";
import { ledgerName, webhookIdFor } from "./plan";
import { sha256Hex, toBase64 } from "../shared/bytes";
import { recordConflict } from "./conflicts";
import { loadConfig } from "../config";
import type { DataKey, EncryptionKey, OpenFailure } from "../crypt";
import { dataKeyOf, headersOf, openTransformed, sealFor, sealHeaders, sealTransformed, UNREADABLE } from "./sealed";
import { loadPayload, loadTransformed, preparePayload, readEvent, redriveAt, SCHEMA_VERSION, storePayload, storeTransformed, writeEvent, type StoredEvent, type StoredTask } from "./store";
import type { AcceptInput, AcceptResult, ClaimResult, DeliveryMessage, EncryptionView, EventRecord, InlineDelivery, LedgerView, Outcome, PayloadAnswer, ReplayOptions, ReplayResult, TaskStatus, TransformedDelivery } from "./types";

/** Attempts kept in a task's log; older ones are summarised by the attempt counter. */
const LOG_LIMIT = 100;

/**
 * Largest inline delivery (base64 body plus forwarded headers) a first message carries, so the
 * message stays inside one 64 KB queue billing unit; larger events are claimed from the ledger.
 */
export const INLINE_MESSAGE_BYTES = 48 * 1024;

/** Bindings the ledger uses. */
interface LedgerEnv {
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
  /** The config (and, through it, the Worker secrets holding settings.encryptionKeys). */
  EDGEHOOK?: unknown;
}

export class EventLedger extends DurableObject<LedgerEnv> {
  /** In-memory leases: one attempt in flight per task. Lost on eviction, which only allows a rare repeat. */
  readonly #leases = new Map<string, number>();

  get #kv(): SyncKvStorage {
    return this.ctx.storage.kv;
  }

  /** Store the event and plan its tasks the first time; report a duplicate every other time. */
  async accept(input: AcceptInput): Promise<AcceptResult> {
    const { event } = input;
    const ids = await Promise.all(input.destinations.map((d) => webhookIdFor(event.source, event.eventId, d)));
    const bodySha256 = input.bodySha256 ?? (await sha256Hex(event.payload));
    const copy = { sha256: bodySha256, bytes: event.payload.byteLength, receivedAt: event.receivedAt };
    const name = ledgerName(event.source, event.eventId);
    let known = readEvent(this.#kv);
    let backfill: string | undefined;
    if (known && known.bodySha256 === undefined && !known.sealed) {
      // Stored before body hashes were recorded (and so before encryption): hash it now, then read again (a write may have come in between).
      backfill = await sha256Hex((await loadPayload(this.#kv, known, null))!);
      known = readEvent(this.#kv);
    }
    if (known) return this.#duplicate(known, backfill, copy);
    const { payload, headers, ...identity } = event;
    // Sealing awaits, so it runs before the check-and-set, which then reads again.
    const seal = await sealFor(this.#keys(), name);
    const prepared = await preparePayload(payload, seal?.dataKey ?? null);
    const sealedHeaders = seal ? await sealHeaders(seal.dataKey, headers) : null;
    if (seal) known = readEvent(this.#kv);
    // Check-and-set: no await between this read and the write below.
    if (known) return this.#duplicate(known, undefined, copy);
    const now = Date.now();
    const stored: StoredEvent = {
      v: SCHEMA_VERSION,
      ...identity,
      headers: seal ? {} : headers,
      expiresAt: event.receivedAt + input.dedupeWindowSeconds * 1000,
      redriveMs: input.redriveAfterSeconds * 1000,
      filtered: input.filtered ?? [],
      ...(seal && sealedHeaders ? { sealed: seal.envelope, sealedHeaders } : {}),
      ...storePayload(this.#kv, prepared),
      bodySha256,
      tasks: input.destinations.map((destination, i) => ({
        destination, webhookId: ids[i]!, status: "pending", attempts: 0, dueAt: now, lastStatus: null, lastError: null, log: [],
      })),
    };
    writeEvent(this.#kv, stored);
    await this.#schedule(stored, now);
    if (input.destinations.length > 0) {
      try {
        await this.env.DELIVERY_QUEUE.sendBatch(firstMessages(name, stored, payload).map((body) => ({ body, contentType: "json" })));
      } catch (error) {
        // Stored is what counts for the 2xx; the alarm re-sends what the queue did not take.
        console.error(JSON.stringify({ msg: "enqueue_failed", ledger: name, error: String(error) }));
      }
    }
    return { status: "accepted", tasks: input.destinations.length };
  }

  /**
   * A copy of a stored event: a duplicate. When its body differs from the stored one (same id, valid
   * signature, other content) the first body stays the event and the copy is recorded as a conflict.
   */
  #duplicate(known: StoredEvent, backfill: string | undefined, copy: { sha256: string; bytes: number; receivedAt: number }): AcceptResult {
    const filled = known.bodySha256 === undefined;
    known.bodySha256 ??= backfill ?? copy.sha256;
    const answer = { status: "duplicate", tasks: 0, expiresAt: known.expiresAt, sha256: known.bodySha256 } as const;
    if (copy.sha256 === known.bodySha256) {
      if (filled) writeEvent(this.#kv, known);
      return answer;
    }
    known.conflicts = recordConflict(known.conflicts, copy);
    writeEvent(this.#kv, known);
    return { ...answer, conflict: { total: known.conflicts.total } };
  }

  /**
   * Ask to attempt a task: deliver (with a lease), skip (final or unknown), wait (another attempt is
   * in flight), or unreadable (encrypted under a key no longer configured, or changed storage):
   * nothing is sent; the consumer retries, then ends the task dead with that reason.
   */
  async claim(destination: string, leaseMs: number): Promise<ClaimResult> {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task) return { action: "skip", reason: "unknown" };
    if (task.status !== "pending") return { action: "skip", reason: task.status };
    const now = Date.now();
    const lease = this.#leases.get(destination) ?? 0;
    if (lease > now) return { action: "wait", delaySeconds: Math.ceil((lease - now) / 1000) };
    // Leased before opening (which awaits), so a second claim meanwhile waits; a claim that throws
    // must not leave a lease that hides the failure.
    this.#leases.set(destination, now + leaseMs);
    try {
      const opened = await this.#open(event, true);
      if (!opened.ok) {
        this.#leases.delete(destination);
        return { action: "unreadable", reason: opened.reason, message: opened.message };
      }
      const delivery = { webhookId: task.webhookId, ...identityOf(event), headers: opened.headers, payload: opened.payload! };
      return { action: "deliver", attempt: task.attempts + 1, delivery };
    } catch (error) {
      this.#leases.delete(destination); // a lost chunk: the consumer's retry sees the failure again
      throw error;
    }
  }

  /** Record an attempt's outcome (before the consumer acks), and release the lease. */
  async record(destination: string, outcome: Outcome): Promise<TaskStatus | null> {
    this.#leases.delete(destination);
    return this.#update(destination, (task) => {
      task.status = outcome.kind === "retry" ? "pending" : outcome.kind;
      task.attempts = Math.max(task.attempts, outcome.record.attempt);
      task.dueAt = outcome.retryAt ?? Date.now();
      task.redrives = 0; // an attempt is progress
      task.lastStatus = outcome.record.status;
      task.lastError = outcome.record.error ?? null;
      task.log = task.log.concat(outcome.record).slice(-LOG_LIMIT);
    });
  }

  /** Record a pending task as stale (drop-stale ordering: a newer event of its key already went). */
  async markStale(destination: string): Promise<TaskStatus | null> {
    this.#leases.delete(destination);
    return this.#update(destination, (task) => {
      task.status = "stale";
      task.lastError = "stale";
    });
  }

  /** A pending task's stored transform output, when `version` made it (else null: run the transform). */
  async transformed(destination: string, version: string): Promise<TransformedDelivery | null> {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task || task.status !== "pending" || task.transform?.version !== version) return null;
    const stored = loadTransformed(this.#kv, destination);
    return stored ? this.#openTransformed(event, destination, stored) : null;
  }

  /**
   * Keep a transform's output for a pending task and return the output to send: the first one a
   * version made wins, so two racing attempts (or a retry after a lost answer) send the same bytes.
   * A new version replaces the old output. `null` when the task is no longer pending.
   */
  async keepTransformed(destination: string, output: TransformedDelivery): Promise<TransformedDelivery | null> {
    let event = readEvent(this.#kv);
    // Encryption at rest: sealing awaits, so it runs before the check-and-set below, which reads again.
    const stored = event?.sealed ? await sealTransformed(await this.#dataKey(event), destination, output) : output;
    event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task || task.status !== "pending") return null;
    if (task.transform?.version === output.version) {
      const kept = loadTransformed(this.#kv, destination);
      if (kept) return this.#openTransformed(event, destination, kept);
    }
    storeTransformed(this.#kv, destination, stored);
    task.transform = { name: output.name, version: output.version, at: output.at, dropped: output.dropped, ...(output.payload ? { bytes: output.payload.byteLength } : {}) };
    writeEvent(this.#kv, event);
    return output;
  }

  /** Record a pending task as filtered: its transform returned null (recorded, not sent, replayable). */
  async markFiltered(destination: string): Promise<TaskStatus | null> {
    this.#leases.delete(destination);
    return this.#update(destination, (task) => {
      task.status = "filtered";
      task.lastError = "transform_dropped";
    });
  }

  /** Mark a pending task dead without an attempt (the queue gave up on it: dead-letter queue). */
  async markDead(destination: string, reason: string): Promise<TaskStatus | null> {
    return this.#update(destination, (task) => {
      task.status = "dead";
      task.lastError = reason;
    });
  }

  /**
   * Replay tasks (default: the dead ones; optionally only some destinations, or delivered ones too):
   * each goes back to pending with a fresh attempt budget and the same webhook-id, and is enqueued.
   * Idempotent: pending tasks are left alone. `null` when the event is not stored.
   */
  async replay(options: ReplayOptions = {}): Promise<ReplayResult | null> {
    const event = readEvent(this.#kv);
    if (!event) return null;
    const statuses = options.statuses ?? ["dead"];
    const chosen = event.tasks.filter((t) => statuses.includes(t.status) && (!options.destinations || options.destinations.includes(t.destination)));
    if (chosen.length > 0) {
      const now = Date.now();
      for (const t of chosen) Object.assign(t, { status: "pending", attempts: 0, dueAt: now, redrives: 0 });
      writeEvent(this.#kv, event);
      await this.#schedule(event, now);
      const name = ledgerName(event.source, event.eventId);
      await this.env.DELIVERY_QUEUE.sendBatch(chosen.map((t) => ({ body: messageFor(name, t.destination, event), contentType: "json" })));
    }
    return { replayed: chosen.map((t) => t.destination) };
  }

  /**
   * The stored event (without payload bytes) and its tasks, headers opened when encrypted (empty,
   * with `encryption.problem` saying why, when they cannot be). `null` when nothing is stored.
   */
  async inspect(): Promise<LedgerView | null> {
    const event = readEvent(this.#kv);
    if (!event) return null;
    const { expiresAt, payloadBytes, filtered, tasks, bodySha256, conflicts, providerEventId } = event;
    const extra = { ...(bodySha256 ? { bodySha256 } : {}), ...(conflicts ? { conflicts } : {}), ...(providerEventId !== undefined ? { providerEventId } : {}) };
    let encryption: EncryptionView | undefined;
    let headers = event.headers;
    if (event.sealed) {
      const opened = await this.#open(event, false);
      encryption = { keyId: event.sealed.keyId, keyName: event.sealed.keyName, ...(opened.ok ? {} : { problem: { reason: opened.reason, message: opened.message } }) };
      headers = opened.ok ? opened.headers : {};
    }
    return { event: { ...identityOf(event), headers, expiresAt, payloadBytes, filtered, ...extra, ...(encryption ? { encryption } : {}) }, tasks };
  }

  /** The stored original body, for the operator surface, or why it cannot be read; `null` when nothing is stored. */
  async payload(): Promise<PayloadAnswer | null> {
    const event = readEvent(this.#kv);
    if (!event) return null;
    const opened = await this.#open(event, true);
    return opened.ok ? { ok: true, payload: opened.payload! } : opened;
  }

  /** Payload encryption keys of the current config (empty: off). Throws on an invalid config: nothing is stored unsealed by mistake. */
  #keys(): readonly EncryptionKey[] {
    const loaded = loadConfig(this.env);
    if (!loaded.ok) throw new Error("config_invalid: the EDGEHOOK config is invalid (see the config_invalid log line)");
    return loaded.config.encryptionKeys;
  }

  /** The data key of a sealed event; throws (`<reason>: <message>`, see deadReason) when it cannot be opened. */
  async #dataKey(event: StoredEvent): Promise<DataKey> {
    const key = await dataKeyOf(this.#keys(), event);
    if (!key.ok) throw new Error(`${key.reason}: ${key.message}`);
    if (!key.dataKey) throw new Error("the event is not sealed");
    return key.dataKey;
  }

  /** A stored transform output in clear; throws when sealed and unreadable (the consumer retries, then ends the task dead with the reason). */
  async #openTransformed(event: StoredEvent, destination: string, stored: TransformedDelivery): Promise<TransformedDelivery> {
    if (!stored.sealed) return stored;
    const opened = await openTransformed(await this.#dataKey(event), destination, stored);
    if (!opened) throw new Error(`${UNREADABLE.reason}: the stored transform output failed its integrity check`);
    return opened;
  }

  /** An event's forwarded headers and (when asked) body in clear, or why they cannot be read. */
  async #open(event: StoredEvent, withPayload: boolean): Promise<{ ok: true; headers: Record<string, string>; payload: Uint8Array | null } | OpenFailure> {
    let dataKey: DataKey | null = null;
    if (event.sealed) {
      const key = await dataKeyOf(this.#keys(), event);
      if (!key.ok) return key;
      dataKey = key.dataKey;
    }
    const [headers, payload] = await Promise.all([headersOf(event, dataKey), withPayload ? loadPayload(this.#kv, event, dataKey) : null]);
    if (headers === null || (withPayload && payload === null)) return UNREADABLE;
    return { ok: true, headers, payload };
  }

  /** Re-send overdue pending tasks; delete the object once the window has passed and all tasks are final. */
  async alarm(): Promise<void> {
    const event = readEvent(this.#kv);
    if (!event) return;
    const now = Date.now();
    const pending = event.tasks.filter((t) => t.status === "pending");
    if (pending.length === 0 && now >= event.expiresAt) {
      // Since compatibility date 2026-02-24 deleteAll() removes the alarm too: nothing of the object is left.
      await this.ctx.storage.deleteAll();
      return;
    }
    const overdue = pending.filter((t) => redriveAt(t, event.redriveMs) <= now && (this.#leases.get(t.destination) ?? 0) <= now);
    if (overdue.length > 0) {
      const name = ledgerName(event.source, event.eventId);
      for (const t of overdue) {
        t.dueAt = now;
        t.redrives = (t.redrives ?? 0) + 1;
      }
      writeEvent(this.#kv, event);
      await this.env.DELIVERY_QUEUE.sendBatch(overdue.map((t) => ({ body: messageFor(name, t.destination, event), contentType: "json" })));
      console.log(JSON.stringify({ msg: "redrive", ledger: name, tasks: overdue.length }));
    }
    await this.#schedule(event, now);
  }

  /** Change one pending task and write the event back (one row); returns the task's status. */
  async #update(destination: string, change: (task: StoredTask) => void): Promise<TaskStatus | null> {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task) return null;
    if (task.status !== "pending") return task.status;
    change(task);
    writeEvent(this.#kv, event);
    await this.#schedule(event, Date.now());
    return task.status;
  }

  /** Next alarm: the earliest re-drive check of a pending task, else the end of the dedupe window. */
  async #schedule(event: StoredEvent, now: number): Promise<void> {
    const due = event.tasks.filter((t) => t.status === "pending").map((t) => redriveAt(t, event.redriveMs));
    const at = Math.min(event.expiresAt, ...due);
    if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(Math.max(at, now + 1));
  }
}

/** An event's identity and forwarded headers, as stored. */
function identityOf(event: StoredEvent): Omit<EventRecord, "payload"> {
  const { source, eventId, eventType, orderingKey, occurredAt, receivedAt, headers } = event;
  return { source, eventId, eventType, orderingKey, occurredAt, receivedAt, headers };
}

/** The event fields a queue message carries. */
type MessageEvent = Pick<EventRecord, "eventId" | "orderingKey" | "occurredAt">;

/** A task's queue message; ordered events carry their key and place in order. */
function messageFor(ledger: string, destination: string, event: MessageEvent, inline?: InlineDelivery | null): DeliveryMessage {
  const base: DeliveryMessage = { v: 1, ledger, destination, queuedAt: Date.now(), ...(inline ? { inline } : {}) };
  return event.orderingKey === null ? base : { ...base, key: event.orderingKey, occurredAt: event.occurredAt, eventId: event.eventId };
}

/**
 * The messages `accept` sends, one per task: small events carry their first attempt's delivery
 * inline (InlineDelivery), valid until the task's first re-drive check.
 */
export function firstMessages(ledger: string, event: StoredEvent, payload: Uint8Array): DeliveryMessage[] {
  const body = inlineBody(event, payload);
  return event.tasks.map((task) => messageFor(ledger, task.destination, event, body && { ...body, webhookId: task.webhookId, until: redriveAt(task, event.redriveMs) }));
}

/**
 * The task-independent part of a first message's inline delivery; null for large events. With
 * encryption on it carries the body and headers exactly as stored (sealed) plus the envelope, so the
 * queue holds no payload byte in clear either; the consumer opens them with the same keys.
 */
function inlineBody(event: StoredEvent, payload: Uint8Array): Omit<InlineDelivery, "webhookId" | "until"> | null {
  if (payload.byteLength > INLINE_MESSAGE_BYTES) return null;
  if (event.sealed && (!event.payload || !event.sealedHeaders)) return null;
  const sealed = event.sealed && { keyId: event.sealed.keyId, keyName: event.sealed.keyName, wrapped: toBase64(event.sealed.wrapped), headers: toBase64(event.sealedHeaders!) };
  const encoded = toBase64(sealed ? event.payload! : payload);
  let size = encoded.length + (sealed ? sealed.wrapped.length + sealed.headers.length + sealed.keyName.length : 0);
  for (const [name, value] of Object.entries(event.headers)) size += name.length + value.length;
  return size > INLINE_MESSAGE_BYTES ? null : { ...identityOf(event), payload: encoded, ...(sealed ? { sealed } : {}) };
}
