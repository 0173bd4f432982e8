/**
 * Which Worker secret names a configuration refers to, read from the raw `EDGEHOOK` value so they are
 * known even when the schema fails elsewhere.
 */
import { CALLBACK_SECRET_NAME } from "../workflow/graph";

/** A secret name and the config path that refers to it. */
export interface SecretUse {
  name: string;
  path: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every secret name the config refers to (source secrets, verify-token secret, destination signing secrets, the callback token secret, payload encryption keys).
 * @example referencedSecrets({ sources: { s: { secrets: ["A"] } } }) // [{ name: "A", path: "EDGEHOOK.sources.s.secrets.0" }]
 */
export function referencedSecrets(raw: unknown): SecretUse[] {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!isRecord(value)) return [];
  const uses: SecretUse[] = [];
  const add = (name: unknown, path: string) => {
    if (typeof name === "string" && name !== "") uses.push({ name, path });
  };
  for (const [source, config] of Object.entries(isRecord(value.sources) ? value.sources : {})) {
    if (!isRecord(config)) continue;
    if (Array.isArray(config.secrets)) config.secrets.forEach((name, i) => add(name, `EDGEHOOK.sources.${source}.secrets.${i}`));
  }
  for (const [destination, config] of Object.entries(isRecord(value.destinations) ? value.destinations : {})) {
    if (!isRecord(config)) continue;
    add(config.secret, `EDGEHOOK.destinations.${destination}.secret`);
    if (Array.isArray(config.additionalSecrets)) config.additionalSecrets.forEach((name, i) => add(name, `EDGEHOOK.destinations.${destination}.additionalSecrets.${i}`));
    // Callback URLs are signed with one fixed secret (src/workflow, CALLBACK_SECRET_NAME).
    if (config.callback !== undefined) add(CALLBACK_SECRET_NAME, `EDGEHOOK.destinations.${destination}.callback`);
  }
  const alerts = isRecord(value.alerts) && isRecord(value.alerts.channels) ? value.alerts.channels : {};
  for (const [channel, config] of Object.entries(alerts)) {
    if (!isRecord(config)) continue;
    add(config.secret, `EDGEHOOK.alerts.channels.${channel}.secret`);
    add(config.urlSecret, `EDGEHOOK.alerts.channels.${channel}.urlSecret`);
  }
  const settings = isRecord(value.settings) ? value.settings : {};
  if (Array.isArray(settings.encryptionKeys)) settings.encryptionKeys.forEach((name, i) => add(name, `EDGEHOOK.settings.encryptionKeys.${i}`));
  return uses;
}
