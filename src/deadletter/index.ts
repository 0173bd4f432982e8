/**
 * Dead-letter stage: messages the delivery queue gave up on (its max_retries ran out, e.g. while the
 * ledger was unreachable) are recorded as dead in their ledger and the index, so nothing goes
 * silently missing.
 */
import { signalAlerts, type AlertSignal } from "../alerts";
import { isDeliveryMessage, recordDead, type DeadEnv } from "../delivery";

/** The dead-letter queue's handler. */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: DeadEnv): Promise<void> {
  const alerts: AlertSignal[] = [];
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      if (!isDeliveryMessage(body)) {
        console.error(JSON.stringify({ msg: "dead_letter_malformed", id: message.id }));
        message.ack();
        return;
      }
      try {
        const status = await recordDead(env, body, "queue_retries_exhausted", alerts);
        console.log(JSON.stringify({ msg: "dead_letter", ledger: body.ledger, destination: body.destination, status }));
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ msg: "dead_letter_error", ledger: body.ledger, error: String(error) }));
        message.retry({ delaySeconds: 30 });
      }
    }),
  );
  if (alerts.length > 0) await signalAlerts(env, alerts); // one AlertCenter request per batch
}
