/**
 * `npm run send -- <preset> --print` signs a realistic sample for every preset (with demo secrets);
 * the signatures themselves are proven by the signer's contract, vector and SDK suites.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";

// npm scripts run on the node@22 devDependency (type stripping for test/support/signer.ts).
const NODE22 = resolve("node_modules/.bin/node");

describe("npm run send -- <preset> --print", () => {
  it.each([...PRESETS.keys()].filter((id) => !id.startsWith("generic-")))("%s", (preset) => {
    const out = execFileSync(NODE22, ["scripts/send.mjs", preset, "--print"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const printed = JSON.parse(out) as { preset: string; url: string; headers: Record<string, string>; body: string };
    expect(printed.preset).toBe(preset);
    expect(printed.body.length).toBeGreaterThan(10);
    expect(Object.keys(printed.headers).length).toBeGreaterThan(0);
  });

  it("sends to a configured source and explains a missing one", () => {
    let error = "";
    try {
      execFileSync(NODE22, ["scripts/send.mjs", "no-such-source"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      error = String((e as { stderr: string }).stderr);
    }
    expect(error).toContain('no source "no-such-source"');
  });
});
