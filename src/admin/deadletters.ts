/** Admin routes for dead letters (list, redrive as a bulk replay job, purge) and replay jobs. */
import type { Context, Hono } from "hono";
import type { z } from "zod";
import { countDead, createJob, deadWhere, getJob, listDead, listJobs, purgeDead } from "../search";
import { audit } from "./audit";
import type { AdminBindings } from "./env";
import { continueIfStalled, runReplayJob } from "./replay";
import { apiError, route } from "./route";
import { bulkReplayBody, deadFilterSchema, deadListQuery, deadPageSchema, jobParams, jobSchema, purgeResult } from "./schemas";

const noIndex = (c: Context) => apiError(c, 503, "index_unavailable", "the EVENT_INDEX D1 binding is not configured");

/** Start (or, for a known idempotency key, return) a bulk replay job; 202 with the job. */
async function startJob(c: Context<AdminBindings>, body: z.output<typeof bulkReplayBody>): Promise<Response> {
  const db = c.env.EVENT_INDEX;
  if (!db) return noIndex(c);
  const { idempotencyKey, ...filter } = body;
  const now = Date.now();
  const { job, created } = await createJob(db, { filter, total: await countDead(db, filter), idempotencyKey: idempotencyKey ?? null, now });
  if (created) c.executionCtx.waitUntil(runReplayJob(c.env, job));
  audit(c, "bulk_replay", { job: job.id, created, total: job.total, filter });
  return c.json(job, created ? 202 : 200, { location: `/api/v1/replays/${job.id}` });
}

/** Register the dead-letter and replay-job routes. */
export function deadLetterRoutes(api: Hono<AdminBindings>): void {
  route(api, { method: "get", path: "/v1/dead-letters", tag: "dead letters", summary: "Dead tasks, most recently dead first (cursor pagination)", query: deadListQuery, responses: { 200: { description: "a page of dead tasks", schema: deadPageSchema } } }, async (c, { query }) => {
    if (!c.env.EVENT_INDEX) return noIndex(c);
    const page = await listDead(c.env.EVENT_INDEX, query);
    if ("error" in page) return apiError(c, 400, "validation_failed", "the cursor is malformed; pass nextCursor from a previous page", { problems: ["query.cursor: malformed"] });
    return c.json(page);
  });

  const jobResponses = { 202: { description: "job started", schema: jobSchema }, 200: { description: "the existing job for this idempotency key", schema: jobSchema } };
  route(api, { method: "post", path: "/v1/dead-letters/redrive", tag: "dead letters", summary: "Redrive every dead task matching the filter, as a replay job", body: bulkReplayBody, responses: jobResponses }, (c, { body }) => startJob(c, body));
  route(api, { method: "post", path: "/v1/replays", tag: "replays", summary: "Bulk replay by filter (e.g. every dead task of a destination since a time), as a job with progress", body: bulkReplayBody, responses: jobResponses }, (c, { body }) => startJob(c, body));

  route(api, { method: "post", path: "/v1/dead-letters/purge", tag: "dead letters", summary: "Remove dead tasks matching the filter from the dead-letter list (the ledger keeps its record until its window ends)", body: deadFilterSchema, responses: { 200: { description: "how many were purged", schema: purgeResult } } }, async (c, { body }) => {
    if (!c.env.EVENT_INDEX) return noIndex(c);
    const purged = await purgeDead(c.env, deadWhere(body));
    audit(c, "purge", { filter: body, purged });
    return c.json({ purged });
  });

  route(api, { method: "get", path: "/v1/replays", tag: "replays", summary: "The 50 most recent replay jobs", responses: { 200: { description: "jobs", schema: jobSchema.array() } } }, async (c) => {
    if (!c.env.EVENT_INDEX) return noIndex(c);
    return c.json(await listJobs(c.env.EVENT_INDEX, 50));
  });

  route(api, { method: "get", path: "/v1/replays/:id", tag: "replays", summary: "One replay job and its progress", params: jobParams, responses: { 200: { description: "the job", schema: jobSchema }, 404: { description: "no such job" } } }, async (c, { params }) => {
    if (!c.env.EVENT_INDEX) return noIndex(c);
    const job = await getJob(c.env.EVENT_INDEX, params.id);
    if (!job) return apiError(c, 404, "not_found", "no such replay job");
    if (await continueIfStalled(c.env, job, (p) => c.executionCtx.waitUntil(p))) audit(c, "bulk_replay_continued", { job: job.id, done: job.done, total: job.total });
    return c.json(job);
  });
}
