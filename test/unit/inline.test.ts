import { describe, expect, it } from "vitest";
import { bare, inlineDelivery } from "../../src/delivery/inline";
import type { DeliveryMessage, InlineDelivery } from "../../src/ledger";
import { toBase64 } from "../../src/shared/bytes";

const NOW = 1_800_000_000_000;
const body = new TextEncoder().encode('{"id":"evt_1"}');
const inline: InlineDelivery = {
  webhookId: "msg_a", source: "stripe", eventId: "evt_1", eventType: "invoice.paid", orderingKey: null,
  occurredAt: NOW - 5_000, receivedAt: NOW - 1_000, headers: { "content-type": "application/json" }, payload: toBase64(body), until: NOW + 60_000,
};
const message = (attempts: number, extra: Partial<DeliveryMessage> = {}) =>
  ({ attempts, body: { v: 1, ledger: "stripe:evt_1", destination: "orders", inline, ...extra } }) as unknown as Message<DeliveryMessage>;

describe("inline deliveries", () => {
  it("a first delivery that ends before the deadline attempts from the message", async () => {
    const delivery = await inlineDelivery(message(1), 7_000, NOW);
    expect(delivery).toMatchObject({ webhookId: "msg_a", source: "stripe", eventId: "evt_1", headers: { "content-type": "application/json" } });
    expect(delivery).not.toHaveProperty("until");
    expect([...delivery!.payload]).toEqual([...body]);
  });

  it("claims instead on a redelivery, when the attempt could outlast the deadline, and for a malformed body", async () => {
    expect(await inlineDelivery(message(2), 7_000, NOW)).toBeNull();
    expect(await inlineDelivery(message(1), 60_000, NOW)).toBeNull(); // ends exactly at the deadline: not before it
    expect(await inlineDelivery(message(1), 59_999, NOW)).not.toBeNull();
    expect(await inlineDelivery(message(1, { inline: { ...inline, payload: "not base64!" } }), 7_000, NOW)).toBeNull();
    expect(await inlineDelivery(message(1, { inline: undefined }), 7_000, NOW)).toBeNull();
  });

  it("deferred, parked and sequenced copies carry no inline delivery; the rest of the message is kept", () => {
    const body = message(1, { queuedAt: NOW, key: "cus_1" }).body;
    expect(bare(body)).toEqual({ v: 1, ledger: "stripe:evt_1", destination: "orders", queuedAt: NOW, key: "cus_1" });
    expect(body.inline).toBeDefined(); // the original is not changed
  });
});
