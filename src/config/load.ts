/**
 * Turn the raw `EDGEHOOK` var (object or JSON string) plus Worker secrets into a checked runtime
 * config. Fails closed: any problem makes the whole config invalid, with the path of each problem.
 */
import { compileAllowList, type AllowList } from "../ingress";
import { callbackSetupProblems } from "../workflow/graph";
import { decodeEncryptionKey, type EncryptionKey } from "../crypt";
import { credentialHeaders, PRESETS, replayWarning, type Preset } from "../providers";
import { decodeEd25519Seed, decodeKey, type Verifier } from "../verify";
import type { ChannelConfig } from "./alerts";
import { configSchema, type DestinationConfig, type EdgehookConfig, type SourceConfig } from "./schema";
import { duplicateKeys, protoKeys } from "./json-keys";
import { isPrivateHost } from "./network";
import { redactSecretValues } from "./secret-values";

/** A source ready to serve: its preset, its verifier (built once), and its secret values. */
export interface RuntimeSource {
  name: string;
  config: SourceConfig;
  preset: Preset;
  verifier: Verifier;
  secretValues: string[];
  /** The compiled `allowIps`, or null: every address may call. */
  allowList: AllowList | null;
}

/** A destination ready to deliver to, with its signing secret's value. */
export interface RuntimeDestination {
  name: string;
  config: DestinationConfig;
  secretValue: string;
  /** Every signing key's value, in signing order: `secret` then `additionalSecrets` (whsec_ → v1, whsk_ → v1a). */
  signingSecrets: string[];
  /** The `mtlsCertificate` binding deliveries are fetched through, when one is configured. */
  fetcher?: Fetcher;
}

/** An alert channel ready to send to: its URL and (webhook) signing secret's value. */
export interface RuntimeChannel {
  name: string;
  config: ChannelConfig;
  url: string;
  /** The webhook channel's whsec_ key; "" for Slack (its URL is the credential). */
  secretValue: string;
}

/** The checked configuration. */
export interface RuntimeConfig {
  raw: EdgehookConfig;
  sources: ReadonlyMap<string, RuntimeSource>;
  destinations: ReadonlyMap<string, RuntimeDestination>;
  alertChannels: ReadonlyMap<string, RuntimeChannel>;
  /** Payload encryption keys in configured order (empty: encryption off); src/crypt. */
  encryptionKeys: readonly EncryptionKey[];
}

/** Config result: failures are values listing every problem as `path: message`. */
export type ConfigResult = { ok: true; config: RuntimeConfig } | { ok: false; problems: string[] };

