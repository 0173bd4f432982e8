/**
 * KeySequencer: one Durable Object per (destination, ordering key).
 * - drop-stale: remembers the newest event let through, one in flight per key; an older one is stale.
 * - strict: queues the key's events (in its storage, so it survives restarts), releases one at a
 *   time in occurred-at order after the reorder window, and waits for its final outcome before the
 *   next. A dead head blocks the key (operator skip/replay) or is skipped, per config. Alarms, not
 *   loops, release held events and reclaim lapsed leases.
 */
import { DurableObject } from "cloudflare:workers";
import type { DeliveryMessage } from "../ledger";
import { isStale, nextRelease, type OrderPoint, type QueuedEvent } from "./policy";

/** What the consumer passes from the destination's ordering config. */
export interface SequencerSettings {
  windowMs: number;
  /** How long a released event may take before it is released again. */
  leaseMs: number;
  onDeadHead: "block" | "skip";
}

/** An event offered to the sequencer (from its queue message). */
export interface SequencedEvent extends OrderPoint {
  ledger: string;
  destination: string;
  key: string;
}

/** The state of one key, for the operator surface and tests. */
export interface SequencerStatus {
  queued: number;
  inFlight: string | null;
  blocked: string | null;
  newest: OrderPoint | null;
}

interface InFlight {
  ledger: string;
  until: number;
  /** Its queue message, to re-send when the lease lapses. */
  body: string;
}

/** Bindings the sequencer uses. */
interface SequencerEnv {
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
}

export class KeySequencer extends DurableObject<SequencerEnv> {
  #ready = false;

