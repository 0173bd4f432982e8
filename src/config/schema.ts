/**
 * The `EDGEHOOK` configuration object (DESIGN.md, "Configuration contract").
 * Every field but the minimal shape is optional with a documented default; see docs/configuration.md.
 */
import { z } from "zod";
import { alertsSchema } from "./alerts";
import { callbackGraphProblems } from "../workflow/graph";
import { looksLikeSecretValue } from "./secret-values";
import { TRANSFORM_FILES } from "./transform-files.generated";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "use letters, digits, '-' or '_' (max 64)");
/** The NAME of a Worker secret; a pasted value is refused without being echoed (the message never quotes the input). */
const secretName = z.string().superRefine((text, ctx) => {
  if (looksLikeSecretValue(text)) {
    ctx.addIssue({ code: "custom", message: "looks like a secret value, not the name of a Worker secret (store it with wrangler secret put SOME_NAME and list SOME_NAME here; the value is not shown)" });
  } else if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(text)) {
    ctx.addIssue({ code: "custom", message: "must be the NAME of a Worker secret (letters, digits and _, not starting with a digit)" });
  }
});
const seconds = (max: number) => z.number().int().min(0).max(max);

/** Where to find a value in a request: a header, or a dot path into the JSON body. */
export const extractorSchema = z.union([
  z.object({ header: z.string().min(1) }).strict(),
  z.object({ path: z.string().min(1) }).strict(),
]);

/** The `generic-hmac` scheme: header, algorithm, encoding, optional prefix and signed-content template. */
export const genericHmacSchema = z
  .object({
    header: z.string().min(1),
    algorithm: z.enum(["sha1", "sha256", "sha512"]).default("sha256"),
    encoding: z.enum(["hex", "base64"]).default("hex"),
    prefix: z.string().default(""),
    template: z
      .string()
      .default("{body}")
      .refine((t) => t.split("{body}").length === 2, "template must contain {body} exactly once"),
    timestampHeader: z.string().min(1).optional(),
    idHeader: z.string().min(1).optional(),
  })
  .strict();

/** One JSON field condition of a route filter; exactly one operator. */
export const fieldMatchSchema = z
  .object({
    path: z.string().min(1),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    exists: z.boolean().optional(),
    prefix: z.string().optional(),
  })
  .strict()
  .refine((m) => ["equals", "in", "exists", "prefix"].filter((k) => k in m).length === 1, "use exactly one of equals, in, exists, prefix");

/** A route to a destination with optional filters: event-type globs (`invoice.*`) and JSON field matches (all must hold). */
export const routeSchema = z
  .object({
    destination: name,
    types: z.array(z.string().min(1)).min(1).optional(),
    match: z.array(fieldMatchSchema).min(1).optional(),
    /** A transform for this route's deliveries (wins over the destination's). */
    transform: name.optional(),
  })
  .strict();

const MAX_TRANSFORM_CODE = 64 * 1024;

/**
 * A transformation (src/transform, docs/workflows.md): an ES module whose default export is
 * `transform(event)`, given as `code`, or as a repository `file` bundled by `npm run transforms`
 * (resolved here, so everything after the config sees `code`).
 */
export const transformSchema = z
  .object({
    code: z.string().min(1).max(MAX_TRANSFORM_CODE, "at most 64 KiB of code").optional(),
    file: z.string().regex(/^transforms\/(?!.*\.\.)[A-Za-z0-9._/-]+\.m?js$/, 'a path under transforms/ ending in .js or .mjs, e.g. "transforms/slim-order.js"').optional(),
  })
  .strict()
  .transform((t, ctx) => {
    if ((t.code === undefined) === (t.file === undefined)) {
      ctx.addIssue({ code: "custom", message: "give exactly one of code and file" });
      return z.NEVER;
    }
    if (t.code !== undefined) return { code: t.code };
    const code = Object.hasOwn(TRANSFORM_FILES, t.file!) ? TRANSFORM_FILES[t.file!]! : undefined;
    if (code === undefined) {
      ctx.addIssue({ code: "custom", path: ["file"], message: `"${t.file}" is not bundled: put it in the repository and run npm run transforms (npm run dev and npm run build do) before deploying` });
      return z.NEVER;
    }
    if (code.length > MAX_TRANSFORM_CODE) {
      ctx.addIssue({ code: "custom", path: ["file"], message: "at most 64 KiB of code" });
      return z.NEVER;
    }
    return { code, file: t.file };
  });

