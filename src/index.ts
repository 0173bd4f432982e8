/**
 * Edgehook worker entry: HTTP ingest, the delivery consumer, the dead-letter consumer, and the
 * EventLedger Durable Object class.
 */
import { handleDeadLetterBatch } from "./deadletter";
import { handleDeliveryBatch } from "./delivery";
import { createApp } from "./ingest";

export { DestinationGate } from "./gate";
export { EventLedger } from "./ledger";
export { KeySequencer } from "./ordering";

const app = createApp();

/** Dead-letter queue name prefix, as in wrangler.toml (module exports must be handlers only). */
const DEAD_LETTER_QUEUE = "edgehook-dead";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.startsWith(DEAD_LETTER_QUEUE)) await handleDeadLetterBatch(batch, env);
    else await handleDeliveryBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
