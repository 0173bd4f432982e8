/** The ingest's memory of accepted events: trusted only inside both its TTL and the dedupe window, and bounded. */
import { describe, expect, it } from "vitest";
import { RecentlyAccepted } from "../../src/ingest/recent";

const MIN = 60_000;

describe("RecentlyAccepted", () => {
  it("knows an accepted event until its TTL ends, measured from when it was received", () => {
    const recent = new RecentlyAccepted(10, 10 * MIN);
    recent.add("s:a", 1_000, 7 * 24 * 60 * MIN);
    expect(recent.has("s:a", 1_000)).toBe(true);
    expect(recent.has("s:a", 1_000 + 10 * MIN - 1)).toBe(true);
    expect(recent.has("s:a", 1_000 + 10 * MIN)).toBe(false);
    expect(recent.size).toBe(0); // an expired entry is dropped when seen
    expect(recent.has("s:b", 1_000)).toBe(false);
  });

  it("never outlives a dedupe window shorter than its TTL", () => {
    const recent = new RecentlyAccepted(10, 10 * MIN);
    recent.add("s:a", 0, 30_000);
    expect(recent.has("s:a", 29_999)).toBe(true);
    expect(recent.has("s:a", 30_000)).toBe(false);
  });

  it("holds at most `capacity` entries, dropping the oldest first", () => {
    const recent = new RecentlyAccepted(3, MIN);
    for (const name of ["a", "b", "c", "d"]) recent.add(name, 0, MIN);
    expect(recent.size).toBe(3);
    expect(recent.has("a", 1)).toBe(false);
    expect(["b", "c", "d"].every((n) => recent.has(n, 1))).toBe(true);
    recent.add("b", 0, MIN); // re-adding refreshes its place
    recent.add("e", 0, MIN);
    expect(recent.has("c", 1)).toBe(false);
    expect(recent.has("b", 1)).toBe(true);
  });

  it("re-adding a name it holds at capacity drops nothing else", () => {
    const recent = new RecentlyAccepted(2, MIN);
    recent.add("a", 0, MIN);
    recent.add("b", 0, MIN);
    recent.add("b", 0, MIN);
    expect(recent.has("a", 1) && recent.has("b", 1)).toBe(true);
  });

  it("remembers nothing for a window that has already ended", () => {
    const recent = new RecentlyAccepted(3, MIN);
    recent.add("a", 5_000, 0);
    recent.add("b", 5_000, -1);
    expect(recent.size).toBe(0);
    recent.add("c", 5_000, 1);
    expect(recent.has("c", 5_000)).toBe(true);
    expect(recent.has("c", 5_001)).toBe(false);
  });

  it("clear() forgets everything", () => {
    const recent = new RecentlyAccepted(3, MIN);
    recent.add("a", 0, MIN);
    recent.clear();
    expect(recent.has("a", 1)).toBe(false);
  });

  it("knows the stored body's hash: another body is a conflicting copy, never answered as a plain duplicate", () => {
    const recent = new RecentlyAccepted(10, MIN);
    recent.add("s:a", 0, MIN, "aaaa");
    expect(recent.check("s:a", "aaaa", 1)).toBe("duplicate");
    expect(recent.check("s:a", "bbbb", 1)).toBe("conflict");
    expect(recent.check("s:a", "aaaa", MIN)).toBe("unknown"); // expired
    recent.add("s:b", 0, MIN); // hash unknown: the ledger decides
    expect(recent.check("s:b", "aaaa", 1)).toBe("unknown");
    expect(recent.check("s:c", "aaaa", 1)).toBe("unknown");
  });
});
