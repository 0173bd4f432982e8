/** The log-flood guard: a per-key budget per second, and an exact count of what it held back. */
import { describe, expect, it } from "vitest";
import { LogThrottle } from "../../src/observe/throttle";

describe("LogThrottle", () => {
  it("writes `perSecond` lines per key per window, then suppresses and asks for one summary per window", () => {
    const t = new LogThrottle(2);
    expect([t.take("a", 0), t.take("a", 10), t.take("a", 20), t.take("a", 30), t.take("b", 40)]).toEqual([
      "write", "write", "suppress-and-schedule", "suppress", "write",
    ]);
    expect(t.drain("a")).toBe(2);
    expect(t.drain("a")).toBe(0);
    expect(t.take("a", 999)).toBe("suppress-and-schedule"); // same window, budget spent; a new summary is due
    expect(t.take("a", 1000)).toBe("write"); // a new window
    expect(t.drain("a")).toBe(1);
  });

  it("counts lines suppressed across windows until drained", () => {
    const t = new LogThrottle(1);
    t.take("k", 0);
    expect(t.take("k", 1)).toBe("suppress-and-schedule");
    t.take("k", 1500);
    expect(t.take("k", 1501)).toBe("suppress"); // the summary scheduled earlier is still pending
    expect(t.drain("k")).toBe(2);
    expect(t.drain("unknown")).toBe(0);
  });

  it("0 writes every line", () => {
    const t = new LogThrottle(0);
    expect(Array.from({ length: 50 }, (_, i) => t.take("k", i)).every((v) => v === "write")).toBe(true);
  });
});
