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
      ...presetSources(),
      ...deliveryEngineSources(),
    },
    destinations: {
      ok: dest("/ok"),
      ok2: dest("/ok2"),
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
    },
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
