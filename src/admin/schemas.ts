/** Zod schemas of the admin API's requests and responses (validation and OpenAPI share them). */
import { z } from "zod";

const name = z.string().min(1).max(200);

/** A time: milliseconds since the epoch (number or digits) or an ISO 8601 date-time. */
export const timeSchema = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
  .describe("milliseconds since the epoch, or an ISO 8601 date-time");

/** A task's state in the index. */
export const taskStatusSchema = z.enum(["pending", "delivered", "dead", "stale", "filtered", "expired", "purged"]);

/** Page size of a list. */
export const limitSchema = z.coerce.number().int().min(1).max(200).default(50).describe("page size (1..200, default 50)");
/** Opaque cursor of the next page. */
export const cursorSchema = z.string().max(1000).optional().describe("nextCursor of the previous page");

/** Query of `GET /v1/events`. */
export const eventListQuery = z
  .object({
    source: name.optional(),
    type: name.optional().describe("exact event type, or a prefix glob such as invoice.*"),
    status: taskStatusSchema.optional().describe("events with a task in this state"),
    destination: name.optional(),
    since: timeSchema.optional(),
    until: timeSchema.optional(),
    q: z.string().min(1).max(200).optional().describe("text contained in the event id"),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .strict();

/** Path parameters naming one event. */
export const eventParams = z.object({ source: name, eventId: z.string().min(1).max(1024) });

/**
 * Query naming one event: the form that addresses every id, `.` and `..` included, which URL
 * normalisation removes from a path before any router sees it.
 */
export const eventQuery = z
  .object({ source: name.describe("the source name"), id: z.string().min(1).max(1024).describe("the event id, exactly (percent-encoded in the query)") })
  .strict();

/** A task as the index holds it. */
export const indexedTaskSchema = z.object({
  receivedAt: z.number().describe("when the event was received (the index key starts with it)"),
  source: z.string(),
  eventId: z.string(),
  destination: z.string(),
  status: taskStatusSchema,
  attempts: z.number(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  latencyMs: z.number().nullable().describe("latency of the last attempt (ms)"),
  updatedAt: z.number(),
});

/** An event as the index holds it, with its tasks. */
export const indexedEventSchema = z.object({
  source: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  receivedAt: z.number(),
  occurredAt: z.number(),
  status: z.enum(["pending", "delivered", "dead", "stale", "filtered", "expired", "purged", "unrouted"]).describe("unrouted: no destination matched (indexed via indexAccepted)"),
  tasks: z.array(indexedTaskSchema),
});

/** A page of events. */
export const eventPageSchema = z.object({ items: z.array(indexedEventSchema), nextCursor: z.string().nullable() });
/** A page of dead tasks. */
export const deadPageSchema = z.object({ items: z.array(indexedTaskSchema), nextCursor: z.string().nullable() });

const attemptSchema = z.object({
  attempt: z.number(),
  at: z.number(),
  status: z.number(),
  latencyMs: z.number(),
  error: z.string().optional(),
  snippet: z.string().optional(),
});

/** One event as its ledger holds it (`GET /v1/events/:source/:eventId`). */
export const eventDetailSchema = z.object({
  event: z.object({
    source: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    orderingKey: z.string().nullable(),
    occurredAt: z.number(),
    receivedAt: z.number(),
    expiresAt: z.number(),
    headers: z.record(z.string(), z.string()).describe("the allow-listed provider headers forwarded to destinations"),
    payloadBytes: z.number(),
    filtered: z.array(z.string()),
    bodySha256: z.string().optional().describe("SHA-256 hex of the stored body"),
    providerEventId: z.string().optional().describe("the provider's own id, for a source with dedupe = \"content\" (eventId is then sha256:<body hash>)"),
    conflicts: z
      .object({
        total: z.number().describe("copies that came with this id and another body (all counted)"),
        copies: z.array(z.object({ sha256: z.string(), bytes: z.number(), receivedAt: z.number(), count: z.number() })).describe("the first 5 distinct conflicting bodies"),
      })
      .optional()
      .describe("absent when every copy had the stored body"),
    encryption: z
      .object({
        keyId: z.string().describe("id of the key that sealed the event (docs/operate.md, key rotation)"),
        keyName: z.string().describe("the secret that held that key when the event was stored"),
        problem: z
          .object({ reason: z.enum(["encryption_key_unavailable", "payload_unreadable"]), message: z.string() })
          .optional()
          .describe("why headers and payload cannot be shown now (absent: readable)"),
      })
      .optional()
      .describe("present when the event is stored encrypted (settings.encryptionKeys)"),
  }),
  payload: z.object({ encoding: z.enum(["utf8", "base64"]), data: z.string(), truncated: z.boolean() }).nullable(),
  tasks: z.array(
    z.object({
      destination: z.string(),
      webhookId: z.string(),
      status: z.enum(["pending", "delivered", "dead", "stale", "filtered"]).describe("stale: skipped by drop-stale ordering (a newer event of its key was delivered); filtered: its transform returned null"),
      attempts: z.number(),
      dueAt: z.number(),
      lastError: z.string().nullable(),
      lastStatus: z.number().nullable(),
      log: z.array(attemptSchema),
      transform: z
        .object({ name: z.string(), version: z.string(), at: z.number(), dropped: z.boolean(), bytes: z.number().optional() })
        .optional()
        .describe("which transform version produced what this task sends (absent: no transform); docs/workflows.md"),
    }),
  ),
  links: z
    .object({
      parent: z
        .object({ source: z.string(), eventId: z.string(), eventType: z.string(), destination: z.string(), webhookId: z.string() })
        .nullable()
        .describe("for a callback event (source _callback): the task whose outcome it reports"),
      children: z
        .array(
          z.object({
            from: z.string().describe("this event's destination whose task started it"),
            kind: z.enum(["delivered", "dead", "result"]),
            source: z.literal("_callback"),
            eventId: z.string(),
            to: z.object({ destination: z.string(), status: z.string() }).optional().describe("absent when the hop was refused (hop limit or loop)"),
          }),
        )
        .describe("callback events this event's tasks started (docs/workflows.md)"),
    })
    .describe("chain links (docs/workflows.md, Chained webhooks)"),
});

/** Body of a one-event replay. */
export const replayOneBody = z
  .object({
    destination: name.optional().describe("only this destination (default: every destination)"),
    includeDelivered: z.boolean().default(false).describe("also re-send delivered tasks (default: only dead ones)"),
    includeFiltered: z.boolean().default(false).describe("also re-run tasks their transform dropped (status filtered), e.g. after the transform changed"),
  })
  .strict();

/** Result of a one-event replay. */
export const replayOneResult = z.object({ replayed: z.array(z.string()).describe("destinations re-opened; empty when nothing was dead (idempotent)") });

/** Which dead tasks: by destination, source and when they died. */
export const deadFilterSchema = z
  .object({
    destination: name.optional(),
    source: name.optional(),
    since: timeSchema.optional().describe("became dead at or after"),
    until: timeSchema.optional().describe("became dead before"),
  })
  .strict();

/** Query of `GET /v1/dead-letters`. */
export const deadListQuery = deadFilterSchema.extend({ limit: limitSchema, cursor: cursorSchema }).strict();

/** Body of a bulk replay (a dead-task filter and an optional idempotency key). */
export const bulkReplayBody = deadFilterSchema
  .extend({ idempotencyKey: z.string().min(1).max(200).optional().describe("the same key returns the same job instead of starting another") })
  .strict();

/** A bulk replay job and its progress. */
export const jobSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string().nullable(),
  filter: z.object({ destination: z.string().optional(), source: z.string().optional(), since: z.number().optional(), until: z.number().optional() }),
  state: z.enum(["running", "done", "failed"]),
  total: z.number(),
  done: z.number(),
  replayed: z.number(),
  skipped: z.number(),
  error: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** Path parameters naming one replay job. */
export const jobParams = z.object({ id: z.uuid() });
/** Result of a purge. */
export const purgeResult = z.object({ purged: z.number() });

/** Path parameters naming one destination. */
export const destinationParams = z.object({ name });
/** Body of a pause. */
export const pauseBody = z.object({ reason: z.string().min(1).max(500).default("paused by an operator") }).strict();

/** A destination gate's state: pause and breaker. */
export const gateStatusSchema = z.object({
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  breaker: z.object({ state: z.enum(["closed", "open", "half-open"]), consecutiveFailures: z.number(), retryAt: z.number().nullable() }),
  inFlight: z.number().optional(),
  parked: z.number().optional(),
});

/** A destination as operators see it (secrets redacted). */
export const destinationViewSchema = z.object({
  name: z.string(),
  kind: z.enum(["http", "listen"]).describe("listen: delivered to the CLI connected with npm run listen"),
  url: z.string().nullable().describe("credentials and query values redacted; null for a listen destination"),
  secret: z.object({ name: z.string(), set: z.boolean() }).describe("the Worker secret's name; its value is never shown"),
  additionalSecrets: z.array(z.object({ name: z.string(), set: z.boolean() })).describe("further signing keys' names (rotation, v1a beside v1)"),
  mtlsCertificate: z.string().nullable().describe("the mTLS certificate binding deliveries go through"),
  timeoutMs: z.number(),
  retry: z.object({ maxAttempts: z.number(), baseSeconds: z.number(), capSeconds: z.number() }),
  breakerPolicy: z.object({ failureThreshold: z.number(), cooldownSeconds: z.number() }),
  batch: z.object({ maxEvents: z.number(), maxWaitSeconds: z.number() }).nullable(),
  listeners: z.number().nullable().describe("npm run listen CLIs connected (listen destinations; null otherwise or when unknown)"),
  gate: gateStatusSchema.nullable(),
});

/** A source as operators see it (secret names only). */
export const sourceViewSchema = z.object({
  name: z.string(),
  provider: z.string(),
  secrets: z.array(z.object({ name: z.string(), set: z.boolean() })),
  destinations: z.array(z.string()),
  url: z.string().describe("the path providers POST to"),
  allowIps: z.array(z.string()).nullable().describe("the source's IP allowlist as configured (CIDRs and preset:<provider>), or null: any address"),
});

const windowStatsSchema = z.object({
  windowSeconds: z.number(),
  tasks: z.record(z.string(), z.number()).describe("task counts by current status, of the events received in the window"),
  attempts: z.number().describe("attempts made for those tasks (a replay starts a task's count again)"),
  successRate: z.number().nullable().describe("delivered tasks / attempts (each delivered task ended with one delivering attempt)"),
  latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }).describe("latency of each task's last attempt, nearest rank"),
});

const percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });
const operatorWindowSchema = windowStatsSchema.extend({
  timeToFirstDeliverySeconds: percentiles.describe("acceptance to the delivering attempt of delivered tasks, nearest rank (exact, index)"),
  retryRate: z.number().nullable().describe("attempts after each task's first / all attempts (exact, index)"),
  accepted: z.number().describe("events accepted in the window (aggregated counters)"),
  acceptedPerSecond: z.number().describe("accepted / window seconds (aggregated counters)"),
  duplicateRate: z.number().nullable().describe("(duplicates + conflicting copies) / accepted (aggregated counters)"),
  rejectedByReason: z.record(z.string(), z.number()).describe("rejected requests by reason code (aggregated counters)"),
  destinations: z.record(z.string(), z.object({ attempts: z.number(), rate4xx: z.number(), rate5xx: z.number() })).describe("attempts per destination and the share answered 4xx / 5xx (aggregated counters)"),
  estimatedCostPerMillion: z.number().nullable().describe("estimated list-price $ per million accepted events of the operations counted (docs/cost.md)"),
});

