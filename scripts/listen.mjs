#!/usr/bin/env node
/**
 * npm run listen -- <destination> [--port N] [--path /x] [--url <gateway>] [--token T]
 *
 * Receive a listen destination's deliveries (kind = "listen", docs/configuration.md) on this machine,
 * without a tunnel: connects to the gateway over a WebSocket, forwards each delivery — headers and
 * body exactly as signed — to http://127.0.0.1:<port><path>, and acknowledges it with the local
 * server's status once that server answered (2xx delivered; anything else retried by the gateway).
 * Reconnects with backoff; events sent while nobody listened arrive when their retry is due.
 *
 *   --port N      local port (default 3000)     --path /x   local path (default /)
 *   --url URL     gateway (default $EDGEHOOK_URL or http://127.0.0.1:8787, i.e. npm run dev)
 *   --token T     admin token (default $EDGEHOOK_ADMIN_TOKEN, $ADMIN_TOKEN, or ADMIN_TOKEN in .dev.vars)
 *   --timeout MS  how long the local server may take (default 30000)
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { findToken, visible as v } from "./events.mjs";

const OPTIONS = {
  port: { type: "string", default: "3000" }, path: { type: "string", default: "/" }, url: { type: "string" }, token: { type: "string" },
  timeout: { type: "string", default: "30000" }, help: { type: "boolean", short: "h", default: false },
};

/** Characters of the local answer sent back for the attempt log (the gateway keeps 512). */
const SNIPPET_CHARS = 512;
/** Keep-alive: the gateway's hub answers without waking (src/listen/protocol.ts PING). */
const PING_EVERY_MS = 30_000;
/** Headers fetch computes itself for the local request. */
const HOP_BY_HOP = new Set(["host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"]);

/**
 * Reconnect delay after `failures` failed tries: 0.5 s doubling to 5 s, jittered (so CLIs do not
 * reconnect in step). Short: one preflight request per try costs little, and waiting events arrive sooner.
 */
export function backoffMs(failures, random = Math.random()) {
  return Math.round(Math.min(5_000, 500 * 2 ** Math.min(failures, 10)) * (0.5 + random / 2));
}

/** Refusals that reconnecting cannot fix: stop with the reason. */
class Fatal extends Error {}

/**
 * Run the listener until SIGINT/SIGTERM (or a fatal refusal, which rejects).
 * @returns {Promise<number>} exit code
 */
export async function run(argv, { env = process.env, out = console.log, err = console.error } = {}) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [destination] = positionals;
  if (values.help || !destination) {
    out(readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(2, 15).map((l) => l.replace(/^ \* ?/, "")).join("\n"));
    return destination ? 0 : 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Fatal(`--port must be a port number, not "${values.port}"`);
  const path = values.path.startsWith("/") ? values.path : `/${values.path}`;
  const target = `http://127.0.0.1:${port}${path}`;
  const localTimeout = Number(values.timeout) > 0 ? Number(values.timeout) : 30_000;
  const base = (values.url ?? env.EDGEHOOK_URL ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const token = findToken(values, env);
  if (!token) throw new Fatal("no admin token: set EDGEHOOK_ADMIN_TOKEN (or ADMIN_TOKEN), pass --token, or run from a folder with .dev.vars");
  const authorization = `Bearer ${token}`;
  const route = `/api/v1/destinations/${encodeURIComponent(destination)}`;

  /** Check the destination before opening a socket: a WebSocket refusal carries no reason, this does. */
  async function preflight() {
    const res = await fetch(`${base}${route}`, { headers: { authorization } });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401) throw new Fatal(`the gateway refused the admin token (${body.error?.message ?? "401"})`);
    if (res.status === 404) throw new Fatal(`no destination "${destination}" in the gateway's EDGEHOOK config`);
    if (!res.ok) throw new Error(`${res.status} ${body.error?.code ?? ""} ${body.error?.message ?? ""}`.trim());
    if (body.kind !== "listen") throw new Fatal(`destination "${destination}" delivers over HTTP; set kind = "listen" (and remove its url) to receive it here`);
  }

  /** Forward one delivery to the local server; the ack carries its status (0 and the error when it could not be reached). */
  async function forward(ws, frame) {
    const started = Date.now();
    const headers = Object.fromEntries(Object.entries(frame.headers ?? {}).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
    let ack;
    try {
      const res = await fetch(target, { method: "POST", headers, body: Buffer.from(frame.body ?? "", "base64"), redirect: "manual", signal: AbortSignal.timeout(localTimeout) });
      const text = await res.text().catch(() => "");
      ack = { type: "ack", id: frame.id, status: res.status, snippet: text.slice(0, SNIPPET_CHARS) };
    } catch (error) {
      ack = { type: "ack", id: frame.id, status: 0, error: String(error.cause?.code ?? error.message).slice(0, 200) };
    }
    try {
      ws.send(JSON.stringify(ack));
    } catch {
      // the socket closed meanwhile: the gateway retries this delivery
    }
    const h = frame.headers ?? {};
    const text = (name) => {
      try {
        return v(decodeURIComponent(h[name] ?? "?")); // edgehook-* headers are percent-encoded (docs/delivery.md)
      } catch {
        return v(h[name]);
      }
    };
    const outcome = ack.status === 0 ? `✗ ${target} unreachable (${v(ack.error)})` : `${ack.status >= 200 && ack.status < 300 ? "✓" : "✗"} ${ack.status}`;
    out(`${new Date().toISOString()}  ${outcome}  ${text("edgehook-source")} ${text("edgehook-event-type")} ${text("edgehook-event-id")}  attempt ${text("edgehook-attempt")}  ${Date.now() - started} ms`);
  }

  /** One connection, until it closes (resolves) — or a refusal reconnecting cannot fix (rejects). */
  async function connectOnce(onOpen) {
    await preflight();
    await new Promise((resolve) => {
      const ws = new WebSocket(`${base.replace(/^http/, "ws")}${route}/listen`, { headers: { authorization } });
      let pinger = null;
      ws.addEventListener("open", () => {
        onOpen();
        out(`listening: ${v(destination)} → ${target}  (gateway ${base}; Ctrl-C stops)`);
        pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), PING_EVERY_MS);
      });
      ws.addEventListener("message", (event) => {
        if (typeof event.data !== "string" || event.data === "pong") return;
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame?.type === "delivery" && typeof frame.id === "string") void forward(ws, frame);
      });
      ws.addEventListener("close", (event) => {
        if (pinger) clearInterval(pinger);
        err(`disconnected (${event.code}${event.reason ? ` ${event.reason}` : ""})`);
        resolve();
      });
      ws.addEventListener("error", () => {}); // a close event follows
      cancel = () => ws.close(1000, "listener stopped");
    });
  }

  /** Ends what runs now: the open socket, or the wait before the next try. */
  let cancel = () => {};
  let stopping = false;
  const stop = () => {
    stopping = true;
    cancel();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  let failures = 0;
  while (!stopping) {
    try {
      await connectOnce(() => (failures = 0));
    } catch (error) {
      if (error instanceof Fatal) throw error;
      err(`cannot reach ${base} (${error.cause?.code ?? error.cause?.message ?? error.message}); is the gateway running (npm run dev), or pass --url`);
    }
    if (stopping) break;
    const wait = backoffMs(failures++);
    err(`reconnecting in ${(wait / 1000).toFixed(1)} s`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, wait);
      cancel = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`listen: ${error.message}`);
      process.exit(1);
    },
  );
}
