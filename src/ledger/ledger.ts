/**
 * EventLedger: one SQLite-backed Durable Object per `<source>:<eventId>`.
 *
 * - `accept` is an atomic check-and-set (no I/O between the read and the writes, so the input gate
 *   makes it race-free) and an outbox: tasks are stored before they are enqueued, and the alarm
 *   re-sends any task that is neither confirmed nor due in the future.
 * - `claim` / `record` bracket each delivery attempt; a task already delivered or dead is skipped.
 * - After the dedupe window, once every task is final, the object deletes itself.
 */
import { DurableObject } from "cloudflare:workers";
import { PAYLOAD_CHUNK_BYTES, SCHEMA } from "./sql";
import { ledgerName, webhookIdFor } from "./plan";
import type { AcceptInput, AcceptResult, AttemptRecord, ClaimResult, DeliveryMessage, EventRecord, LedgerView, Outcome, ReplayOptions, ReplayResult, TaskStatus } from "./types";

/** Attempts kept in a task's log; older ones are summarised by the attempt counter. */
const LOG_LIMIT = 100;

interface TaskRow extends Record<string, SqlStorageValue> {
  id: number;
  destination: string;
  webhook_id: string;
  status: TaskStatus;
  attempts: number;
  due_at: number;
  last_status: number | null;
  last_error: string | null;
  log: string;
}

interface EventRow extends Record<string, SqlStorageValue> {
  source: string;
  event_id: string;
  event_type: string;
  ordering_key: string | null;
  occurred_at: number;
  received_at: number;
  expires_at: number;
  redrive_ms: number;
  headers: string;
  filtered: string;
  payload: ArrayBuffer;
  payload_bytes: number;
}

/** Bindings the ledger uses. */
interface LedgerEnv {
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
}

export class EventLedger extends DurableObject<LedgerEnv> {
  /** In-memory leases: one attempt in flight per task. Lost on eviction, which only allows a rare repeat. */
  readonly #leases = new Map<string, number>();

  /** Whether the tables exist. Only `accept` creates them, so reads of unknown events store nothing. */
  #ready = false;

