/**
 * Test configuration: the `EDGEHOOK` object and secrets the workerd tests run with, pointing every
 * destination at the real local sink (scripts/sink.mjs) started by the global setup.
 */
import { PRESET_SECRETS, presetSources } from "./preset-fixtures";

/** Secret values used only by tests. */
export const TEST_SECRETS = {
  STRIPE_SECRET: "whsec_test_stripe_current",
  STRIPE_OLD_SECRET: "whsec_test_stripe_previous",
  GITHUB_SECRET: "test-github-secret",
  GITHUB_OLD_SECRET: "test-github-secret-previous",
  SW_SECRET: "whsec_dGVzdC1zdGFuZGFyZC13ZWJob29rcy1rZXktMDAwMQ==",
  SW_OLD_SECRET: "whsec_dGVzdC1zdGFuZGFyZC13ZWJob29rcy1rZXktb2xkMQ==",
  GENERIC_SECRET: "test-generic-secret",
  GENERIC_OLD_SECRET: "test-generic-secret-previous",
  SINK_SECRET: "whsec_dGVzdC1zaW5rLXNpZ25pbmcta2V5LTAwMDAwMDAx",
  EDGEHOOK_CALLBACK_SECRET: "test-callback-token-secret-7d1e4b9a2c",
  // Payload encryption keys (32 bytes, base64) of the workers-encrypted project and its rotation test.
  EH_KEY_A: "dGVzdC1lbmNyeXB0aW9uLWtleS1BLTAwMDAwMDAwMDE=",
  EH_KEY_B: "dGVzdC1lbmNyeXB0aW9uLWtleS1CLTAwMDAwMDAwMDE=",
  ...PRESET_SECRETS,
} as const;

/** The generic-hmac scheme of the `acme` test source. */
export const ACME_SCHEME = {
  header: "x-acme-signature",
  algorithm: "sha256",
  encoding: "hex",
  prefix: "sha256=",
  template: "{timestamp}.{body}",
  timestampHeader: "x-acme-timestamp",
  idHeader: "x-acme-id",
} as const;

const fast = { maxAttempts: 3, baseSeconds: 1, capSeconds: 1 };

