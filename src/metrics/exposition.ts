/**
 * Prometheus text exposition (format 0.0.4) of the store's counters and histograms plus the gauges
 * read at scrape time. Pure: snapshot and gauges in, text out.
 */
import { DELIVERY_COUNTER, FIRST_DELIVERY_HISTOGRAM, LATENCY_HISTOGRAM } from "./delivery";
import { INGEST_COUNTER } from "./ingest";
import type { MetricsSnapshot } from "./store";
import { BUCKETS_SECONDS, parseSeries, type Labels } from "./tally";

/** The `Content-Type` of the exposition. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Gauges read when scraped; a `null` figure (its source unavailable) is left out. */
export interface Gauges {
  pending: number | null;
  oldestPendingAgeSeconds: number | null;
  dead: number | null;
  destinations: { destination: string; breaker: "closed" | "open" | "half-open"; paused: boolean; parked: number }[];
  /** Alerts raised by type, when the alerts stage reports them. */
  alerts?: Record<string, number>;
}

const COUNTERS: Record<string, string> = {
  [INGEST_COUNTER]: "Answers of POST /webhooks/<source> by source, result (accepted, duplicate, conflict, handshake, unavailable, rejected) and reject reason code.",
  [DELIVERY_COUNTER]: "Delivery attempts by destination, outcome (delivered, retry, dead) and HTTP status class (none: no response).",
};
const HISTOGRAMS: Record<string, string> = {
  [LATENCY_HISTOGRAM]: "Duration of delivery attempts, by destination.",
  [FIRST_DELIVERY_HISTOGRAM]: "Time from acceptance to successful delivery of a task, by destination.",
};

/** A label value escaped as the format requires (backslash, double quote, newline). */
function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `{a="1",b="2"}` of the non-empty labels, sorted by name; empty when none. */
export function labelText(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .filter((k) => labels[k] !== "")
    .map((k) => `${k}="${escapeValue(labels[k]!)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function header(lines: string[], name: string, type: string, help: string): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** Render the exposition. Series of one metric are adjacent; metrics without series print no lines. */
export function renderExposition(snapshot: MetricsSnapshot, gauges: Gauges): string {
  const lines: string[] = [];
  const byName = new Map<string, { labels: Labels; key: string }[]>();
  for (const key of [...Object.keys(snapshot.totals), ...Object.keys(snapshot.histograms)]) {
    const { name, labels } = parseSeries(key);
    byName.set(name, [...(byName.get(name) ?? []), { labels, key }]);
  }
  const sorted = (name: string) => (byName.get(name) ?? []).sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)));
  for (const [name, help] of Object.entries(COUNTERS)) {
    header(lines, name, "counter", help);
    for (const s of sorted(name)) lines.push(`${name}${labelText(s.labels)} ${snapshot.totals[s.key] ?? 0}`);
  }
  for (const [name, help] of Object.entries(HISTOGRAMS)) {
    header(lines, name, "histogram", help);
    for (const s of sorted(name)) {
      const h = snapshot.histograms[s.key];
      if (!h) continue;
      let cumulative = 0;
      BUCKETS_SECONDS.forEach((le, i) => {
        cumulative += h.buckets[i] ?? 0;
        lines.push(`${name}_bucket${labelText({ ...s.labels, le: String(le) })} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${h.count}`);
      lines.push(`${name}_sum${labelText(s.labels)} ${h.sum}`, `${name}_count${labelText(s.labels)} ${h.count}`);
    }
  }
  if (gauges.alerts) {
    header(lines, "edgehook_alerts_total", "counter", "Alerts raised, by type.");
    for (const type of Object.keys(gauges.alerts).sort()) lines.push(`edgehook_alerts_total${labelText({ type })} ${gauges.alerts[type]}`);
  }
  const single = (name: string, help: string, value: number | null) => {
    if (value === null) return;
    header(lines, name, "gauge", help);
    lines.push(`${name} ${value}`);
  };
  single("edgehook_tasks_pending", "Tasks waiting for delivery (event index).", gauges.pending);
  single("edgehook_oldest_pending_age_seconds", "Age of the oldest pending task, 0 without any (event index).", gauges.oldestPendingAgeSeconds);
  single("edgehook_tasks_dead", "Dead tasks in the dead-letter list (event index).", gauges.dead);
  const ds = [...gauges.destinations].sort((a, b) => a.destination.localeCompare(b.destination));
  header(lines, "edgehook_breaker_state", "gauge", "Circuit breaker state per destination: 1 for the current state, 0 for the others.");
  for (const d of ds) for (const state of ["closed", "half-open", "open"]) lines.push(`edgehook_breaker_state${labelText({ destination: d.destination, state })} ${d.breaker === state ? 1 : 0}`);
  header(lines, "edgehook_destination_paused", "gauge", "1 while a destination is paused (410 Gone or an operator), else 0.");
  for (const d of ds) lines.push(`edgehook_destination_paused${labelText({ destination: d.destination })} ${d.paused ? 1 : 0}`);
  header(lines, "edgehook_tasks_parked", "gauge", "Tasks parked in a paused destination's gate.");
  for (const d of ds) lines.push(`edgehook_tasks_parked${labelText({ destination: d.destination })} ${d.parked}`);
  return `${lines.join("\n")}\n`;
}
