import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";

const secrets = { STRIPE_WEBHOOK_SECRET: "whsec_x", ORDERS_SIGNING_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
// The minimal shape of DESIGN.md, verbatim.
const minimal = {
  sources: { stripe: { provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], destinations: ["orders"] } },
  destinations: { orders: { url: "https://orders.internal.example/hooks", secret: "ORDERS_SIGNING_SECRET" } },
};

describe("parseConfig", () => {
  it("accepts DESIGN.md's minimal shape and fills documented defaults", () => {
    const result = parseConfig(minimal, secrets);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const source = result.config.sources.get("stripe")!;
    expect(source.config.toleranceSeconds).toBe(300);
    expect(source.secretValues).toEqual(["whsec_x"]);
    const orders = result.config.destinations.get("orders")!;
    expect(orders.config).toMatchObject({ timeoutMs: 10_000, retry: { maxAttempts: 15, baseSeconds: 60, capSeconds: 86_400 } });
    expect(result.config.raw.settings).toEqual({ dedupeWindowSeconds: 604_800, redriveAfterSeconds: 300, maxBodyBytes: 1_048_576, logLinesPerSecond: 20, indexRetentionDays: 30, maxHops: 8 });
  });

  it("accepts the same object as a JSON string", () => {
    const result = parseConfig(JSON.stringify(minimal), secrets);
    expect(result.ok).toBe(true);
  });

  it("reports invalid JSON", () => {
    const result = parseConfig("{sources:", secrets);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problems[0]).toMatch(/^EDGEHOOK: not valid JSON/);
  });

  it("reports a missing EDGEHOOK", () => {
    const result = parseConfig(undefined, secrets);
    expect(!result.ok && result.problems[0]).toMatch(/EDGEHOOK: not set/);
  });

  it("lists every problem with its path", () => {
    const bad = {
      sources: {
        stripe: { provider: "stripe", secrets: [], destinations: ["nope"] },
        gh: { provider: "github", secrets: ["whsec_looks_like_a_value!"], destinations: [] },
      },
      destinations: { orders: { url: "ftp://x.example", secret: "ORDERS_SIGNING_SECRET", colour: "red" } },
    };
    const result = parseConfig(bad, secrets);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join("\n");
    expect(text).toContain("EDGEHOOK.sources.stripe.secrets: at least one secret name");
    expect(text).toContain("EDGEHOOK.sources.gh.secrets.0: looks like a secret value, not the name of a Worker secret");
    expect(text).not.toContain("whsec_looks_like_a_value");
    expect(text).toContain("EDGEHOOK.destinations.orders.url");
    expect(text).toContain("EDGEHOOK.destinations.orders");
    expect(text).toMatch(/colour/);
  });

  it("fails closed on an unknown preset", () => {
    const result = parseConfig({ ...minimal, sources: { x: { provider: "stripe-ish", secrets: ["STRIPE_WEBHOOK_SECRET"] } } }, secrets);
    expect(!result.ok && result.problems).toEqual(['EDGEHOOK.sources.x.provider: unknown preset "stripe-ish" (see docs/providers.md)']);
  });

  it("fails closed on a missing Worker secret, naming it but never a value", () => {
    const result = parseConfig(minimal, { ORDERS_SIGNING_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
    expect(!result.ok && result.problems).toEqual([
      'EDGEHOOK.sources.stripe.secrets.0: Worker secret "STRIPE_WEBHOOK_SECRET" is not set (wrangler secret put STRIPE_WEBHOOK_SECRET; locally, add STRIPE_WEBHOOK_SECRET=<value> to .dev.vars and "STRIPE_WEBHOOK_SECRET" to [secrets].required in wrangler.toml; npm run check names what is missing)',
    ]);
  });

  it("refuses a destination that is not defined", () => {
    const result = parseConfig({ ...minimal, destinations: {} }, secrets);
    expect(!result.ok && result.problems).toEqual(['EDGEHOOK.sources.stripe.destinations.0: destination "orders" is not defined under destinations']);
  });

  it("refuses private-network destinations unless allowed", () => {
    for (const host of ["127.0.0.1:8788", "localhost", "10.1.2.3", "192.168.0.10", "172.20.0.1", "[::1]", "169.254.169.254"]) {
      const config = { ...minimal, destinations: { orders: { url: `http://${host}/hooks`, secret: "ORDERS_SIGNING_SECRET" } } };
      const result = parseConfig(config, secrets);
      expect(!result.ok && result.problems[0], host).toMatch(/private or loopback address/);
      const allowed = { ...minimal, destinations: { orders: { ...config.destinations.orders, allowPrivateNetwork: true } } };
      expect(parseConfig(allowed, secrets).ok, host).toBe(true);
    }
  });

  it("needs a scheme for generic-hmac and refuses one elsewhere", () => {
    const generic = parseConfig({ ...minimal, sources: { g: { provider: "generic-hmac", secrets: ["STRIPE_WEBHOOK_SECRET"] } } }, secrets);
    expect(!generic.ok && generic.problems).toEqual(["EDGEHOOK.sources.g.scheme: generic-hmac needs a scheme"]);
    const stray = parseConfig(
      { ...minimal, sources: { s: { provider: "stripe", secrets: ["STRIPE_WEBHOOK_SECRET"], scheme: { header: "x-sig" } } } },
      secrets,
    );
    expect(!stray.ok && stray.problems[0]).toMatch(/scheme is only for providers? "generic-hmac"/);
  });

  it("checks the generic template has {body} exactly once", () => {
    const result = parseConfig(
      { ...minimal, sources: { g: { provider: "generic-hmac", secrets: ["STRIPE_WEBHOOK_SECRET"], scheme: { header: "x", template: "{timestamp}" } } } },
      secrets,
    );
    expect(!result.ok && result.problems[0]).toMatch(/EDGEHOOK.sources.g.scheme.template: template must contain \{body\} exactly once/);
  });
});
