/** Gate stage: per-destination circuit breaker, pause switch and rate limit, one Durable Object per destination. */
export { DestinationGate, type Admission, type GateChange, type GateReport, type GateSettings, type GateStatus } from "./gate";
export { breakerAllowance, breakerRecord, CLOSED, takeTokens, type BreakerPolicy, type BreakerState, type Bucket, type RatePolicy } from "./policy";
