import { describe, expect, it } from "vitest";
import { compareOrder, isStale, nextRelease, type QueuedEvent } from "../../src/ordering/policy";

const e = (occurredAt: number, eventId: string, arrivedAt = 0): QueuedEvent => ({ ledger: `s:${eventId}`, occurredAt, eventId, arrivedAt });

describe("ordering policy", () => {
  it("orders by occurred-at, then by event id (deterministic ties)", () => {
    expect(compareOrder(e(1, "b"), e(2, "a"))).toBeLessThan(0);
    expect(compareOrder(e(2, "a"), e(1, "b"))).toBeGreaterThan(0);
    expect(compareOrder(e(5, "evt_a"), e(5, "evt_b"))).toBeLessThan(0);
    expect(compareOrder(e(5, "evt_b"), e(5, "evt_a"))).toBeGreaterThan(0);
    expect(compareOrder(e(5, "x"), e(5, "x"))).toBe(0);
  });

  it("drop-stale: only an event before the newest one let through is stale", () => {
    expect(isStale(e(10, "a"), null)).toBe(false);
    expect(isStale(e(9, "z"), e(10, "a"))).toBe(true);
    expect(isStale(e(10, "a"), e(10, "b"))).toBe(true);
    expect(isStale(e(10, "b"), e(10, "a"))).toBe(false);
    expect(isStale(e(11, "a"), e(10, "b"))).toBe(false);
  });

  it("strict: the head goes once it has waited the reorder window; an older arrival within it overtakes", () => {
    const newer = e(200, "n", 1000);
    expect(nextRelease([newer], 1500, 1000)).toEqual({ release: null, waitMs: 500 });
    const older = e(100, "o", 1800);
    // The older event arrived within the window: it is the head now, and waits its own window.
    expect(nextRelease([newer, older], 2000, 1000)).toEqual({ release: null, waitMs: 800 });
    expect(nextRelease([newer, older], 2800, 1000)).toEqual({ release: older, waitMs: null });
    expect(nextRelease([], 0, 1000)).toEqual({ release: null, waitMs: null });
  });
});
