/**
 * Edgehook worker entry: HTTP ingest, the delivery consumer, the dead-letter consumer, and the
 * EventLedger Durable Object class.
 */
import { signalAlerts } from "./alerts";
import { handleDeadLetterBatch } from "./deadletter";
import { handleDeliveryBatch } from "./delivery";
import { loadConfig } from "./config";
import { createApp } from "./ingest";
import { pruneIndex } from "./search";

export { AlertCenter } from "./alerts";
export { DashboardSessions } from "./dashboard";
export { DestinationGate } from "./gate";
export { EventLedger } from "./ledger";
export { KeySequencer } from "./ordering";
export { ListenHub } from "./listen";
export { MetricsStore } from "./metrics";

const app = createApp();

/** Dead-letter queue name prefix, as in wrangler.toml (module exports must be handlers only). */
const DEAD_LETTER_QUEUE = "edgehook-dead";

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch, env: Env) {
    if (batch.queue.startsWith(DEAD_LETTER_QUEUE)) await handleDeadLetterBatch(batch, env);
    else await handleDeliveryBatch(batch, env);
  },
  /** The hourly cron (wrangler.toml): index retention, and a nudge to the alert stage. */
  async scheduled(controller, env) {
    await signalAlerts(env, []); // keeps the AlertCenter's periodic backlog check scheduled (docs/operate.md, "Alerts")
    const loaded = loadConfig(env);
    if (!loaded.ok) return; // config_invalid is logged by loadConfig; nothing to prune by
    const days = loaded.config.raw.settings.indexRetentionDays;
    const rows = await pruneIndex(env, days, controller.scheduledTime);
    if (rows > 0) console.log(JSON.stringify({ msg: "index_pruned", rows, retentionDays: days }));
  },
} satisfies ExportedHandler<Env>;
