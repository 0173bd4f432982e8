/**
 * The per-isolate tally: counters, histograms and reject samples accumulated in memory and handed to
 * the MetricsStore in one request per flush, so counting costs no Durable Object request per event.
 * Pure: no bindings, no clock (callers pass `at`).
 */

/** Counter and histogram labels (a small, bounded set of values per name). */
export type Labels = Record<string, string>;

/** One rejected request as operators see it: header names only, never their values. */
export interface RejectSample {
  at: number;
  source: string;
  code: string;
  hint: string;
  /** Names of the headers the request carried (lower case, sorted, at most MAX_HEADER_NAMES). */
  headerNames: string[];
  /** Body bytes read (null when the request was refused before its body was read). */
  bodyBytes: number | null;
  bodySha256: string | null;
  clientIp: string | null;
  country: string | null;
}

/** Histogram upper bounds in seconds (Prometheus `le`), shared by every histogram. */
export const BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] as const;

/** Samples kept per source per flush window in one isolate; counts stay exact beyond it. */
export const SAMPLES_PER_WINDOW = 5;
/** Header names kept per sample. */
export const MAX_HEADER_NAMES = 40;

/** A histogram's state: counts per bucket (not cumulative), sum and count. */
export interface HistogramState {
  buckets: number[];
  sum: number;
  count: number;
}

/** What a flush sends: counter increments by minute, histogram observations, samples. */
export interface Delta {
  /** `series key → minute → increment` (series key: see seriesKey). */
  counters: Record<string, Record<number, number>>;
  histograms: Record<string, HistogramState>;
  samples: RejectSample[];
}

/** The key of one series: name and sorted labels, as a stable JSON string. */
export function seriesKey(name: string, labels: Labels): string {
  const sorted = Object.keys(labels).sort().map((k) => [k, labels[k]!] as const);
  return JSON.stringify([name, Object.fromEntries(sorted)]);
}

/** The name and labels of a series key. */
export function parseSeries(key: string): { name: string; labels: Labels } {
  const [name, labels] = JSON.parse(key) as [string, Labels];
  return { name, labels };
}

/** The bucket index of a value in seconds (the last index is +Inf). */
export function bucketOf(seconds: number): number {
  const i = BUCKETS_SECONDS.findIndex((le) => seconds <= le);
  return i === -1 ? BUCKETS_SECONDS.length : i;
}

/** An empty histogram. */
export function emptyHistogram(): HistogramState {
  return { buckets: new Array<number>(BUCKETS_SECONDS.length + 1).fill(0), sum: 0, count: 0 };
}

/** Add one histogram's observations to another (in place). */
export function addHistogram(into: HistogramState, from: HistogramState): void {
  for (let i = 0; i < into.buckets.length; i++) into.buckets[i] = (into.buckets[i] ?? 0) + (from.buckets[i] ?? 0);
  into.sum += from.sum;
  into.count += from.count;
}

/** An in-memory accumulator; `take()` empties it and returns what it held. */
export class Tally {
  private delta: Delta = { counters: {}, histograms: {}, samples: [] };
  private sampled = new Map<string, number>();

  /** Nothing to flush? */
  get empty(): boolean {
    const d = this.delta;
    return Object.keys(d.counters).length === 0 && Object.keys(d.histograms).length === 0 && d.samples.length === 0;
  }

  /** Add `by` to a counter series at time `at` (ms). */
  count(name: string, labels: Labels, at: number, by = 1): void {
    const key = seriesKey(name, labels);
    const minute = Math.floor(at / 60_000);
    const byMinute = (this.delta.counters[key] ??= {});
    byMinute[minute] = (byMinute[minute] ?? 0) + by;
  }

  /** Observe a value in seconds in a histogram series. */
  observe(name: string, labels: Labels, seconds: number): void {
    const h = (this.delta.histograms[seriesKey(name, labels)] ??= emptyHistogram());
    h.buckets[bucketOf(seconds)]!++;
    h.sum += seconds;
    h.count++;
  }

  /** Does this window still take a sample for `source`? (Ask before computing one: hashing costs CPU.) */
  wantsSample(source: string): boolean {
    return (this.sampled.get(source) ?? 0) < SAMPLES_PER_WINDOW;
  }

  /** Keep a sample if the source's window allows one more. */
  sample(s: RejectSample): void {
    if (!this.wantsSample(s.source)) return;
    this.sampled.set(s.source, (this.sampled.get(s.source) ?? 0) + 1);
    this.delta.samples.push(s);
  }

  /** Empty the tally; the caller owns what it returns. */
  take(): Delta {
    const out = this.delta;
    this.delta = { counters: {}, histograms: {}, samples: [] };
    this.sampled.clear();
    return out;
  }

  /** Put back a delta whose flush failed (samples only up to the window's cap). */
  restore(d: Delta): void {
    for (const [key, byMinute] of Object.entries(d.counters)) {
      const into = (this.delta.counters[key] ??= {});
      for (const [m, n] of Object.entries(byMinute)) into[Number(m)] = (into[Number(m)] ?? 0) + n;
    }
    for (const [key, h] of Object.entries(d.histograms)) addHistogram((this.delta.histograms[key] ??= emptyHistogram()), h);
    for (const s of d.samples) this.sample(s);
  }
}
