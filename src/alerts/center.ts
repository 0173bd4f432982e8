/**
 * AlertCenter: the one Durable Object that turns signals into alerts. It holds the policy state
 * (open conditions, windows, dead-task bursts), the history and the outbox; its alarm evaluates
 * windows, reads the backlog, and sends due notifications with retries and backoff. A failing
 * channel is retried and logged, never alerted about.
 */
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type RuntimeConfig } from "../config";
import { readBacklog } from "../search";
import { CHANNEL_MAX_TRIES, channelBackoffMs, sendToChannel, type SendResult } from "./channels";
import { openConditions } from "./open";
import { applyBacklog, applySignals, evaluate, EMPTY_STATE, nextWake, type AlertState, type Draft } from "./policy";
import type { Alert, AlertSignal, OpenCondition } from "./types";

/** Bindings the center reads: the config and secrets, and the event index for backlog readings. */
interface CenterEnv {
  EDGEHOOK?: unknown;
  EVENT_INDEX?: D1Database;
}

/** An alert in the history, with how each channel took it. */
export interface AlertRecord extends Alert {
  suppressed: boolean;
  deliveries: { channel: string; state: "pending" | "sent" | "failed"; tries: number; lastError: string | null }[];
}

/** Alerts kept in the history (older ones and their outbox rows are deleted). */
export const HISTORY_LIMIT = 200;
/** Sends per alarm run at most; the rest wait for the next run a second later. */
const SENDS_PER_RUN = 20;

