/**
 * Secret values pasted where a secret NAME belongs (issue 12 item 9): refused with the path and what
 * is wrong, never echoed, neither in the problems nor in the `config_invalid` log line.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig, parseConfig } from "../../src/config";
import { looksLikeSecretValue, redactSecretValues } from "../../src/config/secret-values";

const VALUES = [
  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  "sk_live_51HxQ2bLkdIwHu7ixABCDEF",
  "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
  "dGVzdC1zaW5rLXNpZ25pbmcta2V5LTAwMDAwMDAx+/==",
  "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
  "whsk_abc",
];
const NAMES = ["STRIPE_WEBHOOK_SECRET", "P_PAYPAL_WEBHOOK_ID", "ORDERS_SIGNING_SECRET", "stripeWebhookSigningSecret2", "GITHUB_SECRET_2024_V2", "SINK_SIGNING_SECRET", "S0", "MY_APP_HMAC_KEY_PRODUCTION_EU_WEST_1"];

describe("looksLikeSecretValue", () => {
  it.each(VALUES)("%s is a value", (v) => expect(looksLikeSecretValue(v)).toBe(true));
  it.each(NAMES)("%s is a name", (n) => expect(looksLikeSecretValue(n)).toBe(false));
  it("redactSecretValues keeps paths and names, hides values", () => {
    expect(redactSecretValues('EDGEHOOK.destinations.orders.breaker.failureThreshold: Unrecognized key: "sk_live_51HxQ2bLkdIwHu7ixABCDEF" (see STRIPE_WEBHOOK_SECRET)')).toBe(
      'EDGEHOOK.destinations.orders.breaker.failureThreshold: Unrecognized key: "<value not shown>" (see STRIPE_WEBHOOK_SECRET)',
    );
  });
});

describe("a secret value where a name belongs", () => {
  const minimal = (secret: string) => ({
    sources: { gh: { provider: "github", secrets: ["GITHUB_SECRET", secret], destinations: ["d"] } },
    destinations: { d: { url: "https://hooks.example.com/x", secret: "D" } },
  });
  const bindings = { GITHUB_SECRET: "x", D: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
  afterEach(() => vi.restoreAllMocks());

  it.each(VALUES)("%s is refused with its path and never echoed", (value) => {
    const result = parseConfig(minimal(value), bindings);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(["EDGEHOOK.sources.gh.secrets.1: looks like a secret value, not the name of a Worker secret (store it with wrangler secret put SOME_NAME and list SOME_NAME here; the value is not shown)"]);
  });

  it("the config_invalid log line carries neither the value nor any part of it", () => {
    const value = "sk_live_51HxQ2bLkdIwHu7ixABCDEF";
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    const env = { EDGEHOOK: JSON.stringify(minimal(value)), ...bindings };
    expect(loadConfig(env).ok).toBe(false);
    expect(lines.join("\n")).toMatch(/config_invalid.*EDGEHOOK\.sources\.gh\.secrets\.1: looks like a secret value/);
    expect(lines.join("\n")).not.toContain("51HxQ2bLkdIwHu7ix");
  });

  it("other names fail with the naming rule, not echoed either", () => {
    const result = parseConfig(minimal("my secret!"), bindings);
    expect(!result.ok && result.problems).toEqual(["EDGEHOOK.sources.gh.secrets.1: must be the NAME of a Worker secret (letters, digits and _, not starting with a digit)"]);
  });

  it("a value pasted into a destination secret or verifyTokenSecret is refused the same way", () => {
    const value = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const result = parseConfig({ ...minimal("GITHUB_SECRET"), destinations: { d: { url: "https://hooks.example.com/x", secret: value } } }, bindings);
    expect(!result.ok && result.problems.join("\n")).toMatch(/^EDGEHOOK\.destinations\.d\.secret: looks like a secret value/);
    expect(!result.ok && result.problems.join("\n")).not.toContain(value.slice(6));
  });

  it("invalid JSON never quotes the input", () => {
    const result = parseConfig('{"sources": whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}', bindings);
    expect(!result.ok && result.problems[0]).toMatch(/^EDGEHOOK: not valid JSON/);
    expect(!result.ok && result.problems.join("\n")).not.toContain("MfKQ9r8");
  });
});
