/**
 * Preset configuration fails closed at load: unknown presets, missing secrets, and the preset-specific
 * fields (verifyTokenSecret, tokenHeader, scheme) are checked with the path of each problem.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { PRESETS } from "../../src/providers";
import { hubspotUri } from "../../src/providers/special";

const load = (source: Record<string, unknown>, bindings: Record<string, string> = { S: "secret-value", T: "verify-token" }) =>
  parseConfig({ sources: { s: { secrets: ["S"], ...source } } }, bindings);
const problems = (r: ReturnType<typeof parseConfig>) => (r.ok ? [] : r.problems);

describe("preset config", () => {
  it("every preset id loads with the minimal shape (plus its required field)", () => {
    const required: Record<string, Record<string, unknown>> = {
      "generic-hmac": { scheme: { header: "x-sig" } },
      "generic-ed25519": { scheme: { header: "x-sig" } },
      "generic-token": { tokenHeader: "x-token" },
    };
    for (const id of PRESETS.keys()) expect(problems(load({ provider: id, ...required[id] })), id).toEqual([]);
  });
  it("refuses an unknown preset and a missing secret", () => {
    expect(problems(load({ provider: "stripe-v9" }))).toEqual([expect.stringContaining('EDGEHOOK.sources.s.provider: unknown preset "stripe-v9"')]);
    expect(problems(load({ provider: "slack" }, {}))).toEqual([expect.stringContaining('Worker secret "S" is not set')]);
  });
  it("meta: verifyTokenSecret must be one of secrets, and must be set", () => {
    expect(problems(load({ provider: "meta", verifyTokenSecret: "T" }))).toEqual([expect.stringContaining("EDGEHOOK.sources.s.verifyTokenSecret")]);
    expect(problems(load({ provider: "meta", secrets: ["S", "T"], verifyTokenSecret: "T" }, { S: "x" }))).toEqual([expect.stringContaining('Worker secret "T" is not set')]);
    expect(problems(load({ provider: "meta", secrets: ["S", "T"], verifyTokenSecret: "T" }))).toEqual([]);
  });
  it("generic presets need their scheme / tokenHeader; other presets refuse a scheme", () => {
    expect(problems(load({ provider: "generic-ed25519" }))).toEqual([expect.stringContaining("EDGEHOOK.sources.s.scheme: generic-ed25519 needs a scheme")]);
    expect(problems(load({ provider: "generic-token" }))).toEqual([expect.stringContaining("EDGEHOOK.sources.s.tokenHeader")]);
    expect(problems(load({ provider: "github", scheme: { header: "x" } }))).toEqual([expect.stringContaining("EDGEHOOK.sources.s.scheme")]);
  });
  it("publicUrl and keyUrl must be http(s) URLs", () => {
    expect(problems(load({ provider: "twilio", publicUrl: "not a url" }))[0]).toContain("EDGEHOOK.sources.s.publicUrl");
    expect(problems(load({ provider: "plaid", keyUrl: "ftp://x/y" }))[0]).toContain("EDGEHOOK.sources.s.keyUrl");
  });
});

describe("hubspot v3 URI form", () => {
  it("decodes only the listed escapes, case-insensitively", () => {
    expect(hubspotUri("https://h.example/hook?u=a%3Ab%2Fc%3fd%40e%21%24%27%28%29%2A%2C%3B")).toBe("https://h.example/hook?u=a:b/c?d@e!$'()*,;");
    expect(hubspotUri("https://h.example/hook?q=a%20b%26c")).toBe("https://h.example/hook?q=a%20b%26c");
  });
});
