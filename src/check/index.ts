/**
 * Check stage: the offline configuration check behind `npm run check`, `npm run dev` and `npm run
 * deploy`. It runs the worker's own config code (parseConfig) against the secrets wrangler would give
 * the worker, and adds what the worker cannot see: names missing from `[secrets].required`.
 */
import { isPrivateHost, parseConfig } from "../config";
import { referencedSecrets, type SecretUse } from "./secrets";

export { addRequiredSecrets } from "./required";
export { referencedSecrets, type SecretUse } from "./secrets";

/** Where the secrets come from: .dev.vars values (local), or the deployed worker's secret names (remote). */
export type SecretSource = { where: "local"; values: Record<string, string> } | { where: "remote"; names: readonly string[] };

/**
 * What to check: the EDGEHOOK var as wrangler reads it, `[secrets].required` (undefined: no `[secrets]`
 * table), the secrets, and the binding names of wrangler.toml's `[[mtls_certificates]]`.
 */
export interface CheckInput {
  edgehook: unknown;
  required: readonly string[] | undefined;
  secrets: SecretSource;
  /** Binding names of wrangler.toml's `[[mtls_certificates]]`: present on the worker, so `mtlsCertificate` may name them. */
  mtlsBindings?: readonly string[];
}

/** Check result: each problem as `path: message and fix`; warnings do not fail; `notRequired` is what `--fix` adds; `missingSecrets` have no value. */
export interface CheckReport {
  problems: string[];
  warnings: string[];
  notRequired: string[];
  missingSecrets: string[];
}

/**
 * Well-formed values standing in for remote secrets, whose values are never readable: a Standard
 * Webhooks key (also long enough for the callback secret), or a URL where the secret holds one.
 */
const REMOTE_PLACEHOLDER = `whsec_${btoa("edgehook-check-remote-placeholder-key")}`;
const REMOTE_URL_PLACEHOLDER = "https://hooks.slack.com/services/edgehook-check-placeholder";
const REMOTE_KEY_PLACEHOLDER = btoa("edgehook-check-placeholder-32-b!"); // 32 bytes, as settings.encryptionKeys want

/**
 * Every secret use: the fields read from the raw config, plus whatever the worker's own loader asks
 * for (its "Worker secret X is not set" problems with no secrets bound), so a secret-name field added
 * to the config later is followed without a change here.
 */
function secretUses(edgehook: unknown): SecretUse[] {
  const uses = referencedSecrets(edgehook);
  const probe = parseConfig(edgehook, {});
  for (const problem of probe.ok ? [] : probe.problems) {
    const m = /^(\S+): Worker secret "([A-Za-z_][A-Za-z0-9_]*)" is not set/.exec(problem);
    if (m && !uses.some((u) => u.name === m[2] && u.path === m[1])) uses.push({ name: m[2]!, path: m[1]! });
  }
  return uses;
}

/**
 * Check a configuration offline, as the worker will load it.
 * @example checkConfig({ edgehook, required: ["A"], secrets: { where: "local", values: { A: "x" } } }).problems // []
 */
export function checkConfig(input: CheckInput): CheckReport {
  const { secrets, required } = input;
  const local = secrets.where === "local";
  const has = (name: string) => (local ? Object.hasOwn(secrets.values, name) && secrets.values[name] !== "" : secrets.names.includes(name));
  const uses = secretUses(input.edgehook);
  const usedAt = (name: string, suffix: RegExp) => uses.some((u) => u.name === name && suffix.test(u.path));
  const placeholder = (name: string) => (usedAt(name, /\.urlSecret$/) ? REMOTE_URL_PLACEHOLDER : usedAt(name, /\.encryptionKeys\.\d+$/) ? REMOTE_KEY_PLACEHOLDER : REMOTE_PLACEHOLDER);
  const bindings: Record<string, unknown> = local ? { ...secrets.values } : Object.fromEntries(secrets.names.map((n) => [n, placeholder(n)]));
  // Offline there is no binding object, only its declaration: a stand-in with fetch is enough for parseConfig.
  for (const name of input.mtlsBindings ?? []) bindings[name] = { fetch: () => Promise.reject(new Error("check only")) };
  const result = parseConfig(input.edgehook, bindings);
  const problems = result.ok ? [] : [...result.problems];
  const warnings: string[] = [];
  const notRequired: string[] = [];

  if (required) {
    for (const { name, path } of uses) {
      if (required.includes(name) || notRequired.includes(name)) continue;
      notRequired.push(name);
      if (!has(name)) continue; // parseConfig's "not set" at this path already names both steps
      const where = local ? ` has a value in .dev.vars but` : "";
      problems.push(
        `${path}: Worker secret "${name}"${where} is not listed in [secrets].required of wrangler.toml, and wrangler dev loads from .dev.vars only the names listed there; add "${name}" to that list (npm run check -- --fix does it)`,
      );
    }
    for (const name of required) {
      if (has(name) || uses.some((u) => u.name === name)) continue; // a referenced name missing is already reported at its path
      problems.push(local ? `[secrets].required: "${name}" has no value in .dev.vars; add ${name}=<value> to .dev.vars` : `[secrets].required: "${name}" is not set on the deployed worker; run wrangler secret put ${name}`);
    }
  }
  if (!local && result.ok) {
    for (const [name, destination] of result.config.destinations) {
      const url = destination.config.url;
      if (url !== undefined && isPrivateHost(new URL(url).hostname)) {
        warnings.push(`EDGEHOOK.destinations.${name}.url: a private or loopback address; a deployed Worker cannot reach it, so point it at the destination's public URL`);
      }
    }
  }
  const missingSecrets = [...new Set([...uses.map((u) => u.name), ...(required ?? [])])].filter((name) => !has(name));
  return { problems, warnings, notRequired, missingSecrets };
}
