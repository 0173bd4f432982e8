/** The `npm run listen` route: an authenticated WebSocket upgrade handed to the destination's ListenHub. */
import type { Hono } from "hono";
import { openListener } from "../listen";
import { audit } from "./audit";
import type { AdminBindings } from "./env";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";
import { destinationParams } from "./schemas";

/** Register GET /v1/destinations/:name/listen (behind requireAdmin, like every admin route: the token is checked before any upgrade). */
export function listenRoutes(api: Hono<AdminBindings>): void {
  route(api, {
    method: "get", path: "/v1/destinations/:name/listen", tag: "destinations",
    summary: "Receive a listen destination's deliveries over a WebSocket (Upgrade: websocket; what npm run listen does)",
    params: destinationParams,
    responses: {
      101: { description: "WebSocket open: the gateway sends a delivery frame per attempt, the client acks each (docs/api.md)" },
      404: { description: "no such destination" },
      409: { description: "not_listen_destination, or too_many_listeners already connected" },
      426: { description: "upgrade_required: not a WebSocket request" },
    },
  }, async (c, { params }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const destination = config.destinations.get(params.name);
    if (!destination) return apiError(c, 404, "not_found", "no such destination in the EDGEHOOK config");
    if (destination.config.kind !== "listen") {
      return apiError(c, 409, "not_listen_destination", `destination "${params.name}" delivers over HTTP; set kind = "listen" (and no url) on it to receive its events with npm run listen`);
    }
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return apiError(c, 426, "upgrade_required", "connect with a WebSocket (Upgrade: websocket), e.g. npm run listen");
    const res = await openListener(c.env, params.name, c.req.raw);
    audit(c, "listen", { destination: params.name, status: res.status });
    return res;
  });
}
