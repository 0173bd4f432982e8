/**
 * Search stage: the D1 event index, one row per (event, destination) in the `deliveries` table
 * (migrations/0002), written off the request path in batches by the delivery consumer (one upsert,
 * one row written, per task) and by the admin API when it replays. The ledger stays the source of
 * truth (and holds the per-attempt log); the index is for search, dead-letter lists, bulk replay and
 * stats. Events routed to no destination never reach the consumer; the ingest stage indexes them with
 * `indexAccepted` (status `unrouted`).
 */
export { writeIndex, indexAccepted, setTaskStatus, purgeDead, updateStatement, type IndexUpdate, type SearchEnv, type TaskKey } from "./write";
export { listEvents, listDead, countDead, nextDead, windowStats, throughput, summaryStatus, type Bucket, type IndexedEvent, type IndexedTask, type Page, type WindowStats } from "./read";
export { readBacklog, type Backlog } from "./backlog";
export { indexSlis, type IndexSlis } from "./sli";
export { pruneIndex } from "./prune";
export { createJob, getJob, listJobs, advanceJob, claimJob, type ReplayJob } from "./jobs";
export { buildEventQuery, buildDeadQuery, deadWhere, encodeCursor, decodeCursor, likeLiteral, nearestRank, percentileQuery, type DeadFilter, type EventFilter, type IndexStatus, type Query } from "./query";
