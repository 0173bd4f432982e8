/**
 * Bulk replay: every dead task matching a filter, as a job with progress in the index. The job runs
 * after the response (waitUntil) in chunks, for at most a time budget per invocation (waitUntil is
 * bounded); a job left running is continued by whoever next reads it once it looks stalled. Each
 * ledger replay is idempotent, and a task leaves the dead set as soon as it is re-opened, so running
 * a job in several invocations, or twice, never sends an event twice.
 */
import { advanceJob, claimJob, nextDead, setTaskStatus, type DeadFilter, type IndexedTask, type ReplayJob } from "../search";
import type { AdminEnv } from "./env";
import { ledgerOf } from "./events";

/** Tasks replayed concurrently per chunk. */
const CHUNK = 25;

/** Work per invocation before leaving the rest to a continuation (waitUntil allows about 30 s). */
export const JOB_BUDGET_MS = 20_000;

/** A running job with no progress for this long is continued by the next reader. */
export const JOB_STALL_MS = 30_000;

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

/** Run a job: replay chunk after chunk of tasks that were dead when it started, within `budgetMs`. */
export async function runReplayJob(env: AdminEnv, job: ReplayJob, budgetMs = JOB_BUDGET_MS): Promise<void> {
  const db = env.EVENT_INDEX!;
  const filter: DeadFilter = job.filter;
  const started = Date.now();
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
      if (Date.now() - started >= budgetMs) return; // still running: continued by continueIfStalled
    }
    await advanceJob(db, job.id, { replayed: 0, skipped: 0, state: "done", now: Date.now() });
  } catch (error) {
    console.error(JSON.stringify({ msg: "replay_job_failed", job: job.id, error: String(error) }));
    await advanceJob(db, job.id, { replayed: 0, skipped: 0, state: "failed", error: "a ledger or the index was unreachable; start the job again (it resumes where it stopped)", now: Date.now() });
  }
}

/**
 * Continue a running job that made no progress for `JOB_STALL_MS` (its invocation ended): at most one
 * reader wins the claim and runs it in `waitUntil`. Returns whether it was continued.
 */
export async function continueIfStalled(env: AdminEnv, job: ReplayJob, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): Promise<boolean> {
  if (job.state !== "running" || now - job.updatedAt < JOB_STALL_MS || !env.EVENT_INDEX) return false;
  if (!(await claimJob(env.EVENT_INDEX, job.id, job.updatedAt, now))) return false;
  waitUntil(runReplayJob(env, job));
  return true;
}
