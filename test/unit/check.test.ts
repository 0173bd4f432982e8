import { describe, expect, it } from "vitest";
import { addRequiredSecrets, checkConfig, referencedSecrets } from "../../src/check";

const KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8G";
const config = {
  sources: { shop: { provider: "stripe", secrets: ["SHOP_STRIPE_SECRET"], destinations: ["orders"] } },
  destinations: { orders: { url: "https://orders.example.com/hooks", secret: "ORDERS_SIGNING_SECRET" } },
};
const local = (values: Record<string, string>) => ({ where: "local" as const, values });

describe("checkConfig (local: .dev.vars and [secrets].required)", () => {
  it("passes a config whose secrets are all in .dev.vars and listed as required", () => {
    const report = checkConfig({ edgehook: config, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY }) });
    expect(report).toEqual({ problems: [], warnings: [], notRequired: [], missingSecrets: [] });
  });

  it("names a secret that is in .dev.vars but missing from [secrets].required (the wrangler dev trap), with the fix", () => {
    const report = checkConfig({ edgehook: config, required: ["ORDERS_SIGNING_SECRET"], secrets: local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.notRequired).toEqual(["SHOP_STRIPE_SECRET"]);
    expect(report.problems).toEqual([
      'EDGEHOOK.sources.shop.secrets.0: Worker secret "SHOP_STRIPE_SECRET" has a value in .dev.vars but is not listed in [secrets].required of wrangler.toml, and wrangler dev loads from .dev.vars only the names listed there; add "SHOP_STRIPE_SECRET" to that list (npm run check -- --fix does it)',
    ]);
  });

  it("names a secret with no value in .dev.vars, at its config path, with both fixes", () => {
    const report = checkConfig({ edgehook: config, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: local({ ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: Worker secret "SHOP_STRIPE_SECRET" is not set .*SHOP_STRIPE_SECRET=<value> to \.dev\.vars and "SHOP_STRIPE_SECRET" to \[secrets\]\.required/)]);
  });

  it("names a required name without a value that the config does not use", () => {
    const report = checkConfig({ edgehook: config, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET", "ADMIN_TOKEN"], secrets: local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.problems).toEqual(['[secrets].required: "ADMIN_TOKEN" has no value in .dev.vars; add ADMIN_TOKEN=<value> to .dev.vars']);
  });

  it("has no required-list problems when wrangler.toml has no [secrets] table (wrangler dev then loads every .dev.vars name)", () => {
    const report = checkConfig({ edgehook: config, required: undefined, secrets: local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.problems).toEqual([]);
  });

  it("an mtlsCertificate passes when wrangler.toml declares that [[mtls_certificates]] binding, and is named when it does not", () => {
    const withMtls = { ...config, destinations: { orders: { ...config.destinations.orders, mtlsCertificate: "ORDERS_MTLS" } } };
    const values = local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY });
    expect(checkConfig({ edgehook: withMtls, required: undefined, secrets: values, mtlsBindings: ["ORDERS_MTLS"] }).problems).toEqual([]);
    expect(checkConfig({ edgehook: withMtls, required: undefined, secrets: values }).problems).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.orders\.mtlsCertificate: no mTLS certificate binding "ORDERS_MTLS"/)]);
  });

  it("reports schema problems with their path, and still the secret-list ones", () => {
    const bad = { ...config, sources: { shop: { ...config.sources.shop, toleranceSeconds: "300" } } };
    const report = checkConfig({ edgehook: bad, required: ["ORDERS_SIGNING_SECRET"], secrets: local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.toleranceSeconds: /), expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: .*not listed in \[secrets\]\.required/)]);
  });

  it("checks destination URLs against the network policy and signing keys by value", () => {
    const privateUrl = { ...config, destinations: { orders: { ...config.destinations.orders, url: "http://10.0.0.7/hooks" } } };
    const values = local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: "not-a-key" });
    const report = checkConfig({ edgehook: privateUrl, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: values });
    expect(report.problems).toEqual([
      expect.stringMatching(/^EDGEHOOK\.destinations\.orders\.secret: .*does not hold a Standard Webhooks key/),
      expect.stringMatching(/^EDGEHOOK\.destinations\.orders\.url: points at a private or loopback address/),
    ]);
  });
});

describe("checkConfig (remote: the deployed worker's secret names)", () => {
  it("names secrets the deployed worker lacks, never needing their values", () => {
    const report = checkConfig({ edgehook: config, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: { where: "remote", names: ["ORDERS_SIGNING_SECRET"] } });
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: Worker secret "SHOP_STRIPE_SECRET" is not set \(wrangler secret put SHOP_STRIPE_SECRET;/)]);
  });

  it("passes when every name is set, and warns about a loopback destination a deployed worker cannot reach", () => {
    const loopback = { ...config, destinations: { orders: { ...config.destinations.orders, url: "http://127.0.0.1:8788/hooks", allowPrivateNetwork: true } } };
    const report = checkConfig({ edgehook: loopback, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: { where: "remote", names: ["ORDERS_SIGNING_SECRET", "SHOP_STRIPE_SECRET"] } });
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.orders\.url: .*cannot reach it/)]);
  });

  it("names a required secret that is not set remotely", () => {
    const report = checkConfig({ edgehook: config, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET", "ADMIN_TOKEN"], secrets: { where: "remote", names: ["ORDERS_SIGNING_SECRET", "SHOP_STRIPE_SECRET"] } });
    expect(report.problems).toEqual(['[secrets].required: "ADMIN_TOKEN" is not set on the deployed worker; run wrangler secret put ADMIN_TOKEN']);
    expect(report.missingSecrets).toEqual(["ADMIN_TOKEN"]);
  });
});