/** The test `EDGEHOOK` config for a sink at `sinkUrl`. */
export function testConfig(sinkUrl: string) {
  const dest = (path: string, extra: Record<string, unknown> = {}) => ({
    url: `${sinkUrl}${path}`,
    secret: "SINK_SECRET",
    allowPrivateNetwork: true,
    timeoutMs: 2000,
    retry: fast,
    // The breaker stays out of the way except where a test is about it.
    breaker: { failureThreshold: 1000, cooldownSeconds: 1 },
    ...extra,
  });
  return {
    sources: {
      stripe: { provider: "stripe", secrets: ["STRIPE_SECRET", "STRIPE_OLD_SECRET"], destinations: ["ok"] },
      github: { provider: "github", secrets: ["GITHUB_SECRET", "GITHUB_OLD_SECRET"], destinations: ["ok"] },
      sw: { provider: "standard-webhooks", secrets: ["SW_SECRET", "SW_OLD_SECRET"], destinations: ["ok"] },
      acme: { provider: "generic-hmac", secrets: ["GENERIC_SECRET", "GENERIC_OLD_SECRET"], destinations: ["ok"], scheme: ACME_SCHEME },
      fanout: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: ["ok", "ok2"] },
      flaky: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: ["flaky"] },
      doomed: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: ["always500", "rejects"] },
      nowhere: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: [] },
      small: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: [], maxBodyBytes: 1024 },
      typed: {
        provider: "standard-webhooks",
        secrets: ["SW_SECRET"],
        destinations: [],
        eventId: { path: "data.id" },
        orderingKey: { path: "data.customer" },
      },
      // `npm run listen` destinations (test/workers/listen.test.ts).
      heard: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: ["heard"] },
      unheard: { provider: "standard-webhooks", secrets: ["SW_SECRET"], destinations: ["unheard"] },
      ...presetSources(),
      ...deliveryEngineSources(),
      ...hostileSources(),
      ...transformSources(),
      ...workflowSources(),
    },
    destinations: {
      ok: dest("/ok"),
      ok2: dest("/ok2"),
      heard: { kind: "listen", secret: "SINK_SECRET", timeoutMs: 2000, retry: { maxAttempts: 20, baseSeconds: 1, capSeconds: 1 }, breaker: { failureThreshold: 1000, cooldownSeconds: 1 } },
      unheard: { kind: "listen", secret: "SINK_SECRET", timeoutMs: 2000, retry: { maxAttempts: 20, baseSeconds: 1, capSeconds: 1 }, breaker: { failureThreshold: 1000, cooldownSeconds: 1 } },
      flaky: dest("/flaky/2"),
      always500: dest("/fail/500"),
      rejects: dest("/fail/422"),
      breaking: dest("/switch/breaking", { retry: { maxAttempts: 20, baseSeconds: 1, capSeconds: 1 }, breaker: { failureThreshold: 3, cooldownSeconds: 2 } }),
      gone: dest("/switch/gone", { retry: { maxAttempts: 20, baseSeconds: 1, capSeconds: 1 } }),
      limited: dest("/ok-limited", { rateLimit: { perSecond: 10, maxConcurrency: 5 } }),
      batched: dest("/batch", { batch: { maxEvents: 5, maxWaitSeconds: 2 } }),
      faulty: dest("/random/30", { retry: { maxAttempts: 5, baseSeconds: 1, capSeconds: 1 } }),
      healthy: dest("/healthy"),
      large: dest("/large", { timeoutMs: 10_000 }),
      retryAfter: dest("/retry-after/2/1", { retry: { maxAttempts: 3, baseSeconds: 0, capSeconds: 60 } }),
      strictOrder: dest("/strict", { ordering: { mode: "strict", reorderWindowSeconds: 8 } }),
      // Random latency makes concurrent requests overtake each other: order must still hold.
      staleOrder: dest("/jitter/40", { ordering: "drop-stale" }),
      slowStrict: dest("/slow/50", { ordering: { mode: "strict", reorderWindowSeconds: 1 } }),
      poisoned: dest("/poison/POISON", { ordering: { mode: "strict", reorderWindowSeconds: 1 } }),
      outage: dest("/switch/outage", { retry: { maxAttempts: 1, baseSeconds: 1, capSeconds: 1 } }),
      // Hostile-but-valid events (test/workers/poison.test.ts).
      hostile: dest("/hostile"),
      hostileStrict: dest("/hostile-strict", { ordering: { mode: "strict", reorderWindowSeconds: 1 } }),
      stallBody: dest("/stall-body/10000"),
      cutBody: dest("/cut-body"),
      // The hostile-but-valid suite (test/workers/hostile.test.ts): one sink path per scheme family.
      // A long timeout: on a loaded machine a lost answer means a second copy (same webhook-id).
      ...Object.fromEntries(HOSTILE_FAMILIES.map((f) => [`hostile-${f}`, dest(`/hostile/${f}`, { timeoutMs: 10_000 })])),
      "hostile-ordered": dest("/hostile/ordered", { timeoutMs: 10_000, ordering: { mode: "strict", reorderWindowSeconds: 1 } }),
      ...transformDestinations(dest),
      ...workflowDestinations(dest),
    },
    transforms: { ...transformFixtures(sinkUrl), ...workflowTransforms() },
    alerts: testAlerts(sinkUrl),
    // Callback URLs are issued under this base (test/workers/callback*.test.ts post to it).
    settings: { publicUrl: "https://edgehook.test" },
  };
}

/** Transforms of the workerd tests (test/workers/transform*.test.ts). */
export function transformFixtures(sinkUrl: string) {
  const code = (body: string) => ({ code: `export default async function transform(event) {\n${body}\n}\n` });
  return {
    slim: code(`return { payload: { id: event.payload.id, total: event.payload.amount / 100 }, headers: { "x-shaped": "yes" }, eventType: "order.slim", path: "/orders?v=1" };`),
    picky: code(`return event.eventType === "drop.me" ? null : { headers: { "x-kept": "1" } };`),
    throws: code(`throw new Error("boom for " + event.eventId);`),
    spins: code(`while (true) {}`),
    random: code(`return { payload: { r: Math.random(), t: Date.now(), id: event.eventId } };`),
    versioned: code(`return { payload: { version: 2 } };`),
    // The example shipped in the repository, bundled by scripts/transforms.mjs.
    "from-file": { file: "transforms/slim-order.js" },
    // Tries the network (the real local sink) and looks for anything secret in its globals.
    sneaky: code(`let fetched;
try { const r = await fetch(${JSON.stringify(`${sinkUrl}/tx/leak`)}, { method: "POST", body: "leak" }); fetched = "reached " + r.status; }
catch (e) { fetched = "blocked: " + String(e && e.message || e); }
const names = Object.getOwnPropertyNames(globalThis);
const env = typeof process !== "undefined" && process.env ? Object.keys(process.env) : [];
return { payload: { fetched, env, secretLike: names.filter((n) => /SECRET|TOKEN|EDGEHOOK|LEDGER|QUEUE|LOADER/.test(n)) } };`),
  };
}

