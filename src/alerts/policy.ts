/**
 * Pure alert policy: fold signals into state and say which alerts a change makes. Alerts fire on
 * transitions only (entering a condition, and once when it clears); dead tasks are grouped per
 * destination (one notification after `groupSeconds`, then at most one follow-up per cooldown).
 * Every function takes `now` and returns new state; the AlertCenter object applies them.
 */
import type { AlertRules } from "../config";
import { addCount, bucketWidth, sumOver, type Buckets } from "./window";
import type { Alert, AlertSignal } from "./types";

/** A burst of dead tasks of one destination. */
export interface DeadGroup {
  source: string;
  since: number;
  total: number;
  unsent: number;
  ids: string[];
  reason: string;
  lastError: string | null;
  /** When the pending notification goes out; null when nothing is pending. */
  flushAt: number | null;
  /** Until when a new death is a follow-up of this burst rather than a new one. */
  quietAt: number;
}

/** Everything the alert policy remembers. Sizes are bounded by the configured sources and destinations. */
export interface AlertState {
  dead: Record<string, DeadGroup>;
  breaker: Record<string, { since: number; error: string | null }>;
  paused: Record<string, { since: number; by: string }>;
  auth: Record<string, { buckets: Buckets; reason: string; open: { since: number; total: number } | null }>;
  rate: Record<string, { ok: Buckets; failed: Buckets; open: { since: number } | null }>;
  backlog: { since: number; pending: number; oldestAt: number } | null;
  nextBacklogCheck: number;
}

/** A fresh state. */
export const EMPTY_STATE: AlertState = { dead: {}, breaker: {}, paused: {}, auth: {}, rate: {}, backlog: null, nextBacklogCheck: 0 };

/** An alert before its id is given. */
export type Draft = Omit<Alert, "id">;

const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Fold signals into the state; returns the drafts of the alerts the transitions make. */
export function applySignals(state: AlertState, signals: AlertSignal[], rules: AlertRules, now: number): Draft[] {
  const out: Draft[] = [];
  for (const s of signals) {
    const at = Math.min(s.at, now);
    switch (s.kind) {
      case "task.dead":
        addDead(state, s, rules, now);
        break;
      case "breaker": {
        const open = own(state.breaker, s.destination);
        if (s.state === "open" && !open) {
          state.breaker[s.destination] = { since: at, error: s.error };
          out.push({ type: "destination.breaker_opened", at: now, destination: s.destination, summary: `Circuit breaker opened for destination ${s.destination}: deliveries are held until a probe succeeds`, count: 1, since: at, lastError: s.error, details: {}, link: destLink(s.destination) });
        } else if (s.state === "closed" && open) {
          delete state.breaker[s.destination];
          out.push({ type: "destination.breaker_closed", at: now, destination: s.destination, summary: `Circuit breaker closed for destination ${s.destination}: deliveries flow again`, count: 1, since: open.since, lastError: open.error, details: { openSeconds: Math.round((at - open.since) / 1000) }, link: destLink(s.destination) });
        }
        break;
      }
      case "pause": {
        const paused = own(state.paused, s.destination);
        if (s.paused && !paused) {
          state.paused[s.destination] = { since: at, by: s.by };
          const why = s.by === "gone" ? "it answered 410 Gone" : "an operator paused it";
          out.push({ type: "destination.paused", at: now, destination: s.destination, summary: `Destination ${s.destination} is paused (${why}); its tasks are parked until it is resumed`, count: 1, since: at, lastError: s.by === "gone" ? "gone" : null, details: { by: s.by }, link: destLink(s.destination) });
        } else if (!s.paused && paused) {
          delete state.paused[s.destination];
          out.push({ type: "destination.resumed", at: now, destination: s.destination, summary: `Destination ${s.destination} resumed; parked tasks are re-enqueued`, count: 1, since: paused.since, lastError: null, details: { by: s.by, pausedBy: paused.by }, link: destLink(s.destination) });
        }
        break;
      }
      case "auth_failures": {
        const rule = rules["source.auth_failures"];
        const tally = own(state.auth, s.source) ?? { buckets: [], reason: s.reason, open: null };
        tally.buckets = addCount(tally.buckets, at, s.count, rule.windowSeconds, now);
        tally.reason = s.reason;
        if (tally.open) tally.open.total += s.count;
        state.auth[s.source] = tally;
        break;
      }
      case "attempts": {
        const rule = rules["delivery.success_rate"];
        const tally = own(state.rate, s.destination) ?? { ok: [], failed: [], open: null };
        tally.ok = addCount(tally.ok, at, s.successes, rule.windowSeconds, now);
        tally.failed = addCount(tally.failed, at, s.failures, rule.windowSeconds, now);
        state.rate[s.destination] = tally;
        break;
      }
    }
  }
  return [...out, ...evaluate(state, rules, now)];
}