describe("referencedSecrets", () => {
  it("finds names in the JSON string form and ignores non-strings", () => {
    expect(referencedSecrets(JSON.stringify({ sources: { a: { secrets: ["A", 3] } }, destinations: { d: { secret: "D" } } }))).toEqual([
      { name: "A", path: "EDGEHOOK.sources.a.secrets.0" },
      { name: "D", path: "EDGEHOOK.destinations.d.secret" },
    ]);
    expect(referencedSecrets("{not json")).toEqual([]);
  });

  it("names the callback token secret for a destination with a callback (no config field names it)", () => {
    expect(referencedSecrets({ sources: {}, destinations: { job: { secret: "J", callback: "done" }, done: { secret: "D", failureCallback: "job" } } })).toEqual([
      { name: "J", path: "EDGEHOOK.destinations.job.secret" },
      { name: "EDGEHOOK_CALLBACK_SECRET", path: "EDGEHOOK.destinations.job.callback" },
      { name: "D", path: "EDGEHOOK.destinations.done.secret" },
    ]);
  });
});

describe("addRequiredSecrets", () => {
  it("appends missing names once, keeping the rest of the file byte for byte", () => {
    const toml = '[secrets]\nrequired = ["A", "B"] # why\n\n[vars]\nX = "required = [1]"\n';
    expect(addRequiredSecrets(toml, ["C", "A", "C"])).toBe('[secrets]\nrequired = ["A", "B", "C"] # why\n\n[vars]\nX = "required = [1]"\n');
  });

  it("rewrites a multi-line list and adds the key to a table without one", () => {
    expect(addRequiredSecrets('[secrets]\nrequired = [\n  "A",\n]\n', ["B"])).toBe('[secrets]\nrequired = ["A", "B"]\n');
    expect(addRequiredSecrets('[secrets]\n[vars]\n', ["B"])).toBe('[secrets]\nrequired = ["B"]\n[vars]\n');
  });

  it("returns null when there is no [secrets] table", () => {
    expect(addRequiredSecrets('name = "x"\n', ["B"])).toBeNull();
  });
});

describe("checkConfig (one problem per path)", () => {
  it("reports a secret neither in .dev.vars nor required once, and still lists it for --fix", () => {
    const report = checkConfig({ edgehook: config, required: ["ORDERS_SIGNING_SECRET"], secrets: local({ ORDERS_SIGNING_SECRET: KEY }) });
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.sources\.shop\.secrets\.0: Worker secret "SHOP_STRIPE_SECRET" is not set /)]);
    expect(report.notRequired).toEqual(["SHOP_STRIPE_SECRET"]);
    expect(report.missingSecrets).toEqual(["SHOP_STRIPE_SECRET"]);
  });
});

describe("checkConfig (every place a secret name can be)", () => {
  it("follows additional signing secrets, alert channel secrets and the callback secret into [secrets].required", () => {
    const more = {
      ...config,
      destinations: { orders: { ...config.destinations.orders, additionalSecrets: ["ORDERS_NEXT_KEY"] } },
      alerts: { channels: { ops: { kind: "slack", urlSecret: "OPS_SLACK_URL" } } },
    };
    const uses = referencedSecrets(more).map((u) => u.name);
    expect(uses).toEqual(["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET", "ORDERS_NEXT_KEY", "OPS_SLACK_URL"]);
    const callbacks = { sources: {}, destinations: { a: { secret: "A", callback: "b" }, b: { secret: "B", callback: "a" } } };
    expect(referencedSecrets(callbacks).map((u) => u.name)).toEqual(["A", "EDGEHOOK_CALLBACK_SECRET", "B", "EDGEHOOK_CALLBACK_SECRET"]);
    const report = checkConfig({ edgehook: more, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: { where: "remote", names: uses } });
    expect(report.notRequired).toEqual(["ORDERS_NEXT_KEY", "OPS_SLACK_URL"]);
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.destinations\.orders\.additionalSecrets\.0: .*"ORDERS_NEXT_KEY" is not listed/), expect.stringMatching(/^EDGEHOOK\.alerts\.channels\.ops\.urlSecret: .*"OPS_SLACK_URL" is not listed/)]);
  });
});

describe("checkConfig (secret names the loader asks for)", () => {
  it("follows settings.encryptionKeys through the worker's own loader into [secrets].required, and checks remotely with a key-shaped stand-in", () => {
    const encrypted = { ...config, settings: { encryptionKeys: ["AT_REST_KEY"] } };
    const values = local({ SHOP_STRIPE_SECRET: "whsec_a", ORDERS_SIGNING_SECRET: KEY, AT_REST_KEY: btoa("k".repeat(32)) });
    const report = checkConfig({ edgehook: encrypted, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET"], secrets: values });
    expect(report.notRequired).toEqual(["AT_REST_KEY"]);
    expect(report.problems).toEqual([expect.stringMatching(/^EDGEHOOK\.settings\.encryptionKeys\.0: Worker secret "AT_REST_KEY" has a value in \.dev\.vars but is not listed/)]);
    const remote = checkConfig({ edgehook: encrypted, required: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET", "AT_REST_KEY"], secrets: { where: "remote", names: ["SHOP_STRIPE_SECRET", "ORDERS_SIGNING_SECRET", "AT_REST_KEY"] } });
    expect(remote.problems).toEqual([]);
  });
});
