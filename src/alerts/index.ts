/**
 * Alert stage: signals from other stages (dead tasks, breaker and pause transitions, verification
 * failures, attempt counts) become alerts on transitions only, grouped and rate-capped, sent to
 * webhook and Slack channels with retries by the AlertCenter Durable Object. docs/operate.md, "Alerts".
 */
export type { AlertSignal, Alert, OpenCondition } from "./types";
export { signalAlerts, alertCenter, type AlertsEnv } from "./signal";
export { AlertCenter, HISTORY_LIMIT, type AlertRecord } from "./center";
export { applySignals, applyBacklog, evaluate, nextWake, EMPTY_STATE, type AlertState, type DeadGroup, type Draft } from "./policy";
export { slackMessage, webhookPayload } from "./format";
export { channelBackoffMs, CHANNEL_MAX_TRIES, type SendResult } from "./channels";
export { gateSignals, reportAlerts, TALLY_FLUSH_MS } from "./step";
