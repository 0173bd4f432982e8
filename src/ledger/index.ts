/** Ledger stage: exactly-once acceptance and per-destination task state, one Durable Object per event. */
export { EventLedger } from "./ledger";
export { ledgerName, planDeliveries, webhookIdFor } from "./plan";
export type {
  AcceptInput, AcceptResult, AttemptRecord, ClaimResult, Delivery, DeliveryMessage, EventRecord, LedgerView, Outcome, ReplayOptions, ReplayResult, TaskStatus, TaskView,
} from "./types";
