/** Callback config (docs/workflows.md): loops and over-long chains refused at load; the token secret and public URL required. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { nextHop } from "../../src/workflow/envelope";

const KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const bindings = { S: "whsec_x", K: KEY, EDGEHOOK_CALLBACK_SECRET: "a-callback-secret-of-32-characters!!" };
const dest = (extra: Record<string, unknown> = {}) => ({ url: "https://svc.example/hook", secret: "K", ...extra });

/** A config with the given destinations, a source routed to the first, and a public URL. */
function config(destinations: Record<string, Record<string, unknown>>, settings: Record<string, unknown> = { publicUrl: "https://hooks.example" }) {
  return { sources: { src: { provider: "stripe", secrets: ["S"], destinations: [Object.keys(destinations)[0]] } }, destinations, settings };
}

const problems = (raw: unknown, b: Record<string, unknown> = bindings) => {
  const result = parseConfig(raw, b);
  return result.ok ? [] : result.problems;
};

describe("callback config", () => {
  it("accepts a chain A → B → C with a failure callback, and fills the defaults", () => {
    const result = parseConfig(config({ a: dest({ callback: "b", failureCallback: "c" }), b: dest({ callback: "c" }), c: dest() }), bindings);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.destinations.get("a")!.config).toMatchObject({ callback: "b", failureCallback: "c", callbackTtlSeconds: 86_400 });
    expect(result.config.raw.settings.maxHops).toBe(8);
  });

  it("refuses loops: a self-callback, a two-step loop, a loop through a failure callback", () => {
    expect(problems(config({ a: dest({ callback: "a" }) }))).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.a\.callback: callbacks form a loop \(a → a\)/)]);
    expect(problems(config({ a: dest({ callback: "b" }), b: dest({ callback: "a" }) }))).toEqual([expect.stringMatching(/loop \(a → b → a\)/)]);
    expect(problems(config({ a: dest({ callback: "b" }), b: dest({ failureCallback: "c" }), c: dest({ callback: "b" }) }))).toEqual([expect.stringMatching(/loop \(b → c → b\)/)]);
  });

  it("refuses a chain longer than settings.maxHops, and accepts it once maxHops allows", () => {
    const chain = { a: dest({ callback: "b" }), b: dest({ callback: "c" }), c: dest({ callback: "d" }), d: dest() };
    expect(problems(config(chain, { publicUrl: "https://hooks.example", maxHops: 2 }))).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.a\.callback: a chain starting here has 3 callback hops, more than settings\.maxHops \(2\)/)]);
    expect(problems(config(chain, { publicUrl: "https://hooks.example", maxHops: 3 }))).toEqual([]);
  });

  it("refuses an unknown target, a batched destination with a callback, and a token outliving the dedupe window", () => {
    expect(problems(config({ a: dest({ callback: "nope" }) }))).toEqual([expect.stringMatching(/destinations\.a\.callback: destination "nope" is not defined/)]);
    expect(problems(config({ a: dest({ failureCallback: "b", batch: { maxEvents: 5 } }), b: dest() }))).toEqual([expect.stringMatching(/destinations\.a\.batch: .*cannot have callback or failureCallback/)]);
    expect(problems(config({ a: dest({ callback: "b", callbackTtlSeconds: 7200 }), b: dest() }, { publicUrl: "https://hooks.example", dedupeWindowSeconds: 3600 }))).toEqual([expect.stringMatching(/callbackTtlSeconds: must be at most settings\.dedupeWindowSeconds \(3600\)/)]);
  });

  it("fails closed without the token secret (named) or the public URL; a failure callback alone needs neither", () => {
    const { EDGEHOOK_CALLBACK_SECRET: _, ...without } = bindings;
    expect(problems(config({ a: dest({ callback: "b" }), b: dest() }), without)).toEqual([expect.stringMatching(/Worker secret "EDGEHOOK_CALLBACK_SECRET" is not set/)]);
    expect(problems(config({ a: dest({ callback: "b" }), b: dest() }), { ...bindings, EDGEHOOK_CALLBACK_SECRET: "short" })).toEqual([expect.stringMatching(/shorter than 32 characters/)]);
    expect(problems(config({ a: dest({ callback: "b" }), b: dest() }, {}))).toEqual([expect.stringMatching(/^EDGEHOOK\.settings\.publicUrl: needed by/)]);
    expect(problems(config({ a: dest({ failureCallback: "b" }), b: dest() }, {}), without)).toEqual([]);
    // The secret's value never appears in a problem.
    expect(problems(config({ a: dest({ callback: "b" }), b: dest() }, {})).join("\n")).not.toContain(bindings.EDGEHOOK_CALLBACK_SECRET);
  });

  it("refuses at run time what config could not see: past the hop limit, or back onto the path", () => {
    expect(nextHop({ hop: 0, path: [] }, "a", "b", 8)).toEqual({ hop: 1, path: ["a"] });
    expect(nextHop({ hop: 8, path: [] }, "a", "b", 8)).toMatchObject({ hop: 9, refused: "hop_limit" });
    expect(nextHop({ hop: 2, path: ["a", "b"] }, "c", "a", 8)).toMatchObject({ hop: 3, path: ["a", "b", "c"], refused: "cycle" });
  });
});
