/** Delivery stage: the queue consumer, outbound signing and the pure retry policy. */
export { gateSettings, handleDeliveryBatch, isDeliveryMessage, type DeliveryEnv } from "./consumer";
export { finishAttempt, type ClaimedTask, type Health } from "./attempt";
export { batchIdOf, envelopeOf, sendBatchDelivery, type BatchEnvelope } from "./batch";
export { backoffSeconds, classifyResponse, errorClass, parseRetryAfter, MAX_QUEUE_DELAY_SECONDS, type AttemptResult, type Decision } from "./classify";
export { isAsymmetricKey, publicKeyOf, signStandardWebhook } from "./sign";
export { outboundHeaders, postSigned, sendDelivery, signHeaders, unbuildable, CALLBACK_BODY_BYTES, CALLBACK_RESPONSE_HEADERS, SNIPPET_BYTES, SNIPPET_WAIT_MS } from "./send";
export { deadReason, endPoisoned, isTransient, poisonVerdict, recordDead, POISON_AFTER_ATTEMPTS, type DeadEnv } from "./poison";
