/** The `alerts` config section: defaults when absent, channels checked at load (secrets, keys, private addresses), rule channel names. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";

const KEY = "whsec_dGVzdC1zaW5rLXNpZ25pbmcta2V5LTAwMDAwMDAx";
const base = { sources: { s: { provider: "standard-webhooks", secrets: ["S"], destinations: [] } } };
const bindings = { S: KEY, OPS: KEY, SLACK: "https://hooks.slack.com/services/T0/B0/x" };
const parse = (alerts: unknown, extra: Record<string, unknown> = {}) => parseConfig({ ...base, alerts }, { ...bindings, ...extra });
const problems = (alerts: unknown, extra: Record<string, unknown> = {}) => {
  const r = parse(alerts, extra);
  return r.ok ? [] : r.problems;
};

describe("alerts config", () => {
  it("every rule is on with its defaults when the section is absent", () => {
    const r = parseConfig(base, bindings);
    if (!r.ok) throw new Error(r.problems.join("\n"));
    const { rules, maxPerHour, channels } = r.config.raw.alerts;
    expect(Object.values(rules).every((rule) => rule.enabled)).toBe(true);
    expect(rules["source.auth_failures"]).toMatchObject({ threshold: 10, windowSeconds: 300 });
    expect(rules["backlog.stalled"]).toMatchObject({ thresholdSeconds: 900 });
    expect(rules["delivery.success_rate"]).toMatchObject({ targetPercent: 95, windowSeconds: 900, minAttempts: 20 });
    expect(rules["task.dead"]).toMatchObject({ groupSeconds: 30, cooldownSeconds: 900, sampleIds: 5 });
    expect(maxPerHour).toBe(60);
    expect(channels).toEqual({});
    expect(r.config.alertChannels.size).toBe(0);
  });

  it("loads a webhook and a Slack channel with their secrets' values", () => {
    const r = parse({ channels: { ops: { kind: "webhook", url: "https://ops.example.com/h", secret: "OPS" }, team: { kind: "slack", urlSecret: "SLACK" } }, rules: { "task.dead": { channels: ["team"] } } });
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(r.config.alertChannels.get("ops")).toMatchObject({ url: "https://ops.example.com/h", secretValue: KEY });
    expect(r.config.alertChannels.get("team")).toMatchObject({ url: "https://hooks.slack.com/services/T0/B0/x", secretValue: "" });
  });

  it("refuses, with the path and without the value: a missing secret, a non-whsec key, a Slack secret that is no URL, private addresses, unknown rule channels and types", () => {
    expect(problems({ channels: { ops: { kind: "webhook", url: "https://ops.example.com/h", secret: "NOPE" } } })).toEqual([expect.stringMatching(/^EDGEHOOK\.alerts\.channels\.ops\.secret: Worker secret "NOPE" is not set/)]);
    const weak = problems({ channels: { ops: { kind: "webhook", url: "https://ops.example.com/h", secret: "OPS" } } }, { OPS: "not-a-key-value" });
    expect(weak).toEqual([expect.stringContaining("EDGEHOOK.alerts.channels.ops.secret: Worker secret \"OPS\" does not hold a Standard Webhooks key")]);
    expect(weak.join()).not.toContain("not-a-key-value");
    const slack = problems({ channels: { team: { kind: "slack", urlSecret: "SLACK" } } }, { SLACK: "xoxb-secret-token-value" });
    expect(slack).toEqual([expect.stringContaining("EDGEHOOK.alerts.channels.team.urlSecret: Worker secret \"SLACK\" does not hold an http(s) URL")]);
    expect(slack.join()).not.toContain("xoxb");
    expect(problems({ channels: { ops: { kind: "webhook", url: "http://127.0.0.1:9/h", secret: "OPS" } } })).toEqual([expect.stringContaining("private or loopback")]);
    expect(problems({ channels: { ops: { kind: "webhook", url: "http://127.0.0.1:9/h", secret: "OPS", allowPrivateNetwork: true } } })).toEqual([]);
    expect(problems({ channels: { team: { kind: "slack", urlSecret: "SLACK" } } }, { SLACK: "http://10.0.0.1/x" })).toEqual([expect.stringContaining("private or loopback")]);
    expect(problems({ rules: { "backlog.stalled": { channels: ["pager"] } } })).toEqual([expect.stringContaining('EDGEHOOK.alerts.rules.backlog.stalled.channels.0: channel "pager" is not defined')]);
    expect(problems({ rules: { "task.deadd": {} } })).toEqual([expect.stringContaining("EDGEHOOK.alerts.rules")]);
    expect(problems({ channels: { ops: { kind: "email", to: "x@example.com" } } }).length).toBe(1);
  });
});
