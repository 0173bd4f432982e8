/**
 * Bulk replay: every dead task matching a filter, as a job with progress in the index. The job runs
 * after the response (waitUntil) in chunks; each ledger replay is idempotent, and a task leaves the
 * dead set as soon as it is re-opened, so re-running or resuming a job never sends an event twice.
 */
import { advanceJob, nextDead, setTaskStatus, type DeadFilter, type IndexedTask, type ReplayJob } from "../search";
import type { AdminEnv } from "./env";
import { ledgerOf } from "./events";

/** Tasks replayed concurrently per chunk. */
const CHUNK = 25;

/** Replay one indexed dead task; `true` when the ledger re-opened it. Syncs the index either way. */
async function replayTask(env: AdminEnv, t: IndexedTask, now: number): Promise<boolean> {
  const ledger = ledgerOf(env, t.source, t.eventId);
  const result = await ledger.replay({ destinations: [t.destination], statuses: ["dead"] });
  if (result && result.replayed.length > 0) {
    await setTaskStatus(env, [{ ...t, status: "pending", attempts: 0 }], now);
    return true;
  }
  // Not dead in the ledger (index behind) or the ledger is gone: bring the index in line.
  const view = result ? await ledger.inspect() : null;
  const actual = view?.tasks.find((x) => x.destination === t.destination)?.status ?? "expired";
  await setTaskStatus(env, [{ ...t, status: actual }], now);
  return false;
}

/** Run a job to the end: replay chunk after chunk of dead tasks that were dead when it started. */
export async function runReplayJob(env: AdminEnv, job: ReplayJob): Promise<void> {
  const db = env.EVENT_INDEX!;
  const filter: DeadFilter = job.filter;
  try {
    // Bounded: every round removes its tasks from the dead set (status synced above).
    for (let round = 0; round < Math.ceil(job.total / CHUNK) + 10; round++) {
      const tasks = await nextDead(db, filter, job.createdAt, CHUNK);
      if (tasks.length === 0) break;
      const now = Date.now();
      const results = await Promise.allSettled(tasks.map((t) => replayTask(env, t, now)));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const replayed = results.filter((r) => r.status === "fulfilled" && r.value).length;
      await advanceJob(db, job.id, { replayed, skipped: tasks.length - replayed, now: Date.now() });
    }
    await advanceJob(db, job.id, { replayed: 0, skipped: 0, state: "done", now: Date.now() });
  } catch (error) {
    console.error(JSON.stringify({ msg: "replay_job_failed", job: job.id, error: String(error) }));
    await advanceJob(db, job.id, { replayed: 0, skipped: 0, state: "failed", error: "a ledger or the index was unreachable; start the job again (it resumes where it stopped)", now: Date.now() });
  }
}
