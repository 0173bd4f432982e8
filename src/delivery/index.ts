/** Delivery stage: the queue consumer, outbound signing and the pure retry policy. */
export { handleDeliveryBatch, isDeliveryMessage, processMessage, type DeliveryEnv } from "./consumer";
export { backoffSeconds, classifyResponse, errorClass, parseRetryAfter, MAX_QUEUE_DELAY_SECONDS, type AttemptResult, type Decision } from "./classify";
export { signStandardWebhook } from "./sign";
export { outboundHeaders, sendDelivery, SNIPPET_BYTES } from "./send";