function addDead(state: AlertState, s: Extract<AlertSignal, { kind: "task.dead" }>, rules: AlertRules, now: number): void {
  const rule = rules["task.dead"];
  let group = own(state.dead, s.destination);
  if (!group || (group.flushAt === null && now >= group.quietAt)) {
    group = { source: s.source, since: Math.min(s.at, now), total: 0, unsent: 0, ids: [], reason: s.reason, lastError: null, flushAt: now + rule.groupSeconds * 1000, quietAt: 0 };
    state.dead[s.destination] = group;
  } else if (group.flushAt === null) {
    group.flushAt = group.quietAt; // within the cooldown: one follow-up at its end
  }
  group.total += 1;
  group.unsent += 1;
  group.reason = s.reason;
  group.lastError = s.error ?? s.reason;
  if (group.ids.length < rule.sampleIds) group.ids.push(`${s.source}/${s.eventId}`);
}

/** Time-driven transitions: dead-task notifications due, conditions entering or clearing over their windows. */
export function evaluate(state: AlertState, rules: AlertRules, now: number): Draft[] {
  const out: Draft[] = [];
  for (const [destination, g] of Object.entries(state.dead)) {
    if (g.flushAt !== null && now >= g.flushAt) {
      const followUp = g.quietAt !== 0;
      out.push({
        type: "task.dead", at: now, destination, source: g.source, count: g.unsent, since: g.since, lastError: g.lastError, eventIds: g.ids,
        summary: `${g.unsent} task${g.unsent === 1 ? "" : "s"} to destination ${destination} ${g.unsent === 1 ? "is" : "are"} dead (${g.reason})${followUp ? `, ${g.total} since the burst began` : ""}`,
        details: { reason: g.reason, total: g.total, followUp }, link: `/dashboard/dead-letters?destination=${encodeURIComponent(destination)}`,
      });
      Object.assign(g, { unsent: 0, ids: [], flushAt: null, quietAt: now + rules["task.dead"].cooldownSeconds * 1000 });
    } else if (g.flushAt === null && now >= g.quietAt) {
      delete state.dead[destination];
    }
  }
  const auth = rules["source.auth_failures"];
  for (const [source, t] of Object.entries(state.auth)) {
    const count = sumOver(t.buckets, auth.windowSeconds, now);
    const details = { threshold: auth.threshold, windowSeconds: auth.windowSeconds };
    if (!t.open && count >= auth.threshold) {
      t.open = { since: now, total: count };
      out.push({ type: "source.auth_failures", at: now, source, count, since: now, lastError: t.reason, details, link: `/dashboard/events?source=${encodeURIComponent(source)}`, summary: `${count} requests to source ${source} failed verification within ${auth.windowSeconds} s (last: ${t.reason}); was the provider's secret rotated?` });
    } else if (t.open && count === 0) {
      out.push({ type: "source.auth_failures.resolved", at: now, source, count: t.open.total, since: t.open.since, lastError: t.reason, details, link: `/dashboard/events?source=${encodeURIComponent(source)}`, summary: `Source ${source}: no verification failures for ${auth.windowSeconds} s (${t.open.total} while open)` });
      t.open = null;
    }
    if (!t.open && count === 0) delete state.auth[source];
  }
  const rate = rules["delivery.success_rate"];
  for (const [destination, t] of Object.entries(state.rate)) {
    const ok = sumOver(t.ok, rate.windowSeconds, now);
    const failed = sumOver(t.failed, rate.windowSeconds, now);
    const attempts = ok + failed;
    const percent = attempts === 0 ? 100 : Math.floor((ok / attempts) * 1000) / 10;
    const details = { attempts, successes: ok, percent, targetPercent: rate.targetPercent, windowSeconds: rate.windowSeconds };
    if (!t.open && attempts >= rate.minAttempts && percent < rate.targetPercent) {
      t.open = { since: now };
      out.push({ type: "delivery.success_rate", at: now, destination, count: failed, since: now, lastError: null, details, link: destLink(destination), summary: `Destination ${destination}: ${percent} % of ${attempts} attempts succeeded over ${rate.windowSeconds} s (target ${rate.targetPercent} %)` });
    } else if (t.open && (failed === 0 || (attempts >= rate.minAttempts && percent >= rate.targetPercent))) {
      out.push({ type: "delivery.success_rate.resolved", at: now, destination, count: failed, since: t.open.since, lastError: null, details, link: destLink(destination), summary: `Destination ${destination}: success rate back to ${percent} % over ${rate.windowSeconds} s` });
      t.open = null;
    }
    if (!t.open && attempts === 0) delete state.rate[destination];
  }
  return out;
}

