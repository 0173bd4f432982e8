/**
 * Log-flood guard: at most `perSecond` lines per key per second are written in full; the rest are
 * counted and reported in one summary line when their second ends. A flood of forged signatures or a
 * provider's retry storm then costs a bounded number of log lines (which are billed, and which drown
 * the lines an operator needs) while every request is still accounted for.
 */

/** What the caller does with one line. */
export type ThrottleVerdict =
  /** Write the line. */
  | "write"
  /** Count it; the first suppressed line of a window also schedules the window's summary. */
  | "suppress-and-schedule"
  | "suppress";

interface Window {
  start: number;
  written: number;
  suppressed: number;
  scheduled: boolean;
}

/** Per-key line budget over one-second windows (one instance per isolate). */
export class LogThrottle {
  readonly #windows = new Map<string, Window>();

  /**
   * @param perSecond full lines per key per second; 0 writes every line (no throttling)
   * @example const throttle = new LogThrottle(20);
   */
  constructor(readonly perSecond: number) {}

  /** Decide about one line for `key` at `now` (ms). */
  take(key: string, now: number): ThrottleVerdict {
    if (this.perSecond <= 0) return "write";
    let w = this.#windows.get(key);
    if (!w) {
      w = { start: now, written: 0, suppressed: 0, scheduled: false };
      this.#windows.set(key, w);
    }
    if (now - w.start >= 1000) {
      w.start = now;
      w.written = 0;
    }
    if (w.written < this.perSecond) {
      w.written++;
      return "write";
    }
    w.suppressed++;
    if (w.scheduled) return "suppress";
    w.scheduled = true;
    return "suppress-and-schedule";
  }

  /** Lines suppressed for `key` since the last drain (and reset the count). */
  drain(key: string): number {
    const w = this.#windows.get(key);
    if (!w) return 0;
    const n = w.suppressed;
    w.suppressed = 0;
    w.scheduled = false;
    return n;
  }
}