  #exists(): boolean {
    this.#ready ||= this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event'").toArray().length > 0;
    return this.#ready;
  }

  /** Store the event and plan its tasks the first time; report a duplicate every other time. */
  async accept(input: AcceptInput): Promise<AcceptResult> {
    const { event } = input;
    const ids = await Promise.all(input.destinations.map((d) => webhookIdFor(event.source, event.eventId, d)));
    // Check-and-set: no await between this read and the inserts below.
    const sql = this.ctx.storage.sql;
    if (!this.#exists()) {
      sql.exec(SCHEMA);
      this.#ready = true;
    } else if (sql.exec("SELECT 1 FROM event").toArray().length > 0) {
      return { status: "duplicate", tasks: 0 };
    }
    const now = Date.now();
    const redriveMs = input.redriveAfterSeconds * 1000;
    const inline = event.payload.byteLength <= PAYLOAD_CHUNK_BYTES;
    sql.exec(
      `INSERT INTO event (id, source, event_id, event_type, ordering_key, occurred_at, received_at, expires_at, redrive_ms, headers, filtered, payload, payload_bytes, schema_version)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      event.source, event.eventId, event.eventType, event.orderingKey, event.occurredAt, event.receivedAt,
      event.receivedAt + input.dedupeWindowSeconds * 1000, redriveMs, JSON.stringify(event.headers), JSON.stringify(input.filtered ?? []),
      inline ? event.payload : new Uint8Array(0), event.payload.byteLength,
    );
    if (!inline) {
      for (let seq = 0, at = 0; at < event.payload.byteLength; seq++, at += PAYLOAD_CHUNK_BYTES) {
        sql.exec("INSERT INTO payload_chunk (seq, data) VALUES (?, ?)", seq, event.payload.subarray(at, at + PAYLOAD_CHUNK_BYTES));
      }
    }
    input.destinations.forEach((destination, i) => {
      sql.exec("INSERT INTO task (destination, webhook_id, status, due_at) VALUES (?, ?, 'pending', ?)", destination, ids[i]!, now);
    });
    await this.#schedule(now);
    if (input.destinations.length > 0) {
      const name = ledgerName(event.source, event.eventId);
      try {
        await this.env.DELIVERY_QUEUE.sendBatch(
          input.destinations.map((destination) => ({ body: messageFor(name, destination, event), contentType: "json" })),
        );
      } catch (error) {
        // Stored is what counts for the 2xx; the alarm re-sends what the queue did not take.
        console.error(JSON.stringify({ msg: "enqueue_failed", ledger: name, error: String(error) }));
      }
    }
    return { status: "accepted", tasks: input.destinations.length };
  }

  /** Ask to attempt a task: deliver (with a lease), skip (final or unknown), or wait (another attempt is in flight). */
  claim(destination: string, leaseMs: number): ClaimResult {
    const task = this.#task(destination);
    if (!task) return { action: "skip", reason: "unknown" };
    if (task.status !== "pending") return { action: "skip", reason: task.status };
    const now = Date.now();
    const lease = this.#leases.get(destination) ?? 0;
    if (lease > now) return { action: "wait", delaySeconds: Math.ceil((lease - now) / 1000) };
    const event = this.ctx.storage.sql.exec<EventRow>("SELECT * FROM event").one();
    this.#leases.set(destination, now + leaseMs);
    return {
      action: "deliver",
      attempt: task.attempts + 1,
      delivery: {
        webhookId: task.webhook_id,
        source: event.source,
        eventId: event.event_id,
        eventType: event.event_type,
        orderingKey: event.ordering_key,
        occurredAt: event.occurred_at,
        receivedAt: event.received_at,
        headers: JSON.parse(event.headers) as Record<string, string>,
        payload: this.#payload(event),
      },
    };
  }

  /** Record an attempt's outcome (before the consumer acks), and release the lease. */
  async record(destination: string, outcome: Outcome): Promise<TaskStatus | null> {
    this.#leases.delete(destination);
    const task = this.#task(destination);
    if (!task) return null;
    if (task.status !== "pending") return task.status;
    const status: TaskStatus = outcome.kind === "retry" ? "pending" : outcome.kind;
    const log = (JSON.parse(task.log) as AttemptRecord[]).concat(outcome.record).slice(-LOG_LIMIT);
    const dueAt = outcome.retryAt ?? Date.now();
    this.ctx.storage.sql.exec(
      "UPDATE task SET status = ?, attempts = ?, due_at = ?, last_status = ?, last_error = ?, log = ? WHERE id = ?",
      status, Math.max(task.attempts, outcome.record.attempt), dueAt, outcome.record.status, outcome.record.error ?? null, JSON.stringify(log), task.id,
    );
    await this.#schedule(Date.now());
    return status;
  }

  /** Record a pending task as stale (drop-stale ordering: a newer event of its key already went). */
  async markStale(destination: string): Promise<TaskStatus | null> {
    this.#leases.delete(destination);
    const task = this.#task(destination);
    if (!task) return null;
    if (task.status !== "pending") return task.status;
    this.ctx.storage.sql.exec("UPDATE task SET status = 'stale', last_error = 'stale' WHERE id = ?", task.id);
    await this.#schedule(Date.now());
    return "stale";
  }

  /** Mark a pending task dead without an attempt (the queue gave up on it: dead-letter queue). */
  async markDead(destination: string, reason: string): Promise<TaskStatus | null> {
    const task = this.#task(destination);
    if (!task) return null;
    if (task.status !== "pending") return task.status;
    this.ctx.storage.sql.exec("UPDATE task SET status = 'dead', last_error = ? WHERE id = ?", reason, task.id);
    await this.#schedule(Date.now());
    return "dead";
  }

  /**
   * Replay tasks (default: the dead ones; optionally only some destinations, or delivered ones too):
   * each goes back to pending with a fresh attempt budget and the same webhook-id, and is enqueued.
   * Idempotent: pending tasks are left alone. `null` when the event is not stored.
   */
  async replay(options: ReplayOptions = {}): Promise<ReplayResult | null> {
    if (!this.#exists()) return null;
    const sql = this.ctx.storage.sql;
    const event = sql.exec<EventRow>("SELECT source, event_id, ordering_key, occurred_at FROM event").toArray()[0];
    if (!event) return null;
    const statuses = options.statuses ?? ["dead"];
    const chosen = sql
      .exec<TaskRow>("SELECT * FROM task ORDER BY id")
      .toArray()
      .filter((t) => statuses.includes(t.status) && (!options.destinations || options.destinations.includes(t.destination)));
    const now = Date.now();
    for (const t of chosen) sql.exec("UPDATE task SET status = 'pending', attempts = 0, due_at = ? WHERE id = ?", now, t.id);
    if (chosen.length > 0) {
      const name = ledgerName(event.source, event.event_id);
      await this.#schedule(now);
      await this.env.DELIVERY_QUEUE.sendBatch(chosen.map((t) => ({ body: messageFor(name, t.destination, fromRow(event)), contentType: "json" })));
    }
    return { replayed: chosen.map((t) => t.destination) };
  }

  /** The stored event (without payload bytes) and its tasks. `null` when nothing is stored. */
  inspect(): LedgerView | null {
    if (!this.#exists()) return null;
    const event = this.ctx.storage.sql.exec<EventRow>("SELECT * FROM event").toArray()[0];
    if (!event) return null;
    const tasks = this.ctx.storage.sql.exec<TaskRow>("SELECT * FROM task ORDER BY id").toArray();
    return {
      event: {
        source: event.source,
        eventId: event.event_id,
        eventType: event.event_type,
        orderingKey: event.ordering_key,
        occurredAt: event.occurred_at,
        receivedAt: event.received_at,
        expiresAt: event.expires_at,
        headers: JSON.parse(event.headers) as Record<string, string>,
        payloadBytes: event.payload_bytes,
        filtered: JSON.parse(event.filtered) as string[],
      },
      tasks: tasks.map((t) => ({
        destination: t.destination,
        webhookId: t.webhook_id,
        status: t.status,
        attempts: t.attempts,
        dueAt: t.due_at,
        lastError: t.last_error,
        lastStatus: t.last_status,
        log: JSON.parse(t.log) as AttemptRecord[],
      })),
    };
  }

  /** Re-send overdue pending tasks; delete the object once the window has passed and all tasks are final. */
  async alarm(): Promise<void> {
    if (!this.#exists()) return;
    const sql = this.ctx.storage.sql;
    const event = sql.exec<EventRow>("SELECT source, event_id, ordering_key, occurred_at, expires_at, redrive_ms FROM event").toArray()[0];
    if (!event) return;
    const now = Date.now();
    const pending = sql.exec<TaskRow>("SELECT * FROM task WHERE status = 'pending'").toArray();
    if (pending.length === 0 && now >= event.expires_at) {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.#ready = false;
      return;
    }
    const overdue = pending.filter((t) => t.due_at + event.redrive_ms <= now && (this.#leases.get(t.destination) ?? 0) <= now);
    if (overdue.length > 0) {
      const name = ledgerName(event.source, event.event_id);
      for (const t of overdue) sql.exec("UPDATE task SET due_at = ? WHERE id = ?", now, t.id);
      await this.env.DELIVERY_QUEUE.sendBatch(overdue.map((t) => ({ body: messageFor(name, t.destination, fromRow(event)), contentType: "json" })));
      console.log(JSON.stringify({ msg: "redrive", ledger: name, tasks: overdue.length }));
    }
    await this.#schedule(now);
  }

  /** The original body: inline, or reassembled from its chunks. */
  #payload(event: EventRow): Uint8Array {
    if (event.payload.byteLength === event.payload_bytes) return new Uint8Array(event.payload);
    const out = new Uint8Array(event.payload_bytes);
    for (const chunk of this.ctx.storage.sql.exec<{ seq: number; data: ArrayBuffer }>("SELECT seq, data FROM payload_chunk ORDER BY seq")) {
      out.set(new Uint8Array(chunk.data), chunk.seq * PAYLOAD_CHUNK_BYTES);
    }
    return out;
  }

  #task(destination: string): TaskRow | undefined {
    if (!this.#exists()) return undefined;
    return this.ctx.storage.sql.exec<TaskRow>("SELECT * FROM task WHERE destination = ?", destination).toArray()[0];
  }

  /** Next alarm: the earliest re-drive check of a pending task, else the end of the dedupe window. */
  async #schedule(now: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    const event = sql.exec<EventRow>("SELECT expires_at, redrive_ms FROM event").toArray()[0];
    if (!event) return;
    const next = sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM task WHERE status = 'pending'").one().due;
    const at = next === null ? event.expires_at : Math.min(next + event.redrive_ms, event.expires_at);
    const current = await this.ctx.storage.getAlarm();
    if (current !== at) await this.ctx.storage.setAlarm(Math.max(at, now + 1));
  }

  /** The stored original body, for the operator surface; `null` when nothing is stored. */
  payload(): Uint8Array | null {
    if (!this.#exists()) return null;
    const event = this.ctx.storage.sql.exec<EventRow>("SELECT * FROM event").toArray()[0];
    return event ? this.#payload(event) : null;
  }
}

/** The event fields a queue message carries. */
type MessageEvent = Pick<EventRecord, "eventId" | "orderingKey" | "occurredAt">;

function fromRow(row: EventRow): MessageEvent {
  return { eventId: row.event_id, orderingKey: row.ordering_key, occurredAt: row.occurred_at };
}

/** A task's queue message; ordered events carry their key and place in order. */
function messageFor(ledger: string, destination: string, event: MessageEvent): DeliveryMessage {
  const base: DeliveryMessage = { v: 1, ledger, destination, queuedAt: Date.now() };
  return event.orderingKey === null ? base : { ...base, key: event.orderingKey, occurredAt: event.occurredAt, eventId: event.eventId };
}
