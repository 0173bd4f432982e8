/**
 * Metrics stage: per-isolate counters of ingest answers and delivery attempts, reject samples, and
 * histograms, flushed coalesced to the MetricsStore Durable Object; the Prometheus scrape endpoint
 * (`GET /metrics`) and the reads behind stats and the rejected-requests view.
 */
export { MetricsStore, KEEP_PER_SOURCE, MINUTES_KEPT, type MetricsSnapshot } from "./store";
export { AUTH_FAILURE_CODES, countIngest, countReject, INGEST_COUNTER, UNKNOWN_SOURCE, type IngestResult, type RejectInfo } from "./ingest";
export { DELIVERY_COUNTER, FIRST_DELIVERY_HISTOGRAM, LATENCY_HISTOGRAM, recordDeliveries, statusClass, type AttemptFacts } from "./delivery";
export { FLUSH_AFTER_MS, flushNow, metricsStore, type MetricsStoreEnv, type WaitUntil } from "./flush";
export { readRejections, readSnapshot } from "./read";
export { labelText, renderExposition, EXPOSITION_CONTENT_TYPE, type Gauges } from "./exposition";
export { BUCKETS_SECONDS, MAX_HEADER_NAMES, parseSeries, SAMPLES_PER_WINDOW, seriesKey, type Delta, type HistogramState, type RejectSample } from "./tally";
export { authFailureSignals, type AuthFailureSignal } from "./signals";
export { counterSlis, PRICE, type CounterSlis } from "./slis";
