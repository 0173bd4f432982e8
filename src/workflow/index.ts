/**
 * Workflow stage: callbacks (a task's outcome becomes an event for another destination),
 * asynchronous results posted to `edgehook-callback-url`, and chains of them (docs/workflows.md).
 */
export { CALLBACK_SOURCE, callbackEnvelope, callbackEventId, chainOf, nextHop, parentOf, type CallbackKind, type ChainPosition, type ParentTask } from "./envelope";
export { childIds, sendCallbackEvent, sendDeadCallback, sendOutcomeCallback, withCallbackUrl, type WorkflowEnv } from "./emit";
export { CALLBACK_SECRET_NAME, callbackGraphProblems, callbackSetupProblems } from "./graph";
export { acceptCallbackResult, checkCallbackToken, CALLBACK_RESULT_BYTES, type ResultFailure } from "./result";
export { signCallbackToken, verifyCallbackToken, type CallbackClaims } from "./token";
export { eventLinks, type ChildLink, type EventLinks } from "./links";
