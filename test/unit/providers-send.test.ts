/**
 * `npm run send -- <preset> --print` signs a realistic sample for every preset (with demo secrets);
 * the signatures themselves are proven by the signer's contract, vector and SDK suites. Every preset
 * goes through the script's own request builder in this process (the repo's config read once); the
 * CLI itself is run as a process for a print and a missing source.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";
// @ts-expect-error plain ESM script without types
import { prepareSend, readEdgehook } from "../../scripts/send.mjs";

// npm scripts run on the node@22 devDependency (type stripping for test/support/signer.ts).
const NODE22 = resolve("node_modules/.bin/node");

type Prepared = { errors?: string[]; preset: string; target: string; signed: { headers: Record<string, string>; body: Uint8Array } };
const edgehook = await readEdgehook("wrangler.toml");

describe("npm run send -- <preset> --print", () => {
  it.each([...PRESETS.keys()].filter((id) => !id.startsWith("generic-")))("%s", async (preset) => {
    const prepared = (await prepareSend({ name: preset, print: true, config: "wrangler.toml" }, edgehook, {})) as Prepared;
    expect(prepared.errors).toBeUndefined();
    expect(prepared.preset).toBe(preset);
    expect(new TextDecoder().decode(prepared.signed.body).length).toBeGreaterThan(10);
    expect(Object.keys(prepared.signed.headers).length).toBeGreaterThan(0);
  });

  it("the CLI prints a signed request as JSON", () => {
    const out = execFileSync(NODE22, ["scripts/send.mjs", "shopify", "--print"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const printed = JSON.parse(out) as { preset: string; url: string; headers: Record<string, string>; body: string };
    expect(printed.preset).toBe("shopify");
    expect(printed.url).toBe("http://127.0.0.1:8787/webhooks/shopify");
    expect(printed.headers["x-shopify-hmac-sha256"]).toBeTruthy();
    expect(printed.body.length).toBeGreaterThan(10);
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