/** Parse and check a configuration against the given bindings (pure apart from key-free lookups). */
export function parseConfig(raw: unknown, bindings: Record<string, unknown>): ConfigResult {
  let value = raw;
  const keyProblems: string[] = [];
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      // V8 quotes part of the input in its message; the input may hold a pasted secret.
      const reason = (error as Error).message.replace(/(\.\.\.)?"[\s\S]*"(\.\.\.)?/, "…");
      return { ok: false, problems: [`EDGEHOOK: not valid JSON (${reason})`] };
    }
  }
  if (value === undefined || value === null) {
    return { ok: false, problems: ["EDGEHOOK: not set; add [vars.EDGEHOOK] to wrangler.toml (see docs/configuration.md)"] };
  }
  if (typeof raw === "string") {
    for (const path of duplicateKeys(raw)) keyProblems.push(`EDGEHOOK.${path}: this key is written twice; JSON keeps only the last one silently, so remove one`);
  }
  for (const path of protoKeys(value)) keyProblems.push(`EDGEHOOK.${path}: "__proto__" cannot be used as a name or key (it would be dropped silently); rename it`);
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `EDGEHOOK.${i.path.join(".")}: ${i.message}`);
    return { ok: false, problems: [...keyProblems, ...issues].map(redactSecretValues) };
  }
  const problems: string[] = [...keyProblems];
  const secret = (name: string, path: string): string => {
    const found = bindings[name];
    if (typeof found !== "string" || found.length === 0) {
      // Locally, a value in .dev.vars is not enough: wrangler dev loads only the names in [secrets].required.
      problems.push(`${path}: Worker secret "${name}" is not set (wrangler secret put ${name}; locally, add ${name}=<value> to .dev.vars and "${name}" to [secrets].required in wrangler.toml; npm run check names what is missing)`);
      return "";
    }
    return found;
  };

  const destinations = new Map<string, RuntimeDestination>();
  for (const [name, config] of Object.entries(parsed.data.destinations)) {
    const keys = [
      { secretName: config.secret, path: `EDGEHOOK.destinations.${name}.secret` },
      ...(config.additionalSecrets ?? []).map((n, i) => ({ secretName: n, path: `EDGEHOOK.destinations.${name}.additionalSecrets.${i}` })),
    ];
    const signingSecrets = keys.map(({ secretName, path }) => {
      const value = secret(secretName, path);
      if (value !== "" && !isSigningKey(value)) {
        problems.push(
          `${path}: Worker secret "${secretName}" does not hold a Standard Webhooks key (whsec_ followed by base64 of at least ${MIN_SIGNING_KEY_BYTES} random bytes, or a whsk_ Ed25519 key: base64 of its 32-byte seed or 64-byte seed and public key); no delivery could be signed`,
        );
      }
      return value;
    });
    const secretValue = signingSecrets[0]!;
    if (signingSecrets.filter((v) => v.startsWith("whsk_")).length > MAX_V1A_KEYS) {
      problems.push(`EDGEHOOK.destinations.${name}.additionalSecrets: at most ${MAX_V1A_KEYS} whsk_ (Ed25519) keys per destination; verifiers bound their Ed25519 checks per request (Edgehook's own: 2)`);
    }
    let fetcher: Fetcher | undefined;
    if (config.mtlsCertificate !== undefined) {
      const binding = bindings[config.mtlsCertificate] as { fetch?: unknown } | undefined;
      if (typeof binding?.fetch === "function") fetcher = binding as Fetcher;
      else problems.push(`EDGEHOOK.destinations.${name}.mtlsCertificate: no mTLS certificate binding "${config.mtlsCertificate}" (add [[mtls_certificates]] with binding = "${config.mtlsCertificate}" to wrangler.toml; docs/operate.md, "mTLS to destinations")`);
    }
    if (config.url !== undefined && !config.allowPrivateNetwork && isPrivateHost(new URL(config.url).hostname)) {
      problems.push(`EDGEHOOK.destinations.${name}.url: points at a private or loopback address; set allowPrivateNetwork = true if that is intended`);
    }
    destinations.set(name, { name, config, secretValue, signingSecrets, ...(fetcher ? { fetcher } : {}) });
  }

  problems.push(...callbackSetupProblems(parsed.data, bindings));

  const sources = new Map<string, RuntimeSource>();
  for (const [name, config] of Object.entries(parsed.data.sources)) {
    const preset = PRESETS.get(config.provider);
    if (!preset) {
      problems.push(`EDGEHOOK.sources.${name}.provider: unknown preset "${config.provider}" (see docs/providers.md)`);
      continue;
    }
    const credentials = credentialHeaders(config);
    config.forwardHeaders.forEach((h, i) => {
      if (credentials.includes(h.toLowerCase())) {
        problems.push(`EDGEHOOK.sources.${name}.forwardHeaders.${i}: "${h}" carries this source's credential or signature; it is never forwarded to destinations, so remove it`);
      }
    });
    const secretValues = config.secrets.map((s, i) => secret(s, `EDGEHOOK.sources.${name}.secrets.${i}`));
    let allowList: AllowList | null = null;
    if (config.allowIps) {
      const compiled = compileAllowList(config.allowIps);
      if (compiled.ok) allowList = compiled.list;
      else for (const p of compiled.problems) problems.push(`EDGEHOOK.sources.${name}.allowIps.${p.index}: ${p.message}`);
    }
    sources.set(name, { name, config, preset, verifier: preset.verifier(config), secretValues, allowList });
  }

  const alertChannels = new Map<string, RuntimeChannel>();
  for (const [name, config] of Object.entries(parsed.data.alerts.channels)) {
    const path = `EDGEHOOK.alerts.channels.${name}`;
    const channel = runtimeChannel(name, config, secret(config.kind === "webhook" ? config.secret : config.urlSecret, `${path}.${config.kind === "webhook" ? "secret" : "urlSecret"}`), path);
    if (typeof channel === "string") problems.push(channel);
    else if (channel) alertChannels.set(name, channel);
  }

  const encryptionKeys: EncryptionKey[] = [];
  (parsed.data.settings.encryptionKeys ?? []).forEach((keyName, i) => {
    const path = `EDGEHOOK.settings.encryptionKeys.${i}`;
    const value = secret(keyName, path);
    if (value === "") return;
    const bytes = decodeEncryptionKey(value);
    if (bytes) encryptionKeys.push({ name: keyName, bytes });
    else problems.push(`${path}: Worker secret "${keyName}" does not hold an encryption key (standard base64 of 32 random bytes, e.g. openssl rand -base64 32); the value is not shown`);
  });

  if (problems.length > 0) return { ok: false, problems: problems.map(redactSecretValues) };
  return { ok: true, config: { raw: parsed.data, sources, destinations, alertChannels, encryptionKeys } };
}

