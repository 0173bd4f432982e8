/** Redacted views of sources and destinations: secret names and whether they are set, never values. */
import type { RuntimeDestination, RuntimeSource } from "../config";
import type { GateStatus } from "../gate";

/** A URL without credentials and with query values hidden (they often carry tokens). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "redacted";
      u.password = "";
    }
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, "redacted");
    return u.toString();
  } catch {
    return "(invalid url)";
  }
}

/** The operator view of a destination (`listeners`: CLIs connected to a listen destination, when known). */
export function destinationView(d: RuntimeDestination, gate: GateStatus | null, listeners: number | null = null) {
  return {
    name: d.name,
    kind: d.config.kind,
    url: d.config.url === undefined ? null : redactUrl(d.config.url),
    secret: { name: d.config.secret, set: d.secretValue.length > 0 },
    additionalSecrets: (d.config.additionalSecrets ?? []).map((name, i) => ({ name, set: (d.signingSecrets[i + 1] ?? "").length > 0 })),
    mtlsCertificate: d.config.mtlsCertificate ?? null,
    timeoutMs: d.config.timeoutMs,
    retry: d.config.retry,
    breakerPolicy: d.config.breaker,
    batch: d.config.batch ?? null,
    listeners,
    gate: gate
      ? { paused: gate.paused, pausedReason: gate.pausedReason, breaker: { state: gate.breaker.state, consecutiveFailures: gate.breaker.consecutiveFailures, retryAt: gate.breaker.retryAt }, inFlight: gate.inFlight, parked: gate.parked }
      : null,
  };
}

/** The operator view of a source. */
export function sourceView(s: RuntimeSource) {
  return {
    name: s.name,
    provider: s.config.provider,
    secrets: s.config.secrets.map((name, i) => ({ name, set: (s.secretValues[i] ?? "").length > 0 })),
    destinations: s.config.destinations.map((d) => (typeof d === "string" ? d : d.destination)),
    url: `/webhooks/${s.name}`,
    allowIps: s.config.allowIps ?? null,
  };
}