/** Fold a backlog reading (oldest pending task) into the state. */
export function applyBacklog(state: AlertState, reading: { pending: number; oldestAt: number | null }, rules: AlertRules, now: number): Draft[] {
  const rule = rules["backlog.stalled"];
  state.nextBacklogCheck = now + rule.checkSeconds * 1000;
  const ageSeconds = reading.oldestAt === null ? 0 : Math.floor((now - reading.oldestAt) / 1000);
  const details = { pending: reading.pending, oldestAgeSeconds: ageSeconds, thresholdSeconds: rule.thresholdSeconds };
  if (!state.backlog && reading.oldestAt !== null && ageSeconds >= rule.thresholdSeconds) {
    state.backlog = { since: now, pending: reading.pending, oldestAt: reading.oldestAt };
    return [{ type: "backlog.stalled", at: now, count: reading.pending, since: reading.oldestAt, lastError: null, details, link: "/dashboard/events?status=pending", summary: `${reading.pending} tasks pending; the oldest has waited ${ageSeconds} s (threshold ${rule.thresholdSeconds} s)` }];
  }
  if (state.backlog && ageSeconds < rule.thresholdSeconds) {
    const since = state.backlog.since;
    state.backlog = null;
    return [{ type: "backlog.stalled.resolved", at: now, count: reading.pending, since, lastError: null, details, link: "/dashboard/events?status=pending", summary: `Backlog moving again: ${reading.pending} tasks pending, oldest ${ageSeconds} s` }];
  }
  if (state.backlog) state.backlog.pending = reading.pending;
  return [];
}

/** When the state next needs a look without a new signal (null: never). */
export function nextWake(state: AlertState, rules: AlertRules, now: number): number | null {
  const times: number[] = [];
  for (const g of Object.values(state.dead)) times.push(g.flushAt ?? g.quietAt);
  if (Object.keys(state.auth).length > 0) times.push(now + bucketWidth(rules["source.auth_failures"].windowSeconds));
  if (Object.keys(state.rate).length > 0) times.push(now + bucketWidth(rules["delivery.success_rate"].windowSeconds));
  if (rules["backlog.stalled"].enabled) times.push(Math.max(state.nextBacklogCheck, now));
  return times.length === 0 ? null : Math.max(now, Math.min(...times));
}

function destLink(destination: string): string {
  return `/dashboard/destinations#${encodeURIComponent(destination)}`;
}
