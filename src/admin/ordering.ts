/** Admin routes for ordered destinations: a key's sequencer state, and skipping a dead head that blocks it. */
import type { Hono } from "hono";
import { sequencer, sequencerSettings } from "../delivery/ordered";
import { audit } from "./audit";
import type { AdminBindings } from "./env";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";
import { orderingKeyParams, sequencerStatusSchema } from "./schemas";

/** Register the ordering routes. */
export function orderingRoutes(api: Hono<AdminBindings>): void {
  const responses = {
    200: { description: "the key's state", schema: sequencerStatusSchema },
    404: { description: "no such destination" },
    409: { description: "the destination does not order its events (or, to skip, is not strict)" },
  };
  for (const action of ["status", "skip"] as const) {
    route(api, {
      method: action === "status" ? "get" : "post",
      path: action === "status" ? "/v1/destinations/:name/keys/:key" : "/v1/destinations/:name/keys/:key/skip",
      tag: "destinations",
      summary: action === "status"
        ? "One ordering key of a destination: events queued, in flight, a blocking dead head"
        : "Skip the dead head that blocks a key under strict ordering (it stays dead and replayable); the next event goes",
      params: orderingKeyParams,
      responses,
    }, async (c, { params }) => {
      const config = configOr503(c);
      if (config instanceof Response) return config;
      const destination = config.destinations.get(params.name);
      if (!destination) return apiError(c, 404, "not_found", "no such destination in the EDGEHOOK config");
      const mode = destination.config.ordering.mode;
      if (mode === "none" || (action === "skip" && mode !== "strict")) {
        return apiError(c, 409, "not_ordered", `destination "${params.name}" has ordering mode "${mode}"; ${action === "skip" ? "only strict ordering blocks a key" : "it keeps no per-key state"}`);
      }
      const seq = sequencer(c.env, params.name, params.key);
      if (action === "status") return c.json(await seq.status());
      const status = await seq.skip(sequencerSettings(destination));
      audit(c, "skip_head", { destination: params.name, key: params.key });
      return c.json(status);
    });
  }
}
