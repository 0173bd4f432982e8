import { describe, expect, it } from "vitest";
import { MAX_REDRIVE_MS, redriveAt, type StoredTask } from "../../src/ledger/store";

const task = (redrives?: number): StoredTask => ({
  destination: "d", webhookId: "msg_x", status: "pending", attempts: 0, dueAt: 1_000_000, lastStatus: null, lastError: null, log: [], ...(redrives === undefined ? {} : { redrives }),
});

describe("alarm re-drive backoff", () => {
  it("waits redriveMs after the task was due, doubling with each re-send that brought no progress", () => {
    expect(redriveAt(task(), 300_000)).toBe(1_300_000);
    expect(redriveAt(task(0), 300_000)).toBe(1_300_000);
    expect(redriveAt(task(1), 300_000)).toBe(1_600_000);
    expect(redriveAt(task(3), 300_000)).toBe(1_000_000 + 2_400_000);
  });

  it("is capped (6 h), unless redriveMs itself is longer", () => {
    expect(redriveAt(task(30), 300_000)).toBe(1_000_000 + MAX_REDRIVE_MS);
    expect(redriveAt(task(30), 2 * MAX_REDRIVE_MS)).toBe(1_000_000 + 2 * MAX_REDRIVE_MS);
  });
});