export const sourceSchema = z
  .object({
    provider: z.string().min(1),
    secrets: z.array(secretName).min(1, "at least one secret name").max(5),
    destinations: z.array(z.union([name, routeSchema])).default([]),
    scheme: genericHmacSchema.optional(),
    toleranceSeconds: seconds(86_400).default(300),
    maxBodyBytes: z.number().int().min(1).max(100 * 1024 * 1024).optional(),
    eventId: extractorSchema.optional(),
    eventType: extractorSchema.optional(),
    orderingKey: extractorSchema.optional(),
    occurredAt: extractorSchema.optional(),
    forwardHeaders: z.array(z.string().min(1)).default([]),
    /** The URL as the provider sees it, for presets that sign it (twilio, square, hubspot); default: the request URL. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Meta: which of `secrets` is the hub.verify_token for the subscription GET (it is not an HMAC key). */
    verifyTokenSecret: secretName.optional(),
    /** Header carrying a shared-secret token (okta, generic-token); presets document their default. */
    tokenHeader: z.string().min(1).optional(),
    /** Key endpoint for presets whose keys are fetched (plaid: webhook_verification_key/get; paypal: allowed cert URL prefix). */
    keyUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** What makes two requests the same event: the event id (default), or the body's SHA-256 (`content`; docs/configuration.md). */
    dedupe: z.enum(["id", "content"]).default("id"),
    /** Who may call this source: CIDRs and `preset:<provider>` lists, checked on CF-Connecting-IP before anything else (src/ingress). */
    allowIps: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
  })
  .strict();

export const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(15),
    baseSeconds: seconds(86_400).default(60),
    capSeconds: seconds(86_400).default(86_400),
  })
  .strict();

export const destinationSchema = z
  .object({
    /** `http` (default) POSTs to `url`; `listen` hands each delivery to the CLI connected with `npm run listen` (src/listen). */
    kind: z.enum(["http", "listen"]).default("http"),
    url: z.url({ protocol: /^https?$/ }).optional(),
    secret: secretName,
    /** More signing keys (Worker secret names): each adds an entry to webhook-signature (rotation, or v1a beside v1). */
    additionalSecrets: z.array(secretName).min(1).max(4).optional(),
    /** Name of a `[[mtls_certificates]]` binding: deliveries present its client certificate (docs/operate.md). */
    mtlsCertificate: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be the binding name of an [[mtls_certificates]] entry in wrangler.toml").optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    retry: retrySchema.default(retrySchema.parse({})),
    allowPrivateNetwork: z.boolean().default(false),
    breaker: z
      .object({ failureThreshold: z.number().int().min(1).max(1000).default(5), cooldownSeconds: seconds(86_400).default(30) })
      .strict()
      .default({ failureThreshold: 5, cooldownSeconds: 30 }),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(5000).optional(), maxConcurrency: z.number().int().min(1).max(1000).optional() })
      .strict()
      .optional(),
    batch: z
      .object({ maxEvents: z.number().int().min(1).max(100), maxWaitSeconds: seconds(3600).default(5) })
      .strict()
      .optional(),
    ordering: z
      .union([
        z.enum(["none", "drop-stale", "strict"]).transform((mode) => ({ mode, reorderWindowSeconds: 3, onDeadHead: "block" as const })),
        z
          .object({
            mode: z.enum(["none", "drop-stale", "strict"]),
            reorderWindowSeconds: seconds(300).default(3),
            onDeadHead: z.enum(["block", "skip"]).default("block"),
          })
          .strict(),
      ])
      .default({ mode: "none", reorderWindowSeconds: 3, onDeadHead: "block" }),
    /** The transform every delivery to this destination goes through (a route's own transform wins). */
    transform: name.optional(),
    /** Destination that gets one event per delivered task (and async results); docs/workflows.md. */
    callback: name.optional(),
    /** Destination that gets one event per task that ends dead. */
    failureCallback: name.optional(),
    /** How long an `edgehook-callback-url` stays valid (at most settings.dedupeWindowSeconds). */
    callbackTtlSeconds: z.number().int().min(60).max(365 * 86_400).default(86_400),
  })
  .strict()
  .superRefine((dest, ctx) => {
    if (dest.kind === "http" && dest.url === undefined) {
      ctx.addIssue({ code: "custom", path: ["url"], message: 'required: the https URL to deliver to (or kind = "listen" to deliver to `npm run listen`)' });
    }
    if (dest.kind === "listen" && dest.url !== undefined) {
      ctx.addIssue({ code: "custom", path: ["url"], message: 'a listen destination has no url: deliveries go to the CLI connected with `npm run listen`; remove url or kind' });
    }
    if (dest.kind === "listen" && dest.mtlsCertificate !== undefined) {
      ctx.addIssue({ code: "custom", path: ["mtlsCertificate"], message: "a listen destination opens no TLS connection to present a certificate on; remove mtlsCertificate" });
    }
    if (dest.kind === "listen" && dest.batch) {
      ctx.addIssue({ code: "custom", path: ["batch"], message: "a listen destination delivers one event at a time; remove batch" });
    }
  });