/** Stats per window, the backlog and dead count now, and where each figure comes from. */
export const statsSchema = z.object({
  windows: z.object({ "1h": operatorWindowSchema, "24h": operatorWindowSchema, "7d": operatorWindowSchema }),
  backlog: z.object({ pending: z.number(), oldestPendingAgeSeconds: z.number() }).describe("exact, event index, now"),
  dead: z.number().describe("dead tasks in the dead-letter list (exact, event index, now)"),
  figures: z.record(z.string(), z.string()).describe("for each figure: exact or aggregated, its source and window"),
});

/** Path parameters naming one ordering key of a destination. */
export const orderingKeyParams = z.object({ name, key: z.string().min(1).max(512) });
/** One ordering key's sequencer (strict ordering; drop-stale keeps only `newest`). */
export const sequencerStatusSchema = z.object({
  queued: z.number().describe("events of the key waiting behind the head"),
  inFlight: z.string().nullable().describe("ledger name of the event being delivered"),
  blocked: z.string().nullable().describe("ledger name of a dead head that blocks the key (onDeadHead = block)"),
  newest: z.object({ occurredAt: z.number(), eventId: z.string() }).nullable().describe("the newest event let through"),
});

/** Path parameters naming one source. */
export const sourceParams = z.object({ source: name });
/** Body of a signed test event. */
export const testEventBody = z.object({ type: z.string().min(1).max(200).default("edgehook.test") }).strict();
/** Result of a signed test event: the ingest answer. */
export const testEventResult = z.object({ eventId: z.string(), status: z.number().describe("the ingest answer's HTTP status (202 accepted)"), response: z.unknown() });

/** Query of the rejected-requests view. */
export const rejectionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(50) }).strict();
/** One rejected request (header names only, never their values). */
export const rejectSampleSchema = z.object({
  at: z.number(),
  source: z.string(),
  code: z.string().describe("the reason code of the 4xx (docs/failure-reasons.md)"),
  hint: z.string().describe("the message the provider was answered with"),
  headerNames: z.array(z.string()).describe("names of the headers the request carried (sorted, at most 40); values are never kept"),
  bodyBytes: z.number().nullable().describe("null when refused before the body was read"),
  bodySha256: z.string().nullable(),
  clientIp: z.string().nullable().describe("cf-connecting-ip, when present"),
  country: z.string().nullable().describe("request.cf.country, when present"),
});
/** A source's rejected requests: exact counts by reason per window, and the most recent samples. */
export const rejectionsSchema = z.object({
  source: z.string(),
  counts: z.object({ "1h": z.record(z.string(), z.number()), "24h": z.record(z.string(), z.number()) }).describe("rejects by reason code over the last hour and day (aggregated per minute, exact counts)"),
  samples: z.array(rejectSampleSchema).describe("most recent first; sampled (at most 5 per source per isolate per flush window, 50 kept per source)"),
});
