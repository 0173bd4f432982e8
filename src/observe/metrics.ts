/**
 * Optional Workers Analytics Engine data points: written only when a `METRICS` binding is configured
 * (`[[analytics_engine_datasets]] binding = "METRICS"`), never blocking or failing the caller.
 * Schema (docs/operate.md): blob1 kind, blob2 source, blob3 destination, blob4 status, blob5 event type;
 * double1 latency ms, double2 attempts, double3 HTTP status; index1 destination (or source).
 */

/** Bindings for metrics; without `METRICS` nothing is written. */
export interface MetricsEnv {
  METRICS?: AnalyticsEngineDataset;
}

/** One data point. */
export interface MetricPoint {
  kind: "attempt" | "ingest";
  source: string;
  destination?: string;
  status: string;
  eventType?: string;
  latencyMs?: number | null;
  attempts?: number;
  httpStatus?: number | null;
}

/** Write data points to Analytics Engine when configured (synchronous, buffered by the runtime). */
export function writePoints(env: MetricsEnv, points: MetricPoint[]): void {
  const dataset = env.METRICS;
  if (!dataset) return;
  for (const p of points) {
    try {
      dataset.writeDataPoint({
        blobs: [p.kind, p.source, p.destination ?? "", p.status, p.eventType ?? ""],
        doubles: [p.latencyMs ?? 0, p.attempts ?? 0, p.httpStatus ?? 0],
        indexes: [p.destination ?? p.source],
      });
    } catch (error) {
      console.error(JSON.stringify({ msg: "metrics_write_failed", error: String(error) }));
      return;
    }
  }
}
