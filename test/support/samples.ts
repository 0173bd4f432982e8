/**
 * Realistic sample payloads per preset (fresh ids each call), shaped like each provider's documented
 * payload so identification has something to find. Used by tests and `npm run send`.
 */

const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 24);
const iso = (now: number) => new Date(now).toISOString();

type Sample = (type: string | undefined, now: number) => unknown;

const SAMPLES: Record<string, Sample> = {
  stripe: (type, now) => ({
    id: `evt_${rand()}`,
    object: "event",
    api_version: "2026-10-28",
    created: Math.floor(now / 1000),
    type: type ?? "payment_intent.succeeded",
    livemode: false,
    pending_webhooks: 1,
    data: { object: { id: `pi_${rand()}`, object: "payment_intent", amount: 2000, currency: "usd", status: "succeeded" } },
  }),
  github: (type) => ({
    action: type ?? "opened",
    issue: { number: 42, title: "Webhook deliveries are delayed", state: "open" },
    repository: { id: 1296269, full_name: "octo-org/octo-repo" },
    sender: { login: "octocat" },
  }),
  gitlab: (type) => ({ object_kind: type ?? "merge_request", project: { path_with_namespace: "group/app" }, object_attributes: { iid: 7, action: "open" } }),
  bitbucket: () => ({ repository: { full_name: "team/repo" }, push: { changes: [{ new: { name: "main" } }] }, actor: { nickname: "dev" } }),
  shopify: () => ({ id: Math.floor(Math.random() * 1e12), admin_graphql_api_id: `gid://shopify/Order/${rand()}`, email: "buyer@example.com", total_price: "42.00", currency: "EUR" }),
  slack: (type, now) => ({ token: "x", team_id: "T0001", api_app_id: "A0001", type: "event_callback", event_id: `Ev${rand()}`, event_time: Math.floor(now / 1000), event: { type: type ?? "app_mention", channel: "C0001", user: "U0001", text: "hi" } }),
  twilio: () => `MessageSid=SM${rand()}&AccountSid=AC${rand()}&From=%2B14155550100&To=%2B14155550199&Body=Hello+from+Twilio&NumMedia=0`,
  discord: () => ({ id: String(BigInt(Date.now()) << 22n), application_id: "1000000000000000000", type: 2, token: rand(), data: { name: "ping" }, guild_id: "2000000000000000000" }),
  square: (type, now) => ({ merchant_id: "MLEFBHHSJGVHD", type: type ?? "payment.updated", event_id: crypto.randomUUID(), created_at: iso(now), data: { type: "payment", id: rand(), object: {} } }),
  paddle: (type, now) => ({ event_id: `evt_${rand()}`, event_type: type ?? "transaction.completed", occurred_at: iso(now), notification_id: `ntf_${rand()}`, data: { id: `txn_${rand()}`, status: "completed" } }),
  linear: (type, now) => ({ action: type ?? "create", type: "Issue", createdAt: iso(now), webhookTimestamp: now, webhookId: crypto.randomUUID(), data: { id: crypto.randomUUID(), title: "Bug" }, url: "https://linear.app/x" }),
  intercom: (type, now) => ({ type: "notification_event", id: `notif_${rand()}`, topic: type ?? "conversation.user.created", app_id: "abc123", created_at: Math.floor(now / 1000), data: { item: { id: rand() } } }),
  sendgrid: (type, now) =>
    [{ email: "user@example.com", event: type ?? "delivered", sg_event_id: rand(), sg_message_id: `${rand()}.filter`, timestamp: Math.floor(now / 1000) }],
  mailgun: (type, now) => ({ "event-data": { id: rand(), event: type ?? "delivered", timestamp: now / 1000, message: { headers: { "message-id": `${rand()}@mg.example.com` } } } }),
  postmark: (type, now) => ({ RecordType: type ?? "Delivery", MessageID: crypto.randomUUID(), Recipient: "user@example.com", DeliveredAt: iso(now) }),
  zoom: (type, now) => ({ event: type ?? "meeting.started", event_ts: now, payload: { account_id: "acc", object: { id: 123456789, uuid: rand() } } }),
  hubspot: (type, now) => [{ eventId: Math.floor(Math.random() * 1e9), subscriptionId: 12345, portalId: 62515, occurredAt: now, subscriptionType: type ?? "contact.creation", attemptNumber: 0, objectId: 123, changeSource: "CRM" }],
  twitch: (type, now) => ({ subscription: { id: crypto.randomUUID(), type: type ?? "channel.follow", version: "2", status: "enabled", created_at: iso(now) }, event: { user_id: "1337", broadcaster_user_id: "1" } }),
  typeform: (type, now) => ({ event_id: rand(), event_type: type ?? "form_response", form_response: { form_id: "lT4Z3j", submitted_at: iso(now), answers: [] } }),
  calendly: (type, now) => ({ event: type ?? "invitee.created", created_at: iso(now), payload: { uri: `https://api.calendly.com/scheduled_events/${rand()}/invitees/${rand()}`, email: "guest@example.com" } }),
  vercel: (type, now) => ({ id: `evt_${rand()}`, type: type ?? "deployment.succeeded", createdAt: now, payload: { deployment: { id: `dpl_${rand()}` } }, region: "fra1" }),
  sentry: (type) => ({ action: type ?? "created", data: { issue: { id: String(Math.floor(Math.random() * 1e9)), title: "TypeError" } }, installation: { uuid: crypto.randomUUID() } }),
  pagerduty: (type, now) => ({ event: { id: rand(), event_type: type ?? "incident.triggered", resource_type: "incident", occurred_at: iso(now), data: { id: `P${rand().slice(0, 6).toUpperCase()}`, type: "incident" } } }),
  jira: (type, now) => ({ webhookEvent: type ?? "jira:issue_created", timestamp: now, issue: { id: "10001", key: "PROJ-1" } }),
  notion: (type, now) => ({ id: crypto.randomUUID(), type: type ?? "page.content_updated", timestamp: iso(now), entity: { id: crypto.randomUUID(), type: "page" }, attempt_number: 1 }),
  segment: (type, now) => ({ type: type ?? "track", event: "Order Completed", messageId: `ajs-${rand()}`, userId: "user_1", timestamp: iso(now) }),
  okta: (type, now) => ({ eventType: "com.okta.event_hook", eventTime: iso(now), data: { events: [{ uuid: crypto.randomUUID(), eventType: type ?? "user.session.start" }] } }),
  zendesk: (type, now) => ({ id: crypto.randomUUID(), type: type ?? "zen:event-type:ticket.created", time: iso(now), detail: { id: "35436" } }),
  woocommerce: (_type, now) => ({ id: Math.floor(Math.random() * 1e6), status: "processing", date_modified_gmt: iso(now).slice(0, 19), total: "42.00" }),
  mux: (type, now) => ({ id: crypto.randomUUID(), type: type ?? "video.asset.ready", created_at: iso(now), object: { type: "asset", id: rand() }, data: {} }),
  "lemon-squeezy": (type) => ({ meta: { event_name: type ?? "order_created", test_mode: true }, data: { id: String(Math.floor(Math.random() * 1e6)), type: "orders", attributes: { updated_at: new Date().toISOString() } } }),
  "coinbase-commerce": (type, now) => ({ id: Math.floor(Math.random() * 1e6), attempt_number: 1, event: { id: crypto.randomUUID(), type: type ?? "charge:confirmed", created_at: iso(now), data: { code: rand().slice(0, 8).toUpperCase() } } }),
  razorpay: (type, now) => ({ entity: "event", event: type ?? "payment.captured", created_at: Math.floor(now / 1000), payload: { payment: { entity: { id: `pay_${rand()}`, order_id: `order_${rand()}` } } } }),
  adyen: (type, now) => ({
    live: "false",
    notificationItems: [
      { NotificationRequestItem: { pspReference: rand().toUpperCase(), originalReference: "", merchantAccountCode: "EdgehookECOM", merchantReference: `order-${rand()}`, amount: { value: 1000, currency: "EUR" }, eventCode: type ?? "AUTHORISATION", success: "true", eventDate: iso(now), additionalData: {} } },
    ],
  }),
  airtable: (_type, now) => ({ base: { id: `app${rand().slice(0, 14)}` }, webhook: { id: `ach${rand().slice(0, 14)}` }, timestamp: iso(now) }),
  figma: (type, now) => ({ event_type: type ?? "FILE_UPDATE", passcode: "", timestamp: iso(now), webhook_id: String(Math.floor(Math.random() * 1e6)), file_key: rand(), file_name: "Design" }),
  dropbox: () => ({ list_folder: { accounts: [`dbid:${rand()}`] }, delta: { users: [12345] } }),
  asana: (type, now) => ({ events: [{ action: type ?? "changed", created_at: iso(now), resource: { gid: String(Math.floor(Math.random() * 1e15)), resource_type: "task" } }] }),
  "microsoft-graph": (type, now) => ({ value: [{ subscriptionId: crypto.randomUUID(), subscriptionExpirationDateTime: iso(now + 3600e3), changeType: type ?? "created", resource: "Users/x/Messages/y", resourceData: { id: rand() }, clientState: "", tenantId: crypto.randomUUID() }] }),
  meta: (type, now) => ({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", time: Math.floor(now / 1000), changes: [{ field: type ?? "messages", value: { messages: [{ id: `wamid.${rand()}`, type: "text" }] } }] }] }),
  telegram: () => ({ update_id: Math.floor(Math.random() * 1e9), message: { message_id: 1, chat: { id: 42, type: "private" }, text: "/start" } }),
  netlify: (type, now) => ({ id: rand(), site_id: crypto.randomUUID(), state: type ?? "ready", created_at: iso(now), updated_at: iso(now) }),
  paypal: (type, now) => ({ id: `WH-${rand().toUpperCase()}`, event_version: "1.0", create_time: iso(now), resource_type: "capture", event_type: type ?? "PAYMENT.CAPTURE.COMPLETED", summary: "Payment completed", resource: { id: rand().toUpperCase(), status: "COMPLETED" } }),
  plaid: (type) => ({ webhook_type: "TRANSACTIONS", webhook_code: type ?? "SYNC_UPDATES_AVAILABLE", item_id: `item_${rand()}`, initial_update_complete: true, historical_update_complete: false, environment: "sandbox" }),
  cloudflare: (type, now) => ({ name: "Edgehook test", text: "test notification", alert_type: type ?? "universal_ssl_event_type", ts: Math.floor(now / 1000) }),
};
for (const alias of ["svix", "clerk", "resend", "brex"]) SAMPLES[alias] = (type, now) => ({ type: type ?? "user.created", created_at: now, data: { id: `user_${rand()}`, email_id: rand() } });

/** A realistic sample payload for a preset (fresh ids each call); Standard Webhooks shape by default. */
export function sampleEvent(preset: string, type?: string, now = Date.now()): string {
  const sample = SAMPLES[preset];
  if (preset === "sendgrid") return (sample!(type, now) as unknown[]).map((e) => JSON.stringify(e)).join(",\r\n").replace(/^/, "[").concat("]\r\n");
  if (sample) {
    const value = sample(type, now);
    return typeof value === "string" ? value : JSON.stringify(value);
  }
  return JSON.stringify({
    type: type ?? "invoice.paid",
    timestamp: new Date(now).toISOString(),
    data: { id: `inv_${rand()}`, amount: 4200, currency: "eur" },
  });
}
