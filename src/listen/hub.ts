/**
 * ListenHub: one Durable Object per listen destination. The `npm run listen` CLI holds a hibernatable
 * WebSocket to it (the hub sleeps while nobody delivers; keep-alive pings are answered without waking
 * it); the delivery consumer hands it one signed request at a time, which it forwards to one connected
 * CLI and answers with that CLI's ack.
 */
import { DurableObject } from "cloudflare:workers";
import { deliveryFrame, parseAck, PING, PONG, type ListenAnswer } from "./protocol";

/** Most CLIs connected to one destination at once (each costs a socket; a developer needs one or two). */
export const MAX_LISTENERS = 8;

/** One signed request for the CLI. */
export interface ListenRequest {
  headers: Record<string, string>;
  body: Uint8Array;
  /** How long to wait for the ack: the destination's timeoutMs. */
  timeoutMs: number;
}

/** Stored on each socket (survives hibernation): which listener it is. */
interface Attachment {
  listener: string;
  connectedAt: number;
}

interface Pending {
  listener: string;
  settle: (answer: ListenAnswer) => void;
}

/** The hub uses no bindings. */
type HubEnv = Record<string, unknown>;

export class ListenHub extends DurableObject<HubEnv> {
  /** Deliveries sent and not yet acknowledged: memory only, as the consumer's call waits on them. */
  #pending = new Map<string, Pending>();
  /** Round-robin position among the connected CLIs. */
  #turn = 0;

  constructor(ctx: DurableObjectState, env: HubEnv) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accept a CLI's WebSocket (the admin route has authenticated the request already). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "connect with a WebSocket (npm run listen)" } }, { status: 426 });
    }
    if (this.ctx.getWebSockets().length >= MAX_LISTENERS) {
      return Response.json({ error: { code: "too_many_listeners", message: `at most ${MAX_LISTENERS} listeners per destination; stop one first` } }, { status: 409 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ listener: crypto.randomUUID(), connectedAt: Date.now() } satisfies Attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** How many CLIs are connected. */
  async listeners(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  /**
   * Hand one signed request to one connected CLI (in turn) and wait for its ack, at most
   * `timeoutMs`. Never throws: nobody connected, a lost socket and a late ack are answers.
   */
  async deliver(request: ListenRequest): Promise<ListenAnswer> {
    const sockets = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
    if (sockets.length === 0) return { kind: "no_listener" };
    const ws = sockets[this.#turn++ % sockets.length]!;
    const { listener } = ws.deserializeAttachment() as Attachment;
    const id = crypto.randomUUID();
    return new Promise<ListenAnswer>((resolve) => {
      const timer = setTimeout(() => settle({ kind: "timeout" }), request.timeoutMs);
      const settle = (answer: ListenAnswer) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(answer);
      };
      this.#pending.set(id, { listener, settle });
      try {
        ws.send(deliveryFrame(id, request.headers, request.body));
      } catch (error) {
        settle({ kind: "lost", reason: `the listener's socket refused the delivery: ${String(error)}` });
      }
    });
  }

  /** An ack from a CLI; anything else (or an ack for another listener's delivery) is ignored. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const ack = parseAck(message);
    if (!ack) return;
    const pending = this.#pending.get(ack.id);
    if (pending && pending.listener === (ws.deserializeAttachment() as Attachment).listener) pending.settle(ack.answer);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#drop(ws, `the listener disconnected (code ${code}) before acknowledging`);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.#drop(ws, `the listener's socket failed before acknowledging: ${String(error)}`);
  }

  /** Fail the deliveries waiting on a socket that went away: they are retried under the policy. */
  #drop(ws: WebSocket, reason: string): void {
    const { listener } = ws.deserializeAttachment() as Attachment;
    for (const pending of [...this.#pending.values()]) if (pending.listener === listener) pending.settle({ kind: "lost", reason });
  }
}
