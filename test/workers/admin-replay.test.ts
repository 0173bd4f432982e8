/**
 * Bulk replay after an outage, through the real queue, ledgers, index and sink: 500 events die while
 * the destination answers 503; after it heals, one replay job delivers every one of them exactly once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runReplayJob } from "../../src/admin";
import { countDead, createJob } from "../../src/search";
import { api, apiJson, postMany, setSwitch } from "./admin-helpers";
import { inspect, received, waitFor } from "./helpers";

interface Job { id: string; state: string; total: number; done: number; replayed: number; skipped: number }
interface Page<T> { items: T[]; nextCursor: string | null }
interface DeadTask { source: string; eventId: string; destination: string; status: string; lastStatus: number | null }

/** Every dead task of a destination, following cursors. */
async function allDead(destination: string): Promise<DeadTask[]> {
  const out: DeadTask[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<DeadTask> = await apiJson(`/v1/dead-letters?destination=${destination}&limit=200${cursor ? `&cursor=${cursor}` : ""}`, 200);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe("bulk replay of 500 dead tasks", () => {
  it("lists them as dead letters, replays them as one job with progress, and each is delivered once", async () => {
    await setSwitch("outage", 503);
    const since = Date.now();
    const ids = await postMany("outage", 500);
    const dead = await waitFor(async () => {
      const list = (await allDead("outage")).filter((t) => ids.includes(t.eventId));
      return list.length === 500 ? list : undefined;
    }, 90_000, "500 dead letters");
    expect(dead.every((t) => t.status === "dead" && t.lastStatus === 503)).toBe(true);
    expect(new Set(dead.map((t) => t.eventId)).size).toBe(500);

    await setSwitch("outage", 200);
    const key = `outage-${since}`;
    const started = await api("/v1/replays", { body: { destination: "outage", since, idempotencyKey: key } });
    expect(started.status).toBe(202);
    const job = (await started.json()) as Job;
    expect(job).toMatchObject({ state: "running", total: 500 });
    // The same idempotency key returns the same job and starts nothing new.
    const again = await apiJson<Job>("/v1/replays", 200, { body: { destination: "outage", since, idempotencyKey: key } });
    expect(again.id).toBe(job.id);

    const finished = await waitFor(async () => {
      const j = await apiJson<Job>(`/v1/replays/${job.id}`, 200);
      expect(j.done).toBeLessThanOrEqual(500);
      return j.state === "done" ? j : undefined;
    }, 60_000, "the replay job");
    expect(finished).toMatchObject({ total: 500, done: 500, replayed: 500, skipped: 0 });

    await waitFor(async () => {
      const views = await Promise.all(ids.map((id) => inspect("outage", id)));
      return views.every((v) => v?.tasks[0]?.status === "delivered");
    }, 90_000, "all 500 delivered");
    const hits = (await received("/switch/outage")).filter((h) => ids.includes(h.headers["edgehook-event-id"]!) && h.status === 200);
    expect(hits).toHaveLength(500);
    expect(new Set(hits.map((h) => h.webhookId)).size).toBe(500);
    expect(hits.every((h) => h.verified)).toBe(true);

    // Nothing left to redrive: a second job finds no dead task and sends nothing.
    const empty = await apiJson<Job>("/v1/dead-letters/redrive", 202, { body: { destination: "outage", since } });
    expect(empty.total).toBe(0);
    await waitFor(async () => (await apiJson<Job>(`/v1/replays/${empty.id}`, 200)).state === "done");
    expect((await received("/switch/outage")).filter((h) => ids.includes(h.headers["edgehook-event-id"]!) && h.status === 200)).toHaveLength(500);
    expect((await apiJson<Job[]>("/v1/replays", 200)).map((j) => j.id)).toEqual(expect.arrayContaining([job.id, empty.id]));
  }, 300_000);
});

describe("dead letters", () => {
  it("purge hides dead tasks from the list without touching the ledger; validation errors are 400", async () => {
    await setSwitch("outage", 503);
    const since = Date.now();
    const [id] = await postMany("outage", 1);
    await waitFor(async () => (await allDead("outage")).some((t) => t.eventId === id), 20_000, "the dead letter");
    const purged = await apiJson<{ purged: number }>("/v1/dead-letters/purge", 200, { body: { destination: "outage", since } });
    expect(purged.purged).toBeGreaterThanOrEqual(1);
    expect((await allDead("outage")).some((t) => t.eventId === id)).toBe(false);
    expect((await inspect("outage", id!))!.tasks[0]!.status).toBe("dead");
    expect((await api("/v1/dead-letters/purge", { body: { destination: 1 } })).status).toBe(400);
    expect((await api("/v1/dead-letters?limit=0")).status).toBe(400);
    expect((await api("/v1/replays/not-a-uuid")).status).toBe(400);
    expect((await api(`/v1/replays/${crypto.randomUUID()}`)).status).toBe(404);
    await setSwitch("outage", 200);
  });
});

describe("a replay job that outlives its invocation", () => {
  it("stops at its time budget still running, and the next read after a stall continues it to the end", async () => {
    await setSwitch("outage", 503);
    const since = Date.now();
    const ids = await postMany("outage", 30);
    await waitFor(async () => (await allDead("outage")).filter((t) => ids.includes(t.eventId)).length === 30, 30_000, "30 dead letters");
    await setSwitch("outage", 200);
    const filter = { destination: "outage", since };
    const { job } = await createJob(env.EVENT_INDEX, { filter, total: await countDead(env.EVENT_INDEX, filter), idempotencyKey: null, now: Date.now() });
    expect(job.total).toBe(30);
    await runReplayJob(env, job, 0); // a budget of 0: one chunk, then the invocation "ends"
    const partial = await apiJson<Job>(`/v1/replays/${job.id}`, 200);
    expect(partial).toMatchObject({ state: "running", done: 25, replayed: 25 });
    // Not stalled yet: reading it again changes nothing.
    expect(await apiJson<Job>(`/v1/replays/${job.id}`, 200)).toMatchObject({ state: "running", done: 25 });
    // Time passes with no progress (as if its invocation was cut off).
    await env.EVENT_INDEX.prepare("UPDATE replay_jobs SET updated_at = updated_at - 60000 WHERE id = ?").bind(job.id).run();
    const finished = await waitFor(async () => {
      const j = await apiJson<Job>(`/v1/replays/${job.id}`, 200);
      return j.state === "done" ? j : undefined;
    }, 30_000, "the continued job");
    expect(finished).toMatchObject({ total: 30, done: 30, replayed: 30, skipped: 0 });
    await waitFor(async () => (await Promise.all(ids.map((id) => inspect("outage", id)))).every((v) => v?.tasks[0]?.status === "delivered"), 30_000, "all 30 delivered");
    const hits = (await received("/switch/outage")).filter((h) => ids.includes(h.headers["edgehook-event-id"]!) && h.status === 200);
    expect(hits).toHaveLength(30);
  });
});
