/**
 * MetricsStore: the one Durable Object that keeps Edgehook's counters, histograms and recent reject
 * samples. Isolates send it coalesced deltas (src/metrics/flush.ts), never one request per event.
 * Storage is bounded: series are a small label set (configured sources and destinations, fixed reason
 * codes), per-minute rows are kept MINUTES_KEPT, samples KEEP_PER_SOURCE per source.
 */
import { DurableObject } from "cloudflare:workers";
import { addHistogram, emptyHistogram, type Delta, type HistogramState, type RejectSample } from "./tally";

/** Per-minute counter rows are kept this long (the longest stats window). */
export const MINUTES_KEPT = 7 * 24 * 60;
/** Reject samples kept per source (oldest dropped first). */
export const KEEP_PER_SOURCE = 50;

/** Everything the exposition and stats need, read in one request. */
export interface MetricsSnapshot {
  /** Counter totals since the store began: series key → value. */
  totals: Record<string, number>;
  histograms: Record<string, HistogramState>;
  /** Counter sums over each requested window (seconds → series key → value). */
  windows: Record<number, Record<string, number>>;
}

export class MetricsStore extends DurableObject<object> {
  #seq = 0;
  #ready = false;

  /** Create the tables once per instance (here rather than in the constructor, so a meter sees it as this object's work). */
  #schema(): void {
    if (this.#ready) return;
    this.#ready = true;
    const sql = this.ctx.storage.sql;
    // WITHOUT ROWID: each table is its key's B-tree, so an upsert writes one row.
    sql.exec("CREATE TABLE IF NOT EXISTS totals (series TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID");
    sql.exec("CREATE TABLE IF NOT EXISTS minutes (minute INTEGER NOT NULL, series TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (minute, series)) WITHOUT ROWID");
    sql.exec("CREATE TABLE IF NOT EXISTS histograms (series TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID");
    sql.exec("CREATE TABLE IF NOT EXISTS rejects (source TEXT NOT NULL, seq INTEGER NOT NULL, sample TEXT NOT NULL, PRIMARY KEY (source, seq)) WITHOUT ROWID");
    this.#seq = Number(sql.exec("SELECT COALESCE(MAX(seq), 0) AS s FROM rejects").one().s);
  }

  /** Apply one isolate's delta (one request per flush). */
  add(delta: Delta, now: number): void {
    this.#schema();
    const sql = this.ctx.storage.sql;
    for (const [series, byMinute] of Object.entries(delta.counters)) {
      let total = 0;
      for (const [minute, n] of Object.entries(byMinute)) {
        total += n;
        sql.exec("INSERT INTO minutes (minute, series, value) VALUES (?, ?, ?) ON CONFLICT (minute, series) DO UPDATE SET value = value + excluded.value", Number(minute), series, n);
      }
      sql.exec("INSERT INTO totals (series, value) VALUES (?, ?) ON CONFLICT (series) DO UPDATE SET value = value + excluded.value", series, total);
    }
    for (const [series, h] of Object.entries(delta.histograms)) {
      const row = sql.exec<{ state: string }>("SELECT state FROM histograms WHERE series = ?", series).toArray()[0];
      const state = row ? (JSON.parse(row.state) as HistogramState) : emptyHistogram();
      addHistogram(state, h);
      sql.exec("INSERT INTO histograms (series, state) VALUES (?, ?) ON CONFLICT (series) DO UPDATE SET state = excluded.state", series, JSON.stringify(state));
    }
    const sources = new Set<string>();
    for (const s of delta.samples) {
      sql.exec("INSERT INTO rejects (source, seq, sample) VALUES (?, ?, ?)", s.source, ++this.#seq, JSON.stringify(s));
      sources.add(s.source);
    }
    for (const source of sources) {
      sql.exec("DELETE FROM rejects WHERE source = ? AND seq <= (SELECT seq FROM rejects WHERE source = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)", source, source, KEEP_PER_SOURCE);
    }
    sql.exec("DELETE FROM minutes WHERE minute < ?", Math.floor(now / 60_000) - MINUTES_KEPT);
  }

  /** Totals, histograms and the counter sums over each window ending at `now` (whole minutes). */
  snapshot(now: number, windowsSeconds: number[]): MetricsSnapshot {
    this.#schema();
    const sql = this.ctx.storage.sql;
    const totals: Record<string, number> = {};
    for (const r of sql.exec<{ series: string; value: number }>("SELECT series, value FROM totals")) totals[r.series] = r.value;
    const histograms: Record<string, HistogramState> = {};
    for (const r of sql.exec<{ series: string; state: string }>("SELECT series, state FROM histograms")) histograms[r.series] = JSON.parse(r.state) as HistogramState;
    const windows: Record<number, Record<string, number>> = {};
    for (const w of windowsSeconds) {
      const since = Math.floor((now - w * 1000) / 60_000);
      const sums: Record<string, number> = {};
      for (const r of sql.exec<{ series: string; value: number }>("SELECT series, SUM(value) AS value FROM minutes WHERE minute >= ? GROUP BY series", since)) sums[r.series] = r.value;
      windows[w] = sums;
    }
    return { totals, histograms, windows };
  }

  /** The most recent reject samples of a source, newest first. */
  rejections(source: string, limit: number): RejectSample[] {
    this.#schema();
    return this.ctx.storage.sql
      .exec<{ sample: string }>("SELECT sample FROM rejects WHERE source = ? ORDER BY seq DESC LIMIT ?", source, Math.min(limit, KEEP_PER_SOURCE))
      .toArray()
      .map((r) => JSON.parse(r.sample) as RejectSample);
  }
}
