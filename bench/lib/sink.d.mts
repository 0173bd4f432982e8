/** Per-name counters of the bench sink. */
export interface SinkStats {
  count: number;
  /** Requests per `webhook-id`. */
  ids: Map<string, number>;
  latencies: number[];
}
export function startBenchSink(): Promise<{ url: string; stats(name: string): SinkStats; reset(name: string): void; close(): Promise<void> }>;
export function percentile(values: number[], q: number): number;
