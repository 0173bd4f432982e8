// Example transform (docs/workflows.md): Stripe payment intents → { id, total, currency } for an
// orders service; events without an amount are dropped (recorded as `filtered`).
// Use it with `[vars.EDGEHOOK.transforms.slim-order] file = "transforms/slim-order.js"`.
export default function transform(event) {
  const intent = event.payload?.data?.object ?? {};
  if (!intent.amount) return null;
  return {
    payload: { id: intent.id, total: intent.amount / 100, currency: intent.currency },
    eventType: "order.paid",
  };
}