export class AlertCenter extends DurableObject<CenterEnv> {
  constructor(ctx: DurableObjectState, env: CenterEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS history (id TEXT PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL, suppressed INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (alert_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, tries INTEGER NOT NULL, next_at INTEGER NOT NULL, last_error TEXT, PRIMARY KEY (alert_id, channel));
        CREATE TABLE IF NOT EXISTS raised (type TEXT PRIMARY KEY, total INTEGER NOT NULL);`);
    });
  }

  /** Fold signals in; alerts they make are recorded and sent from the alarm (the caller never waits on a channel). */
  async signal(signals: AlertSignal[]): Promise<void> {
    const config = this.#config();
    if (!config) return;
    await this.#update(async (state, now) => [...applySignals(state, signals, config.raw.alerts.rules, now), ...(await this.#backlogIfDue(config, state, now))], config);
  }

  /** Evaluate windows and the backlog, then send due notifications. */
  async alarm(): Promise<void> {
    const config = this.#config();
    if (!config) return;
    await this.#update(async (state, now) => [...evaluate(state, config.raw.alerts.rules, now), ...(await this.#backlogIfDue(config, state, now))], config);
    await this.#sendDue(config, Date.now());
    await this.#update(async () => [], config); // the next wake-up, from the outbox as the sends left it
  }

  /**
   * Read the state, change it, record the alerts the change made, save — one at a time. The change
   * may await the event index, and the input gate opens during that await, so two consumer batches'
   * signals interleaved and the later save dropped the earlier one's dead tasks (and raised a burst twice).
   */
  #update(change: (state: AlertState, now: number) => Promise<Draft[]>, config: RuntimeConfig): Promise<void> {
    const run = this.#queue.then(async () => {
      const state = this.#state();
      const now = Date.now();
      this.#emit(config, await change(state, now), now);
      await this.#save(config, state, now);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #queue: Promise<unknown> = Promise.resolve();

  /** Alerts raised since the object began, by type (suppressed ones included): `edgehook_alerts_total`. */
  raisedByType(): Record<string, number> {
    const rows = this.ctx.storage.sql.exec<{ type: string; total: number }>("SELECT type, total FROM raised").toArray();
    return Object.fromEntries(rows.map((r) => [r.type, r.total]));
  }

  /** Open conditions and the most recent alerts with their channel deliveries, newest first. */
  list(limit: number): { open: OpenCondition[]; recent: AlertRecord[] } {
    const sql = this.ctx.storage.sql;
    const rows = sql.exec<{ id: string; body: string; suppressed: number }>("SELECT id, body, suppressed FROM history ORDER BY at DESC, id DESC LIMIT ?", limit).toArray();
    const recent = rows.map((r) => ({
      ...(JSON.parse(r.body) as Alert),
      suppressed: r.suppressed === 1,
      deliveries: sql.exec<{ channel: string; state: "pending" | "sent" | "failed"; tries: number; last_error: string | null }>("SELECT channel, state, tries, last_error FROM outbox WHERE alert_id = ? ORDER BY channel", r.id).toArray().map((d) => ({ channel: d.channel, state: d.state, tries: d.tries, lastError: d.last_error })),
    }));
    return { open: openConditions(this.#state()), recent };
  }

  /** Send a test alert (`alert.test`) to one channel now, once; the answer says how it went. Not recorded as an alert. */
  async sendTest(channelName: string): Promise<SendResult | null> {
    const config = this.#config();
    const channel = config?.alertChannels.get(channelName);
    if (!config || !channel) return null;
    const now = Date.now();
    const alert: Alert = { id: newId(now), type: "alert.test", at: now, summary: `Test alert from Edgehook to channel ${channelName}`, count: 0, since: now, lastError: null, details: { channel: channelName }, link: "/dashboard/alerts" };
    const result = await sendToChannel(channel, alert, config.raw.alerts.dashboardUrl, now);
    console.log(JSON.stringify({ msg: "alert_test", channel: channelName, ok: result.ok, status: result.status }));
    return result;
  }

  #config(): RuntimeConfig | null {
    const loaded = loadConfig(this.env);
    return loaded.ok ? loaded.config : null; // config_invalid is logged by loadConfig
  }

  #state(): AlertState {
    return this.ctx.storage.kv.get<AlertState>("state") ?? structuredClone(EMPTY_STATE);
  }

  async #backlogIfDue(config: RuntimeConfig, state: AlertState, now: number): Promise<Draft[]> {
    const rules = config.raw.alerts.rules;
    if (!rules["backlog.stalled"].enabled || !this.env.EVENT_INDEX || now < state.nextBacklogCheck) return [];
    try {
      const b = await readBacklog(this.env.EVENT_INDEX);
      return applyBacklog(state, { pending: b.pending, oldestAt: b.oldestPendingAt }, rules, now);
    } catch (error) {
      state.nextBacklogCheck = now + rules["backlog.stalled"].checkSeconds * 1000;
      console.error(JSON.stringify({ msg: "alert_backlog_read_failed", error: String(error) }));
      return [];
    }
  }

  /** Record drafts whose rule is on, and queue them for their channels unless the hourly cap is reached. */
  #emit(config: RuntimeConfig, drafts: Draft[], now: number): void {
    const { rules, maxPerHour } = config.raw.alerts;
    const sql = this.ctx.storage.sql;
    for (const draft of drafts) {
      const rule = rules[draft.type.replace(/\.resolved$/, "") as keyof typeof rules];
      if (!rule?.enabled) continue;
      const alert: Alert = { id: newId(now), ...draft };
      const sentLastHour = sql.exec<{ n: number }>("SELECT count(*) AS n FROM history WHERE at > ? AND suppressed = 0", now - 3_600_000).one().n;
      const suppressed = sentLastHour >= maxPerHour;
      sql.exec("INSERT INTO history (id, at, body, suppressed) VALUES (?, ?, ?, ?)", alert.id, now, JSON.stringify(alert), suppressed ? 1 : 0);
      // Counted apart from the pruned history: edgehook_alerts_total must never go down.
      sql.exec("INSERT INTO raised (type, total) VALUES (?, 1) ON CONFLICT (type) DO UPDATE SET total = total + 1", alert.type);
      const channels = rule.channels ?? [...config.alertChannels.keys()];
      if (!suppressed) for (const channel of channels) sql.exec("INSERT INTO outbox (alert_id, channel, state, tries, next_at) VALUES (?, ?, 'pending', 0, ?)", alert.id, channel, now);
      console.log(JSON.stringify({ msg: "alert", id: alert.id, type: alert.type, destination: alert.destination, source: alert.source, count: alert.count, suppressed, channels: suppressed ? 0 : channels.length }));
    }
    const old = sql.exec<{ at: number }>("SELECT at FROM history ORDER BY at DESC LIMIT 1 OFFSET ?", HISTORY_LIMIT - 1).toArray()[0];
    if (old) {
      // Alerts still being sent stay until their outbox rows are done: pruning never loses one.
      sql.exec("DELETE FROM history WHERE at < ? AND id NOT IN (SELECT alert_id FROM outbox WHERE state = 'pending')", old.at);
      sql.exec("DELETE FROM outbox WHERE alert_id NOT IN (SELECT id FROM history)");
    }
  }

  /** One try for each due (alert, channel); failures back off, and after CHANNEL_MAX_TRIES are recorded as failed. */
  async #sendDue(config: RuntimeConfig, now: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    const due = sql.exec<{ alert_id: string; channel: string; tries: number; body: string }>(
      "SELECT o.alert_id, o.channel, o.tries, h.body FROM outbox o JOIN history h ON h.id = o.alert_id WHERE o.state = 'pending' AND o.next_at <= ? ORDER BY o.next_at LIMIT ?", now, SENDS_PER_RUN,
    ).toArray();
    const results = await Promise.all(due.map(async (row) => {
      const channel = config.alertChannels.get(row.channel);
      if (!channel) return { row, result: { ok: false, status: null, error: "channel_not_configured" } as SendResult };
      return { row, result: await sendToChannel(channel, JSON.parse(row.body) as Alert, config.raw.alerts.dashboardUrl, Date.now()) };
    }));
    for (const { row, result } of results) {
      const tries = row.tries + 1;
      if (result.ok) {
        sql.exec("UPDATE outbox SET state = 'sent', tries = ?, last_error = NULL WHERE alert_id = ? AND channel = ?", tries, row.alert_id, row.channel);
        continue;
      }
      const gaveUp = tries >= CHANNEL_MAX_TRIES || result.error === "channel_not_configured";
      sql.exec("UPDATE outbox SET state = ?, tries = ?, next_at = ?, last_error = ? WHERE alert_id = ? AND channel = ?", gaveUp ? "failed" : "pending", tries, Date.now() + channelBackoffMs(tries), result.error, row.alert_id, row.channel);
      // Logged only: an alert about a failing alert channel would go to the failing channel (a loop).
      console.warn(JSON.stringify({ msg: gaveUp ? "alert_channel_gave_up" : "alert_channel_retry", channel: row.channel, alert: row.alert_id, tries, error: result.error }));
    }
  }

  async #save(config: RuntimeConfig, state: AlertState, now: number): Promise<void> {
    this.ctx.storage.kv.put("state", state);
    const outbox = this.ctx.storage.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM outbox WHERE state = 'pending'").one().at;
    const wake = [nextWake(state, config.raw.alerts.rules, now), outbox].filter((t): t is number => t !== null);
    if (wake.length === 0) return;
    const at = Math.max(Math.min(...wake), now);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

/** `alrt_` + time + randomness: sortable, unique. */
function newId(now: number): string {
  const random = crypto.getRandomValues(new Uint8Array(6));
  return `alrt_${now.toString(36)}${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
