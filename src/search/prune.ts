/**
 * Index retention: rows of events received before `settings.indexRetentionDays` are deleted by the
 * scheduled handler (wrangler.toml `[triggers] crons`), oldest first, in bounded batches so no
 * statement runs long on a large table. D1 caps a database at 10 GB; without pruning a busy
 * gateway's index would only grow. Deletes are billed as rows written (docs/cost.md).
 */
import { TABLE } from "./query";
import type { SearchEnv } from "./write";

/** Rows deleted per statement, and statements per run (a run deletes at most their product). */
const PRUNE_BATCH = 5_000;
const PRUNE_MAX_BATCHES = 40;

const DAY_MS = 86_400_000;

/**
 * Delete index rows received before `now - retentionDays`; `0` keeps everything. Returns the rows
 * deleted. A run stops after PRUNE_MAX_BATCHES statements; the next run continues.
 */
export async function pruneIndex(env: SearchEnv, retentionDays: number, now = Date.now(), batch = PRUNE_BATCH): Promise<number> {
  const db = env.EVENT_INDEX;
  if (!db || retentionDays <= 0) return 0;
  const before = now - retentionDays * DAY_MS;
  // The key is ordered by received_at, so the subquery is a range scan from the oldest row.
  const statement = db.prepare(
    `DELETE FROM ${TABLE} WHERE (received_at, source, event_id, destination) IN
       (SELECT received_at, source, event_id, destination FROM ${TABLE} WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
  );
  let deleted = 0;
  for (let i = 0; i < PRUNE_MAX_BATCHES; i++) {
    const changes = (await statement.bind(before, batch).run()).meta.changes;
    deleted += changes;
    if (changes < batch) break;
  }
  return deleted;
}
