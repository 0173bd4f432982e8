/** Index retention: the hourly cron deletes index rows older than settings.indexRetentionDays (30). */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { pruneIndex, updateStatement, type IndexUpdate } from "../../src/search";

const DAY = 86_400_000;

/** Index one delivered task per received time, under `source`. */
async function seed(source: string, receivedAt: number[]): Promise<void> {
  const db = env.EVENT_INDEX!;
  await db.batch(
    receivedAt.map((at, i) => {
      const u: IndexUpdate = { source, eventId: `evt_${i}`, eventType: "invoice.paid", receivedAt: at, occurredAt: at, destination: "ok", status: "delivered", attempts: 1, lastStatus: 200, lastError: null, latencyMs: 5, at };
      return updateStatement(db, u);
    }),
  );
}

async function kept(source: string): Promise<number[]> {
  const rows = await env.EVENT_INDEX!.prepare("SELECT received_at FROM deliveries WHERE source = ? ORDER BY received_at").bind(source).all<{ received_at: number }>();
  return rows.results.map((r) => r.received_at);
}

describe("index retention", () => {
  it("the hourly cron deletes the rows of events received before the window and keeps the rest", async () => {
    const now = Date.now();
    const old = [now - 90 * DAY, now - 31 * DAY, now - 30 * DAY - 1];
    const recent = [now - 30 * DAY + 60_000, now - 29 * DAY, now - 3_600_000];
    await seed("retention-cron", [...old, ...recent]);
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 * * * *" }), env);
    } finally {
      spy.mockRestore();
    }
    expect(await kept("retention-cron")).toEqual(recent);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual({ msg: "index_pruned", rows: 3, retentionDays: 30 });
  });

  it("deletes oldest first in bounded statements until none is left; 0 days keeps everything", async () => {
    const now = Date.now();
    const old = Array.from({ length: 7 }, (_, i) => now - 40 * DAY + i);
    await seed("retention-batches", old);
    expect(await pruneIndex(env, 0, now, 3)).toBe(0);
    expect(await kept("retention-batches")).toEqual(old);
    expect(await pruneIndex(env, 30, now, 3)).toBe(7); // statements of 3, 3 and 1
    expect(await kept("retention-batches")).toEqual([]);
    expect(await pruneIndex(env, 30, now, 3)).toBe(0);
  });
});