  #sql(): SqlStorage {
    if (!this.#ready) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS queued (ledger TEXT PRIMARY KEY, occurred_at INTEGER NOT NULL, event_id TEXT NOT NULL, arrived_at INTEGER NOT NULL, body TEXT NOT NULL)");
      this.#ready = true;
    }
    return this.ctx.storage.sql;
  }

  /**
   * drop-stale: let `event` through unless an event later in order already went (`stale`). One
   * event of the key is in flight at a time, so an older one can never arrive after a newer one:
   * while another is in flight the answer is `wait`.
   */
  admitNewest(event: SequencedEvent, leaseMs: number): "go" | "stale" | "wait" {
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    const inFlight = this.#inFlight();
    const busy = inFlight !== null && inFlight.ledger !== event.ledger && inFlight.until > now;
    const newest = kv.get<OrderPoint & { ledger: string }>("newest") ?? null;
    if (newest?.ledger !== event.ledger && isStale(event, newest)) return "stale";
    if (busy) return "wait";
    if (newest?.ledger !== event.ledger) kv.put("newest", { occurredAt: event.occurredAt, eventId: event.eventId, ledger: event.ledger });
    this.#setInFlight({ ledger: event.ledger, until: now + leaseMs, body: "" });
    return "go";
  }

  /** drop-stale: the in-flight event reached a final outcome; the key is free again. */
  releaseNewest(ledger: string): void {
    if (this.#inFlight()?.ledger === ledger) this.#setInFlight(null);
  }

  /** strict: queue `event`; "go" when it is the one to attempt now, else the sequencer holds it. */
  async offer(event: SequencedEvent, body: DeliveryMessage, settings: SequencerSettings): Promise<"go" | "hold"> {
    const now = Date.now();
    const inFlight = this.#inFlight();
    const blocked = this.ctx.storage.kv.get<string>("blocked") ?? null;
    if (inFlight?.ledger === event.ledger && inFlight.until > now) return "hold"; // its message is on its way
    if (blocked === event.ledger) {
      // The operator replayed the blocked head: it goes again, first.
      this.ctx.storage.kv.delete("blocked");
      this.#setInFlight({ ledger: event.ledger, until: now + settings.leaseMs, body: JSON.stringify(body) });
      return "go";
    }
    if (inFlight?.ledger !== event.ledger) {
      this.#sql().exec(
        "INSERT OR IGNORE INTO queued (ledger, occurred_at, event_id, arrived_at, body) VALUES (?, ?, ?, ?, ?)",
        event.ledger, event.occurredAt, event.eventId, now, JSON.stringify(body),
      );
    }
    const next = await this.#releaseNext(settings, event.ledger);
    return next === event.ledger ? "go" : "hold";
  }

  /**
   * strict: the in-flight event reached a final outcome; returns the queue message of the next event
   * to attempt at once (chaining), if one is due.
   */
  async settle(ledger: string, outcome: "delivered" | "dead", settings: SequencerSettings): Promise<DeliveryMessage | null> {
    const inFlight = this.#inFlight();
    if (inFlight?.ledger !== ledger) return null;
    this.#setInFlight(null);
    if (outcome === "dead" && settings.onDeadHead === "block") {
      this.ctx.storage.kv.put("blocked", ledger);
      return null;
    }
    const next = await this.#releaseNext(settings, null);
    return next === null ? null : this.#messageOf(next);
  }

  /** strict: the in-flight event will be retried at `until`; keep its slot. */
  extend(ledger: string, until: number): void {
    const inFlight = this.#inFlight();
    if (inFlight?.ledger === ledger && inFlight.until < until) this.#setInFlight({ ...inFlight, until });
  }

  /** Operator: drop the blocked head (it stays dead in its ledger) and release the next event. */
  async skip(settings: SequencerSettings): Promise<SequencerStatus> {
    this.ctx.storage.kv.delete("blocked");
    await this.#releaseNext(settings, null, true);
    return this.status();
  }

  /** The queue message of the in-flight event (for chaining), or null. */
  #messageOf(ledger: string): DeliveryMessage | null {
    const inFlight = this.#inFlight();
    return inFlight?.ledger === ledger ? { ...(JSON.parse(inFlight.body) as DeliveryMessage), sequenced: true } : null;
  }

  /** Current state. */
  status(): SequencerStatus {
    const queued = this.#sql().exec<{ n: number }>("SELECT COUNT(*) AS n FROM queued").one().n;
    const newest = this.ctx.storage.kv.get<OrderPoint>("newest") ?? null;
    return { queued, inFlight: this.#inFlight()?.ledger ?? null, blocked: this.ctx.storage.kv.get<string>("blocked") ?? null, newest: newest && { occurredAt: newest.occurredAt, eventId: newest.eventId } };
  }

  /** Release a held head whose window passed, or re-release an in-flight event whose lease lapsed. */
  async alarm(): Promise<void> {
    const settings = this.ctx.storage.kv.get<SequencerSettings>("settings");
    if (!settings) return;
    const inFlight = this.#inFlight();
    const now = Date.now();
    if (inFlight && inFlight.until <= now) {
      const renewed = { ...inFlight, until: now + settings.leaseMs };
      this.#setInFlight(renewed);
      await this.#send(renewed);
      await this.#schedule(settings);
    } else if (!inFlight) {
      await this.#releaseNext(settings, null, true);
    }
  }

  /**
   * If nothing is in flight or blocked, take the head that is due and mark it in flight. The caller
   * attempts it itself when it is the event it offered (or chains it); otherwise, or when `send` is
   * set, its message goes out now.
   */
  async #releaseNext(settings: SequencerSettings, offered: string | null, send = false): Promise<string | null> {
    // The alarm needs the settings; write them only when they change (each write is a billed row).
    if (JSON.stringify(this.ctx.storage.kv.get("settings")) !== JSON.stringify(settings)) this.ctx.storage.kv.put("settings", settings);
    let released: InFlight | null = null;
    if (!this.#inFlight() && !this.ctx.storage.kv.get("blocked")) {
      const now = Date.now();
      const { release } = nextRelease(this.#queue(), now, settings.windowMs);
      if (release) {
        const body = this.#sql().exec<{ body: string }>("SELECT body FROM queued WHERE ledger = ?", release.ledger).one().body;
        this.#sql().exec("DELETE FROM queued WHERE ledger = ?", release.ledger);
        released = { ledger: release.ledger, until: now + settings.leaseMs, body };
        this.#setInFlight(released);
        if (send || (offered !== null && release.ledger !== offered)) await this.#send(released);
      }
    }
    await this.#schedule(settings);
    return released?.ledger ?? null;
  }

  #queue(): QueuedEvent[] {
    return this.#sql()
      .exec<{ ledger: string; occurred_at: number; event_id: string; arrived_at: number }>("SELECT ledger, occurred_at, event_id, arrived_at FROM queued")
      .toArray()
      .map((r) => ({ ledger: r.ledger, occurredAt: r.occurred_at, eventId: r.event_id, arrivedAt: r.arrived_at }));
  }

  /** Send a released event's message, marked as sequenced so the consumer attempts it directly. */
  async #send(released: InFlight): Promise<void> {
    const body = JSON.parse(released.body) as DeliveryMessage;
    await this.env.DELIVERY_QUEUE.send({ ...body, sequenced: true }, { contentType: "json" });
  }

  /** Next alarm: the lease of the in-flight event, else when the head's window ends. */
  async #schedule(settings: SequencerSettings): Promise<void> {
    const inFlight = this.#inFlight();
    let at: number | null = inFlight ? inFlight.until : null;
    if (!inFlight && !this.ctx.storage.kv.get("blocked")) {
      const now = Date.now();
      const { release, waitMs } = nextRelease(this.#queue(), now, settings.windowMs);
      if (release) at = now;
      else if (waitMs !== null) at = now + waitMs;
    }
    if (at === null) await this.ctx.storage.deleteAlarm();
    else if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(at);
  }

  #inFlight(): InFlight | null {
    return this.ctx.storage.kv.get<InFlight>("inFlight") ?? null;
  }

  #setInFlight(value: InFlight | null): void {
    if (value) this.ctx.storage.kv.put("inFlight", value);
    else this.ctx.storage.kv.delete("inFlight");
  }
}
