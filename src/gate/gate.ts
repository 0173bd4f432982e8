/**
 * DestinationGate: one Durable Object per destination, shared by every consumer invocation and
 * consulted once per batch (admit, then report). It holds the circuit breaker, the pause switch
 * (a 410 Gone pauses), the rate limit, and the events parked while paused (re-enqueued on resume).
 */
import { DurableObject } from "cloudflare:workers";
import type { DeliveryMessage } from "../ledger";
import { breakerAllowance, breakerRecord, CLOSED, takeTokens, type Bucket, type BreakerPolicy, type BreakerState, type RatePolicy } from "./policy";

/** What the consumer passes from the destination's config. */
export interface GateSettings {
  breaker: BreakerPolicy;
  rate: RatePolicy;
  /** How long a granted attempt may stay in flight before its slot is reclaimed. */
  leaseMs: number;
}

/** The gate's answer for a batch of tasks: parked (paused), or how many may be attempted now. */
export type Admission =
  | { kind: "paused" }
  | { kind: "granted"; count: number; probe: boolean; /** delay for the tasks not granted */ deferSeconds: number };

/** What the consumer reports after its attempts. */
export interface GateReport {
  successes: number;
  /** Retryable failures (5xx, 408, 429, timeouts, network errors): the destination's health. */
  failures: number;
  /** The destination answered 410 Gone: pause it. */
  gone: boolean;
  /** In-flight slots to release (the granted count). */
  released: number;
}

/** A transition one report made (for alerts): breaker closed→open, not-closed→closed, or paused by a 410. */
export type GateChange = "breaker_opened" | "breaker_closed" | "paused_gone";

/** The gate's state, for the operator surface. */
export interface GateStatus {
  paused: boolean;
  pausedReason: string | null;
  breaker: BreakerState;
  inFlight: number;
  parked: number;
}

/** Bindings the gate uses. */
interface GateEnv {
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
}

const RESUME_CHUNK = 100;

export class DestinationGate extends DurableObject<GateEnv> {
  #breaker: BreakerState;
  #paused: string | null;
  #bucket: Bucket | null = null;
  /** Expiry times of in-flight attempts (memory only: lost on eviction, which errs towards allowing). */
  #inFlight: number[] = [];

  constructor(ctx: DurableObjectState, env: GateEnv) {
    super(ctx, env);
    this.#breaker = ctx.storage.kv.get<BreakerState>("breaker") ?? CLOSED;
    this.#paused = ctx.storage.kv.get<string>("paused") ?? null;
  }

  /** Ask to attempt `messages.length` tasks for a destination. While paused, they are parked here. */
  admit(messages: DeliveryMessage[], settings: GateSettings): Admission {
    const now = Date.now();
    if (this.#paused !== null) {
      this.#park(messages);
      return { kind: "paused" };
    }
    const breaker = breakerAllowance(this.#breaker, now, settings.leaseMs);
    this.#setBreaker(breaker.state);
    let want = Math.min(messages.length, breaker.allow);
    let waitMs = breaker.waitMs;
    this.#inFlight = this.#inFlight.filter((until) => until > now);
    if (settings.rate.maxConcurrency !== undefined) {
      const free = Math.max(0, settings.rate.maxConcurrency - this.#inFlight.length);
      if (free < want) waitMs = Math.max(waitMs, 1000);
      want = Math.min(want, free);
    }
    if (settings.rate.perSecond !== undefined && want > 0) {
      const taken = takeTokens(this.#bucket ?? { tokens: settings.rate.perSecond, updatedAt: now }, want, settings.rate.perSecond, now);
      this.#bucket = taken.bucket;
      if (taken.granted < want) waitMs = Math.max(waitMs, taken.waitMs);
      want = taken.granted;
    }
    for (let i = 0; i < want; i++) this.#inFlight.push(now + settings.leaseMs);
    return { kind: "granted", count: want, probe: breaker.state.state === "half-open", deferSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Fold a batch's results into the breaker; a 410 Gone pauses the destination. Says which transitions it made. */
  report(report: GateReport, settings: GateSettings): GateStatus & { changes: GateChange[] } {
    const before = this.#breaker.state;
    const changes: GateChange[] = [];
    this.#inFlight.sort((a, b) => a - b).splice(0, report.released);
    this.#setBreaker(breakerRecord(this.#breaker, report, settings.breaker, Date.now()));
    if (before === "closed" && this.#breaker.state === "open") changes.push("breaker_opened");
    if (before !== "closed" && this.#breaker.state === "closed") changes.push("breaker_closed");
    if (report.gone && this.#paused === null) {
      this.pause("the destination answered 410 Gone");
      changes.push("paused_gone");
    }
    return { ...this.status(), changes };
  }

  /** Current state. */
  status(): GateStatus {
    return { paused: this.#paused !== null, pausedReason: this.#paused, breaker: this.#breaker, inFlight: this.#inFlight.length, parked: this.#parkedCount() };
  }

  /** Pause deliveries: tasks are parked here, never dropped, until `resume`. */
  pause(reason: string): GateStatus {
    this.#paused = reason;
    this.ctx.storage.kv.put("paused", reason);
    return this.status();
  }

  /** Resume: close the breaker and re-enqueue every parked task. */
  async resume(): Promise<GateStatus> {
    this.#paused = null;
    this.ctx.storage.kv.delete("paused");
    this.#setBreaker(CLOSED);
    await this.#flushParked();
    return this.status();
  }

  /** Continue re-enqueueing a large parked set in chunks. */
  async alarm(): Promise<void> {
    if (this.#paused === null) await this.#flushParked();
  }

  async #flushParked(): Promise<void> {
    if (!this.#hasParkedTable()) return;
    const sql = this.ctx.storage.sql;
    for (let round = 0; round < 10; round++) {
      const rows = sql.exec<{ ledger: string; body: string }>("SELECT ledger, body FROM parked LIMIT ?", RESUME_CHUNK).toArray();
      if (rows.length === 0) return;
      await this.env.DELIVERY_QUEUE.sendBatch(rows.map((r) => ({ body: JSON.parse(r.body) as DeliveryMessage, contentType: "json" })));
      for (const r of rows) sql.exec("DELETE FROM parked WHERE ledger = ?", r.ledger);
    }
    await this.ctx.storage.setAlarm(Date.now() + 1000);
  }

  #park(messages: DeliveryMessage[]): void {
    const sql = this.ctx.storage.sql;
    if (!this.#hasParkedTable()) sql.exec("CREATE TABLE IF NOT EXISTS parked (ledger TEXT PRIMARY KEY, body TEXT NOT NULL)");
    for (const m of messages) sql.exec("INSERT OR IGNORE INTO parked (ledger, body) VALUES (?, ?)", m.ledger, JSON.stringify(m));
  }

  #hasParkedTable(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'parked'").toArray().length > 0;
  }

  #parkedCount(): number {
    return this.#hasParkedTable() ? this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM parked").one().n : 0;
  }

  /** Persist the breaker only when it changes (each write is a billed row). */
  #setBreaker(next: BreakerState): void {
    if (JSON.stringify(next) === JSON.stringify(this.#breaker)) return;
    this.#breaker = next;
    this.ctx.storage.kv.put("breaker", next);
  }
}
