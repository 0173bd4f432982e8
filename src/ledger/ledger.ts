/**
 * EventLedger: one SQLite-backed Durable Object per `<source>:<eventId>`.
 *
 * - `accept` is an atomic check-and-set (no I/O between the read and the write, so the input gate
 *   makes it race-free) and an outbox: tasks are stored before they are enqueued, and the alarm
 *   re-sends any task that is neither confirmed nor due in the future.
 * - `claim` / `record` bracket each delivery attempt; a task already final is skipped.
 * - After the dedupe window, once every task is final, the object deletes itself.
 * State is one KV value (src/ledger/store.ts): one row written to accept, one per outcome.
 */
import { DurableObject } from "cloudflare:workers";
import { ledgerName, webhookIdFor } from "./plan";
import { sha256Hex, toBase64 } from "../shared/bytes";
import { recordConflict } from "./conflicts";
import { loadPayload, loadTransformed, readEvent, redriveAt, SCHEMA_VERSION, storePayload, storeTransformed, writeEvent, type StoredEvent, type StoredTask } from "./store";
import type { AcceptInput, AcceptResult, ClaimResult, DeliveryMessage, EventRecord, InlineDelivery, LedgerView, Outcome, ReplayOptions, ReplayResult, TaskStatus, TransformedDelivery } from "./types";

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
    let known = readEvent(this.#kv);
    let backfill: string | undefined;
    if (known && known.bodySha256 === undefined) {
      // Stored before body hashes were recorded: hash it now, then read again (a write may have come in between).
      backfill = await sha256Hex(loadPayload(this.#kv, known));
      known = readEvent(this.#kv);
    }
    // Check-and-set: no await between this read and the write below.
    if (known) return this.#duplicate(known, backfill, { sha256: bodySha256, bytes: event.payload.byteLength, receivedAt: event.receivedAt });
    const now = Date.now();
    const { payload, ...identity } = event;
    const stored: StoredEvent = {
      v: SCHEMA_VERSION,
      ...identity,
      expiresAt: event.receivedAt + input.dedupeWindowSeconds * 1000,
      redriveMs: input.redriveAfterSeconds * 1000,
      filtered: input.filtered ?? [],
      ...storePayload(this.#kv, payload),
      bodySha256,
      tasks: input.destinations.map((destination, i) => ({
        destination, webhookId: ids[i]!, status: "pending", attempts: 0, dueAt: now, lastStatus: null, lastError: null, log: [],
      })),
    };
    writeEvent(this.#kv, stored);
    await this.#schedule(stored, now);
    if (input.destinations.length > 0) {
      const name = ledgerName(event.source, event.eventId);
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

  /** Ask to attempt a task: deliver (with a lease), skip (final or unknown), or wait (another attempt is in flight). */
  claim(destination: string, leaseMs: number): ClaimResult {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task) return { action: "skip", reason: "unknown" };
    if (task.status !== "pending") return { action: "skip", reason: task.status };
    const now = Date.now();
    const lease = this.#leases.get(destination) ?? 0;
    if (lease > now) return { action: "wait", delaySeconds: Math.ceil((lease - now) / 1000) };
    // Load first: a claim that throws (a lost chunk) must not leave a lease that hides the failure.
    const delivery = { webhookId: task.webhookId, ...identityOf(event), payload: loadPayload(this.#kv, event) };
    this.#leases.set(destination, now + leaseMs);
    return { action: "deliver", attempt: task.attempts + 1, delivery };
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
  transformed(destination: string, version: string): TransformedDelivery | null {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!task || task.status !== "pending" || task.transform?.version !== version) return null;
    return loadTransformed(this.#kv, destination) ?? null;
  }

  /**
   * Keep a transform's output for a pending task and return the output to send: the first one a
   * version made wins, so two racing attempts (or a retry after a lost answer) send the same bytes.
   * A new version replaces the old output. `null` when the task is no longer pending.
   */
  keepTransformed(destination: string, output: TransformedDelivery): TransformedDelivery | null {
    const event = readEvent(this.#kv);
    const task = event?.tasks.find((t) => t.destination === destination);
    if (!event || !task || task.status !== "pending") return null;
    if (task.transform?.version === output.version) {
      const kept = loadTransformed(this.#kv, destination);
      if (kept) return kept;
    }
    storeTransformed(this.#kv, destination, output);
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

  /** The stored event (without payload bytes) and its tasks. `null` when nothing is stored. */
  inspect(): LedgerView | null {
    const event = readEvent(this.#kv);
    if (!event) return null;
    const { expiresAt, payloadBytes, filtered, tasks, bodySha256, conflicts, providerEventId } = event;
    const extra = { ...(bodySha256 ? { bodySha256 } : {}), ...(conflicts ? { conflicts } : {}), ...(providerEventId !== undefined ? { providerEventId } : {}) };
    return { event: { ...identityOf(event), expiresAt, payloadBytes, filtered, ...extra }, tasks };
  }

  /** The stored original body, for the operator surface; `null` when nothing is stored. */
  payload(): Uint8Array | null {
    const event = readEvent(this.#kv);
    return event ? loadPayload(this.#kv, event) : null;
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

/** The task-independent part of a first message's inline delivery; null for large events. */
function inlineBody(event: StoredEvent, payload: Uint8Array): Omit<InlineDelivery, "webhookId" | "until"> | null {
  if (payload.byteLength > INLINE_MESSAGE_BYTES) return null;
  const encoded = toBase64(payload);
  let size = encoded.length;
  for (const [name, value] of Object.entries(event.headers)) size += name.length + value.length;
  return size > INLINE_MESSAGE_BYTES ? null : { ...identityOf(event), payload: encoded };
}