/** Destinations with transforms; paths under /tx/ at the sink. */
function transformDestinations(dest: (path: string, extra?: Record<string, unknown>) => Record<string, unknown>) {
  return {
    "tx-slim": dest("/tx/slim", { transform: "slim" }),
    "tx-picky": dest("/tx/picky", { transform: "picky" }),
    "tx-throws": dest("/tx/throws", { transform: "throws" }),
    "tx-spins": dest("/tx/spins", { transform: "spins" }),
    "tx-random": dest("/flaky/2/tx-random", { transform: "random" }),
    "tx-versioned": dest("/tx/versioned", { transform: "versioned" }),
    "tx-sneaky": dest("/tx/sneaky", { transform: "sneaky" }),
    "tx-plain": dest("/tx/plain"),
  };
}

/** Sources whose destinations transform; `txroute` sets the transform on its route instead. */
function transformSources() {
  const sw = { provider: "standard-webhooks", secrets: ["SW_SECRET"] };
  return {
    tx: { ...sw, destinations: ["tx-slim", "tx-picky"] },
    txfail: { ...sw, destinations: ["tx-throws", "tx-plain"] },
    txrandom: { ...sw, destinations: ["tx-random"] },
    txsneaky: { ...sw, destinations: ["tx-sneaky"] },
    txroute: { ...sw, destinations: [{ destination: "tx-plain", transform: "picky" }] },
  };
}

/** Alert channels on the sink (test/workers/alerts*.test.ts): a webhook channel that fails each alert's first two tries, and a Slack-shaped one. */
function testAlerts(sinkUrl: string) {
  return {
    channels: {
      hook: { kind: "webhook", url: `${sinkUrl}/flaky/2/alerts`, secret: "SINK_SECRET", allowPrivateNetwork: true },
      team: { kind: "slack", urlSecret: "ALERT_SLACK_URL", allowPrivateNetwork: true },
    },
    rules: { "task.dead": { groupSeconds: 1, cooldownSeconds: 600 } },
    maxPerHour: 40,
    dashboardUrl: "https://edgehook.test",
  };
}

/** Destinations of the callback and chain tests (test/workers/callback*.test.ts, chain*.test.ts). */
function workflowDestinations(dest: (path: string, extra?: Record<string, unknown>) => Record<string, unknown>) {
  const patient = { retry: { maxAttempts: 10, baseSeconds: 1, capSeconds: 1 } };
  return {
    cbJob: dest("/cb/job", { callback: "cbResults", failureCallback: "cbFailures" }),
    cbReject: dest("/fail/422/cb", { callback: "cbResults", failureCallback: "cbFailures" }),
    cbResults: dest("/cb/results"),
    cbFailures: dest("/cb/failures"),
    cbService: dest("/cb/service", { callback: "cbAsync" }),
    cbAsync: dest("/cb/async"),
    cbTxFail: dest("/cb/txfail", { transform: "throws", failureCallback: "cbFailures" }),
    chainA: dest("/random/30/a", { ...patient, callback: "chainB" }),
    chainB: dest("/random/30/b", { ...patient, callback: "chainC", transform: "chain-b" }),
    chainC: dest("/random/30/c", { ...patient, transform: "chain-c" }),
  };
}

/** The transforms between the chain's hops: each step takes what it needs from the previous step's callback event. */
function workflowTransforms() {
  const code = (body: string) => ({ code: `export default function transform(event) {\n${body}\n}\n` });
  return {
    "chain-b": code(`return { payload: { step: "b", order: event.payload.parent.eventId, previous: JSON.parse(event.payload.response.body) }, eventType: "chain.b" };`),
    "chain-c": code(`return { payload: { step: "c", from: event.payload.parent.eventId, hop: event.payload.hop, previous: JSON.parse(event.payload.response.body) }, eventType: "chain.c" };`),
  };
}

/** Sources of the callback and chain tests. */
function workflowSources() {
  const sw = { provider: "standard-webhooks", secrets: ["SW_SECRET"] };
  return {
    cbsrc: { ...sw, destinations: ["cbJob"] },
    cbdead: { ...sw, destinations: ["cbReject"] },
    cbasync: { ...sw, destinations: ["cbService"] },
    cbtx: { ...sw, destinations: ["cbTxFail"] },
    chain: { ...sw, destinations: ["chainA"] },
  };
}

