/** Ledger stage: exactly-once acceptance and per-destination task state, one Durable Object per event. */
export { EventLedger, firstMessages } from "./ledger";
export { MAX_CONFLICT_COPIES, recordConflict } from "./conflicts";
export { ledgerName, planDeliveries, webhookIdFor } from "./plan";
export type {
  AcceptInput, AcceptResult, EncryptionView, InlineSeal, PayloadAnswer, AttemptRecord, ConflictCopy, Conflicts, ClaimResult, Delivery, DeliveryMessage, InlineDelivery, EventRecord, LedgerView, Outcome, ReplayOptions, ReplayResult, TaskStatus, TaskView, TransformedDelivery, TransformNote,
} from "./types";
