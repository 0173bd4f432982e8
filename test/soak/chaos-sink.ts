/**
 * A destination for the reliability suites: records every delivery by `webhook-id` and event id, and
 * at a settable rate answers with a fault — 500, a hang past the gateway's timeout, a connection
 * reset, or a slow (but in-time) 200. `heal()` stops the faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** One request the sink answered (or dropped). */
export interface Delivery {
  webhookId: string;
  eventId: string;
  path: string;
  outcome: "ok" | "slow-ok" | "500" | "hang" | "reset";
}

export interface ChaosSink {
  url: string;
  deliveries: Delivery[];
  /** 2xx answers per webhook-id. */
  delivered: Map<string, number>;
  /** Event ids that got at least one 2xx. */
  deliveredEvents: Set<string>;
  setFaultRate(rate: number): void;
  heal(): void;
  close(): Promise<void>;
}

const FAULTS = ["500", "hang", "reset", "slow-ok"] as const;

/** Start the sink on a free loopback port. Only paths starting with `/chaos` fault. */
export function startChaosSink(options: { hangMs?: number; slowMs?: number; random?: () => number } = {}): Promise<ChaosSink> {
  const hangMs = options.hangMs ?? 5_000;
  const slowMs = options.slowMs ?? 200;
  const random = options.random ?? Math.random;
  let rate = 0;
  const deliveries: Delivery[] = [];
  const delivered = new Map<string, number>();
  const deliveredEvents = new Set<string>();
  const hanging = new Set<ServerResponse>();

  const ok = (req: IncomingMessage, res: ServerResponse, record: Delivery) => {
    const id = record.webhookId;
    delivered.set(id, (delivered.get(id) ?? 0) + 1);
    deliveredEvents.add(record.eventId);
    deliveries.push(record);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    void req;
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      const record = { webhookId: String(req.headers["webhook-id"] ?? ""), eventId: String(req.headers["edgehook-event-id"] ?? ""), path };
      const fault = path.startsWith("/chaos") && random() < rate ? FAULTS[Math.floor(random() * FAULTS.length)]! : undefined;
      if (!fault) return ok(req, res, { ...record, outcome: "ok" });
      if (fault === "slow-ok") {
        setTimeout(() => ok(req, res, { ...record, outcome: "slow-ok" }), slowMs);
        return;
      }
      deliveries.push({ ...record, outcome: fault });
      if (fault === "500") res.writeHead(500, { "content-type": "application/json" }).end('{"ok":false}');
      else if (fault === "reset") req.socket.destroy();
      else {
        // A hang: never answered in time; the socket is dropped later without a response.
        hanging.add(res);
        setTimeout(() => {
          hanging.delete(res);
          req.socket.destroy();
        }, hangMs).unref();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        deliveries,
        delivered,
        deliveredEvents,
        setFaultRate: (r) => void (rate = r),
        heal: () => void (rate = 0),
        close: () =>
          new Promise((done) => {
            for (const res of hanging) res.socket?.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