/** The shortest dedupe window accepted (docs/configuration.md, settings). */
export const MIN_DEDUPE_WINDOW_SECONDS = 3600;

export const settingsSchema = z
  .object({
    /** At least an hour (and every source's toleranceSeconds, checked below): a shorter window accepts provider retries and replays again. */
    dedupeWindowSeconds: z
      .number()
      .int()
      .min(MIN_DEDUPE_WINDOW_SECONDS, `at least ${MIN_DEDUPE_WINDOW_SECONDS} (1 hour): a shorter window accepts the provider's retries of an event again; the default 604800 (7 days) covers every preset's retry schedule`)
      .max(365 * 86_400)
      .default(7 * 86_400),
    redriveAfterSeconds: seconds(86_400).default(300),
    maxBodyBytes: z.number().int().min(1).max(100 * 1024 * 1024).default(1024 * 1024),
    /** Full ingest log lines per second per isolate for each (source, status, code) of rejects and duplicates; 0 = all. */
    logLinesPerSecond: z.number().int().min(0).max(100_000).default(20),
    /** Days the D1 event index keeps an event's rows (pruned by the scheduled handler); 0 = forever. */
    indexRetentionDays: z.number().int().min(0).max(3650).default(30),
    /** Callback hops an event may start (provider event = hop 0); docs/workflows.md. */
    maxHops: z.number().int().min(1).max(32).default(8),
    /** This worker's public base URL, for `edgehook-callback-url` (needed when a destination has `callback`). */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Names of Worker secrets holding payload encryption keys (docs/configuration.md): the first seals, all open. Absent: payloads stored in clear. */
    encryptionKeys: z.array(secretName).min(1, "list at least one key, or leave encryptionKeys out").max(10).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    sources: z.record(name, sourceSchema),
    destinations: z.record(name, destinationSchema).default({}),
    transforms: z.record(name, transformSchema).default({}),
    settings: settingsSchema.default(settingsSchema.parse({})),
    alerts: alertsSchema.default(alertsSchema.parse({})),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const problem of callbackGraphProblems(config.destinations, config.settings)) ctx.addIssue({ code: "custom", ...problem });
    for (const [destName, dest] of Object.entries(config.destinations)) {
      if (dest.batch && dest.ordering.mode === "strict") {
        ctx.addIssue({ code: "custom", path: ["destinations", destName, "ordering"], message: "strict ordering sends one event at a time per key; it cannot be combined with batch" });
      }
    }
    transformIssues(config).forEach((issue) => ctx.addIssue({ code: "custom", ...issue }));
    for (const [sourceName, source] of Object.entries(config.sources)) {
      source.destinations.forEach((route, i) => {
        const dest = typeof route === "string" ? route : route.destination;
        // Own properties only: `toString` or `constructor` must not be found on Object.prototype.
        if (!Object.hasOwn(config.destinations, dest)) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", sourceName, "destinations", i],
            message: `destination "${dest}" is not defined under destinations`,
          });
        }
      });
      const needsScheme = source.provider === "generic-hmac" || source.provider === "generic-ed25519";
      if (needsScheme && !source.scheme) {
        ctx.addIssue({ code: "custom", path: ["sources", sourceName, "scheme"], message: `${source.provider} needs a scheme` });
      }
      if (!needsScheme && source.scheme) {
        ctx.addIssue({
          code: "custom",
          path: ["sources", sourceName, "scheme"],
          message: `scheme is only for providers "generic-hmac" and "generic-ed25519"; preset "${source.provider}" defines its own`,
        });
      }
      if (source.verifyTokenSecret && !source.secrets.includes(source.verifyTokenSecret)) {
        ctx.addIssue({
          code: "custom",
          path: ["sources", sourceName, "verifyTokenSecret"],
          message: "list the verify-token secret in secrets too (it is then used for the handshake only, never as an HMAC key)",
        });
      }
      const window = config.settings.dedupeWindowSeconds;
      if (window >= MIN_DEDUPE_WINDOW_SECONDS && source.toleranceSeconds > window) {
        ctx.addIssue({
          code: "custom",
          path: ["settings", "dedupeWindowSeconds"],
          message: `must be at least sources.${sourceName}.toleranceSeconds (${source.toleranceSeconds}): a captured request could be replayed after its id is forgotten and still be in tolerance`,
        });
      }
      if (source.provider === "generic-token" && !source.tokenHeader) {
        ctx.addIssue({ code: "custom", path: ["sources", sourceName, "tokenHeader"], message: "generic-token needs tokenHeader" });
      }
    }
  });