/** An alert channel from its config and its secret's value, or the problem (never quoting the value). */
function runtimeChannel(name: string, config: ChannelConfig, value: string, path: string): RuntimeChannel | string | null {
  if (value === "") return null; // already reported as not set
  if (config.kind === "webhook") {
    if (!isSigningKey(value)) return `${path}.secret: Worker secret "${config.secret}" does not hold a Standard Webhooks key (whsec_ followed by base64 of at least ${MIN_SIGNING_KEY_BYTES} random bytes)`;
    if (!config.allowPrivateNetwork && isPrivateHost(new URL(config.url).hostname)) return `${path}.url: points at a private or loopback address; set allowPrivateNetwork = true if that is intended`;
    return { name, config, url: config.url, secretValue: value };
  }
  const url = URL.parse(value.trim());
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return `${path}.urlSecret: Worker secret "${config.urlSecret}" does not hold an http(s) URL (the Slack incoming-webhook URL, https://hooks.slack.com/services/…)`;
  if (!config.allowPrivateNetwork && isPrivateHost(url.hostname)) return `${path}.urlSecret: the URL in Worker secret "${config.urlSecret}" points at a private or loopback address; set allowPrivateNetwork = true if that is intended`;
  return { name, config, url: url.href, secretValue: "" };
}

/** Standard Webhooks keys are 24–64 random bytes (standardwebhooks.com spec, "Signature scheme"). */
const MIN_SIGNING_KEY_BYTES = 24;

/** Ed25519 keys per destination: Edgehook's own v1a verifier checks at most 2 per request (src/verify/limits.ts). */
const MAX_V1A_KEYS = 2;

/** Whether a destination key decodes as the delivery signer decodes it: `whsk_` Ed25519, else `whsec-base64` with enough bytes. */
function isSigningKey(value: string): boolean {
  if (value.startsWith("whsk_")) return decodeEd25519Seed(value) !== null;
  const bytes = decodeKey(value, "whsec-base64");
  return bytes !== null && bytes.byteLength >= MIN_SIGNING_KEY_BYTES;
}

const cache = new WeakMap<object, ConfigResult>();

/**
 * Load the config once per isolate (keyed on the env object, which holds the vars and secrets).
 * @example
 * const result = loadConfig(env);
 * if (!result.ok) console.error(result.problems.join("\n"));
 */
export function loadConfig(env: object): ConfigResult {
  let result = cache.get(env);
  if (!result) {
    const bindings = env as Record<string, unknown>;
    result = parseConfig(bindings.EDGEHOOK, bindings);
    if (!result.ok) console.error(JSON.stringify({ msg: "config_invalid", problems: result.problems }));
    else for (const source of result.config.sources.values()) {
      const warning = replayWarning(source.name, source.config);
      if (warning) console.warn(JSON.stringify({ msg: "config_warning", code: "replay_unprotected", warning }));
    }
    cache.set(env, result);
  }
  return result;
}
