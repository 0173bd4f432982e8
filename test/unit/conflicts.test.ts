/** Conflicting copies are bounded: the first distinct bodies are kept, every copy is counted. */
import { describe, expect, it } from "vitest";
import { MAX_CONFLICT_COPIES, recordConflict } from "../../src/ledger/conflicts";

describe("recordConflict", () => {
  it("counts repeats of one body on its entry, and every copy in total", () => {
    const a = { sha256: "aa", bytes: 3, receivedAt: 1 };
    const once = recordConflict(undefined, a);
    const twice = recordConflict(once, { ...a, receivedAt: 2 });
    expect(once).toEqual({ total: 1, copies: [{ ...a, count: 1 }] });
    expect(twice).toEqual({ total: 2, copies: [{ ...a, count: 2 }] }); // first arrival kept
  });

  it(`keeps at most ${MAX_CONFLICT_COPIES} distinct bodies`, () => {
    let conflicts = recordConflict(undefined, { sha256: "0", bytes: 1, receivedAt: 0 });
    for (let i = 1; i < 12; i++) conflicts = recordConflict(conflicts, { sha256: String(i), bytes: 1, receivedAt: i });
    expect(conflicts.total).toBe(12);
    expect(conflicts.copies.map((c) => c.sha256)).toEqual(["0", "1", "2", "3", "4"]);
  });
});