/** Sources for the delivery-engine tests (breaker, pause, rate limit, batching, filters, large bodies). */
function deliveryEngineSources() {
  const sw = { provider: "standard-webhooks", secrets: ["SW_SECRET"] };
  const ordered = { orderingKey: { path: "data.key" }, occurredAt: { path: "data.at" } };
  const fromBody = { eventId: { path: "id" }, eventType: { path: "type" }, orderingKey: { path: "key" } };
  return {
    breaking: { ...sw, destinations: ["breaking"] },
    gone: { ...sw, destinations: ["gone"] },
    limited: { ...sw, destinations: ["limited"] },
    batched: { ...sw, destinations: ["batched"] },
    mixed: { ...sw, destinations: ["faulty", "healthy"] },
    large: { ...sw, destinations: ["large"], maxBodyBytes: 6 * 1024 * 1024 },
    retryAfter: { ...sw, destinations: ["retryAfter"] },
    strict: { ...sw, ...ordered, destinations: ["strictOrder"] },
    stale: { ...sw, ...ordered, destinations: ["staleOrder"] },
    parallel: { ...sw, ...ordered, destinations: ["slowStrict"] },
    poisoned: { ...sw, ...ordered, destinations: ["poisoned"] },
    // Operator surface (test/workers/admin*.test.ts): a destination that fails, then heals.
    outage: { ...sw, destinations: ["outage"] },
    // Identity read from the signed body, so it may hold any character (test/workers/poison.test.ts).
    hostile: { ...sw, ...fromBody, destinations: ["hostile"] },
    hostileStrict: { ...sw, ...fromBody, destinations: ["hostileStrict"] },
    stallBody: { ...sw, destinations: ["stallBody"] },
    cutBody: { ...sw, destinations: ["cutBody"] },
    routed: {
      ...sw,
      destinations: [
        { destination: "ok", types: ["invoice.*"] },
        { destination: "ok2", match: [{ path: "data.currency", in: ["eur", "chf"] }, { path: "data.id", prefix: "inv_" }] },
      ],
    },
  };
}

/** Body limit of the hostile suite's sources: small, so bodies near it stay cheap. */
export const HOSTILE_BODY_LIMIT = 32 * 1024;

/** The URL Twilio signs for the `h-twilio` source (its `publicUrl`). */
export const HOSTILE_TWILIO_URL = "https://hooks.edgehook.example/webhooks/h-twilio";

/** The generic-ed25519 scheme of the `h-ed25519` source: the id header is signed. */
export const HOSTILE_ED_SCHEME = { header: "x-ed-signature", encoding: "base64", template: "{id}.{timestamp}.{body}", timestampHeader: "x-ed-timestamp", idHeader: "x-ed-id" } as const;

const HOSTILE_FAMILIES = ["github", "github-content", "stripe", "slack", "sw", "swpath", "sw1a", "ed25519", "discord", "twilio"] as const;

/** Sources of the hostile-but-valid suite: one per scheme family, each delivering to its own sink path. */
function hostileSources() {
  const limit = { maxBodyBytes: HOSTILE_BODY_LIMIT };
  const to = (family: string) => ({ ...limit, destinations: [`hostile-${family}`] });
  return {
    "h-github": { provider: "github", secrets: ["GITHUB_SECRET"], ...to("github") },
    "h-github-content": { provider: "github", secrets: ["GITHUB_SECRET"], dedupe: "content", ...to("github-content") },
    "h-stripe": { provider: "stripe", secrets: ["STRIPE_SECRET"], ...to("stripe") },
    "h-slack": { provider: "slack", secrets: ["P_SLACK_SECRET"], ...to("slack") },
    "h-sw": { provider: "standard-webhooks", secrets: ["SW_SECRET"], ...to("sw") },
    "h-swpath": { provider: "standard-webhooks", secrets: ["SW_SECRET"], eventId: { path: "data.id" }, orderingKey: { path: "data.key" }, ...to("swpath") },
    "h-sw1a": { provider: "standard-webhooks", secrets: ["P_STANDARD_WEBHOOKS_SECRET"], ...to("sw1a") },
    "h-token": {
      provider: "generic-token",
      secrets: ["P_GENERIC_TOKEN_SECRET"],
      tokenHeader: "x-hostile-token",
      eventId: { path: "id" },
      eventType: { path: "type" },
      orderingKey: { path: "key" },
      occurredAt: { path: "at" },
      ...limit,
      destinations: ["hostile-ordered"],
    },
    "h-ed25519": { provider: "generic-ed25519", secrets: ["P_GENERIC_ED25519_SECRET"], scheme: HOSTILE_ED_SCHEME, ...to("ed25519") },
    "h-discord": { provider: "discord", secrets: ["P_DISCORD_SECRET"], ...to("discord") },
    "h-twilio": { provider: "twilio", secrets: ["P_TWILIO_SECRET"], publicUrl: HOSTILE_TWILIO_URL, ...to("twilio") },
  };
}
