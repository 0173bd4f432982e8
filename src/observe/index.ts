/** Observe stage: structured, redacted logs with request ids, and optional Analytics Engine points. */
export { DEFAULT_PII_FIELDS, logLine, redact, REDACTED, redactFieldsFrom, requestIdOf, withRequestId } from "./log";
export { writePoints, type MetricPoint, type MetricsEnv } from "./metrics";
export { LogThrottle, type ThrottleVerdict } from "./throttle";