/**
 * Transform references: every name is defined, a batched destination has none (transforms shape
 * single deliveries), and the routes of one source to one destination agree on their transform.
 */
function transformIssues(config: { sources: Record<string, { destinations: (string | { destination: string; transform?: string | undefined })[] }>; destinations: Record<string, { transform?: string | undefined; batch?: unknown }>; transforms: Record<string, unknown> }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const known = (t: string) => Object.hasOwn(config.transforms, t);
  for (const [destName, dest] of Object.entries(config.destinations)) {
    if (dest.transform !== undefined && !known(dest.transform)) issues.push({ path: ["destinations", destName, "transform"], message: `transform "${dest.transform}" is not defined under transforms` });
    if (dest.transform !== undefined && dest.batch) issues.push({ path: ["destinations", destName, "transform"], message: "a transform shapes single deliveries; it cannot be combined with batch" });
  }
  for (const [sourceName, source] of Object.entries(config.sources)) {
    const chosen = new Map<string, string | undefined>();
    source.destinations.forEach((route, i) => {
      const destName = typeof route === "string" ? route : route.destination;
      const own = typeof route === "string" ? undefined : route.transform;
      const path = ["sources", sourceName, "destinations", i, "transform"];
      const dest = Object.hasOwn(config.destinations, destName) ? config.destinations[destName] : undefined;
      if (own !== undefined && !known(own)) issues.push({ path, message: `transform "${own}" is not defined under transforms` });
      if (own !== undefined && dest?.batch) issues.push({ path, message: "a transform shapes single deliveries; its destination is batched" });
      const effective = own ?? dest?.transform;
      if (chosen.has(destName) && chosen.get(destName) !== effective) {
        issues.push({ path, message: `another route of this source to "${destName}" has another transform; one event gets one task per destination, so they must agree` });
      }
      chosen.set(destName, effective);
    });
  }
  return issues;
}

export type Extractor = z.infer<typeof extractorSchema>;
export type Route = z.infer<typeof routeSchema>;
export type FieldMatch = z.infer<typeof fieldMatchSchema>;
export type GenericHmacScheme = z.infer<typeof genericHmacSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type RetryPolicy = z.infer<typeof retrySchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;
export type Settings = z.infer<typeof settingsSchema>;
export type TransformConfig = z.infer<typeof transformSchema>;
export type EdgehookConfig = z.infer<typeof configSchema>;
