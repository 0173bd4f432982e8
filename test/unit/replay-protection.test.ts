/** Which schemes sign the id or a timestamp, the config-load warning when neither is, and the docs' table. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { loadConfig, parseConfig } from "../../src/config";
import { sourceSchema } from "../../src/config/schema";
import { PRESETS, REPLAY_FACTS, replayFacts, replayWarning } from "../../src/providers";

const source = (fields: Record<string, unknown>) => sourceSchema.parse({ secrets: ["S"], ...fields });
const GENERIC = { header: "x-sig", idHeader: "x-id" };

describe("replay facts", () => {
  it("cover every preset (the generic ones are read from their scheme)", () => {
    const listed = new Set(Object.keys(REPLAY_FACTS));
    for (const id of PRESETS.keys()) if (!id.startsWith("generic-") || id === "generic-token") expect(listed, id).toContain(id);
    for (const id of listed) expect(PRESETS.has(id), id).toBe(true);
  });

  it("GitHub signs neither its delivery id nor a timestamp; Stripe and Standard Webhooks sign both", () => {
    expect(replayFacts(source({ provider: "github" }))).toMatchObject({ idSigned: false, timestampSigned: false });
    expect(replayFacts(source({ provider: "stripe" }))).toMatchObject({ idSigned: true, timestampSigned: true });
    expect(replayFacts(source({ provider: "standard-webhooks" }))).toMatchObject({ idSigned: true, timestampSigned: true });
  });

  it("generic-hmac signs idHeader only when the template has {id}, and a timestamp only with {timestamp}", () => {
    expect(replayFacts(source({ provider: "generic-hmac", scheme: GENERIC }))).toMatchObject({ idSigned: false, timestampSigned: false });
    expect(replayFacts(source({ provider: "generic-hmac", scheme: { ...GENERIC, template: "{id}.{body}" } })).idSigned).toBe(true);
    expect(replayFacts(source({ provider: "generic-hmac", scheme: { ...GENERIC, timestampHeader: "x-ts" } })).timestampSigned).toBe(false);
    expect(replayFacts(source({ provider: "generic-hmac", scheme: { ...GENERIC, timestampHeader: "x-ts", template: "{timestamp}.{body}" } })).timestampSigned).toBe(true);
    expect(replayFacts(source({ provider: "generic-hmac", scheme: { header: "x-sig" } })).idSigned).toBe(true); // id = body hash
  });

  it("an eventId override is signed only where the scheme signs it", () => {
    expect(replayFacts(source({ provider: "github", eventId: { path: "hook_id" } })).idSigned).toBe(true);
    expect(replayFacts(source({ provider: "stripe", eventId: { header: "x-anything" } })).idSigned).toBe(false);
    expect(replayFacts(source({ provider: "standard-webhooks", eventId: { header: "Webhook-Id" } })).idSigned).toBe(true);
    expect(replayFacts(source({ provider: "telegram", eventId: { path: "update_id" } })).idSigned).toBe(false);
  });
});

describe("the config-load warning", () => {
  it("names a source with neither a signed id nor a signed timestamp, unless it dedupes on content", () => {
    expect(replayWarning("gh", source({ provider: "github" }))).toContain('EDGEHOOK.sources.gh: neither the event id nor a timestamp is signed (X-GitHub-Delivery is not signed)');
    expect(replayWarning("gh", source({ provider: "github", dedupe: "content" }))).toBeUndefined();
    expect(replayWarning("acme", source({ provider: "generic-hmac", scheme: GENERIC }))).toContain('dedupe = "content"');
    expect(replayWarning("stripe", source({ provider: "stripe" }))).toBeUndefined();
    expect(replayWarning("linear", source({ provider: "linear" }))).toBeUndefined(); // the body's timestamp is signed
  });

  it("is a log line at load, not an error", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const env = { EDGEHOOK: { sources: { gh: { provider: "github", secrets: ["GH"] }, st: { provider: "stripe", secrets: ["ST"] } } }, GH: "x", ST: "whsec_x" };
      expect(loadConfig(env).ok).toBe(true);
      const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])) as { msg: string; code: string; warning: string });
      expect(lines).toEqual([{ msg: "config_warning", code: "replay_unprotected", warning: expect.stringContaining("EDGEHOOK.sources.gh:") }]);
    } finally {
      warn.mockRestore();
    }
  });

  it("dedupe accepts id or content, nothing else", () => {
    const config = (dedupe: unknown) => ({ sources: { gh: { provider: "github", secrets: ["GH"], dedupe } } });
    expect(parseConfig(config("content"), { GH: "x" }).ok).toBe(true);
    expect(parseConfig(config("id"), { GH: "x" }).ok).toBe(true);
    const bad = parseConfig(config("body"), { GH: "x" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join("\n")).toContain("EDGEHOOK.sources.gh.dedupe");
  });
});

describe("docs/providers.md", () => {
  const table = readFileSync(fileURLToPath(new URL("../../docs/providers.md", import.meta.url).href), "utf8");
  const section = table.slice(table.indexOf("## Replay protection"));
  const yesNo = (b: boolean) => (b ? "yes" : "**no**");

  it.each(Object.entries(REPLAY_FACTS))("states what %s signs, as the code does", (id, facts) => {
    const row = section.split("\n").find((line) => line.startsWith(`| \`${id}\` |`));
    expect(row, id).toBeDefined();
    const cells = row!.split("|").map((c) => c.trim());
    expect(cells[2]).toBe(yesNo(facts.idSigned));
    expect(cells[3]).toBe(yesNo(facts.timestampSigned));
  });
});
