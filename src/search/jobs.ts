/** Bulk replay jobs in the index: created once per idempotency key, progress updated as they run. */
import type { DeadFilter } from "./query";

/** A bulk replay job and its progress. */
export interface ReplayJob {
  id: string;
  idempotencyKey: string | null;
  filter: DeadFilter;
  state: "running" | "done" | "failed";
  /** Dead tasks that matched when the job was created. */
  total: number;
  /** Tasks handled so far (replayed + skipped). */
  done: number;
  replayed: number;
  /** Tasks whose ledger was gone or no longer dead. */
  skipped: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

interface JobRow {
  id: string;
  idempotency_key: string | null;
  filter: string;
  state: ReplayJob["state"];
  total: number;
  done: number;
  replayed: number;
  skipped: number;
  error: string | null;
  created_at: number;
  updated_at: number;
}

const toJob = (r: JobRow): ReplayJob => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  filter: JSON.parse(r.filter) as DeadFilter,
  state: r.state,
  total: r.total,
  done: r.done,
  replayed: r.replayed,
  skipped: r.skipped,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Create a job, or return the existing one for the same idempotency key (`created: false`). */
export async function createJob(
  db: D1Database,
  input: { filter: DeadFilter; total: number; idempotencyKey: string | null; now: number },
): Promise<{ job: ReplayJob; created: boolean }> {
  const id = crypto.randomUUID();
  const inserted = await db
    .prepare("INSERT INTO replay_jobs (id, idempotency_key, filter, state, total, created_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING")
    .bind(id, input.idempotencyKey, JSON.stringify(input.filter), input.total, input.now, input.now)
    .run();
  const row = inserted.meta.changes > 0
    ? await db.prepare("SELECT * FROM replay_jobs WHERE id = ?").bind(id).first<JobRow>()
    : await db.prepare("SELECT * FROM replay_jobs WHERE idempotency_key = ?").bind(input.idempotencyKey).first<JobRow>();
  return { job: toJob(row!), created: inserted.meta.changes > 0 };
}

/** One job, or `null`. */
export async function getJob(db: D1Database, id: string): Promise<ReplayJob | null> {
  const row = await db.prepare("SELECT * FROM replay_jobs WHERE id = ?").bind(id).first<JobRow>();
  return row ? toJob(row) : null;
}

/** The most recent jobs. */
export async function listJobs(db: D1Database, limit: number): Promise<ReplayJob[]> {
  return (await db.prepare("SELECT * FROM replay_jobs ORDER BY created_at DESC LIMIT ?").bind(limit).all<JobRow>()).results.map(toJob);
}

/**
 * Claim a stalled running job for continuation: succeeds for exactly one caller (compare-and-set on
 * the `updated_at` the caller saw), so two pollers never run it twice at once.
 */
export async function claimJob(db: D1Database, id: string, seenUpdatedAt: number, now: number): Promise<boolean> {
  const result = await db.prepare("UPDATE replay_jobs SET updated_at = ? WHERE id = ? AND state = 'running' AND updated_at = ?").bind(now, id, seenUpdatedAt).run();
  return result.meta.changes === 1;
}

/** Add progress to a job; `state`/`error` when it ends. */
export async function advanceJob(
  db: D1Database,
  id: string,
  progress: { replayed: number; skipped: number; state?: ReplayJob["state"]; error?: string; now: number },
): Promise<void> {
  await db
    .prepare("UPDATE replay_jobs SET done = done + ?, replayed = replayed + ?, skipped = skipped + ?, state = COALESCE(?, state), error = COALESCE(?, error), updated_at = ? WHERE id = ?")
    .bind(progress.replayed + progress.skipped, progress.replayed, progress.skipped, progress.state ?? null, progress.error ?? null, progress.now, id)
    .run();
}
