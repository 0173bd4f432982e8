/**
 * Dead-letter stage: messages the delivery queue gave up on (its max_retries ran out, e.g. while the
 * ledger was unreachable) are recorded as dead in their ledger, so nothing goes silently missing.
 */
import { isDeliveryMessage, type DeliveryEnv } from "../delivery";

type DeadLetterEnv = Pick<DeliveryEnv, "EVENT_LEDGER">;

/** The dead-letter queue's handler. */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: DeadLetterEnv): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      if (!isDeliveryMessage(body)) {
        console.error(JSON.stringify({ msg: "dead_letter_malformed", id: message.id }));
        message.ack();
        return;
      }
      try {
        const ledger = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(body.ledger));
        const status = await ledger.markDead(body.destination, "queue_retries_exhausted");
        console.log(JSON.stringify({ msg: "dead_letter", ledger: body.ledger, destination: body.destination, status }));
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ msg: "dead_letter_error", ledger: body.ledger, error: String(error) }));
        message.retry({ delaySeconds: 30 });
      }
    }),
  );
}
