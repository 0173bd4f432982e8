/** Bindings and Hono environment of the admin API and the dashboard. */
import type { Context } from "hono";
import type { AlertsEnv } from "../alerts";
import type { DestinationGate } from "../gate";
import type { EventLedger } from "../ledger";
import type { ListenHub } from "../listen";
import type { MetricsStoreEnv } from "../metrics";
import type { KeySequencer } from "../ordering";

/** Bindings the admin API uses. */
export interface AdminEnv extends AlertsEnv, MetricsStoreEnv {
  ADMIN_TOKEN?: string;
  EDGEHOOK?: unknown;
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
  DESTINATION_GATE: DurableObjectNamespace<DestinationGate>;
  KEY_SEQUENCER: DurableObjectNamespace<KeySequencer>;
  LISTEN_HUB: DurableObjectNamespace<ListenHub>;
  EVENT_INDEX?: D1Database;
  /** Worker Loader for the transform test route (src/transform). */
  LOADER?: WorkerLoader;
}

/** How the admin API reaches the ingest app (for signed test events), without a network round trip. */
export type IngestDispatch = (request: Request, env: AdminEnv, ctx: Context["executionCtx"]) => Response | Promise<Response>;

/** Hono environment of the admin app. */
export type AdminBindings = { Bindings: AdminEnv; Variables: { requestId: string } };
