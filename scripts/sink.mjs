#!/usr/bin/env node
/**
 * Sample destination: a real local HTTP server that verifies Edgehook's Standard Webhooks signature
 * over the raw bytes, as the Standard Webhooks spec computes it (verifyRaw), and records what it receives.
 *
 * Paths choose a behaviour, so one sink serves every test:
 *   /hooks, /ok            200
 *   /flaky/<n>             500 for the first <n> attempts of each webhook-id, then 200
 *   /fail/<status>         always <status>
 *   /retry-after/<s>/<n>   503 + Retry-After: <s> for the first <n> attempts, then 200
 *   /slow/<ms>             wait <ms>, then 200
 *   /reset/<n>             drop the connection for the first <n> attempts, then 200
 *   /switch/<name>         the status set by POST /_control/switch/<name>?status=<s> (default 200)
 *   /random/<pct>          <pct>% of requests fail at random: 500, 503 + Retry-After: 1, slow (3 s), or reset
 *   /poison/<marker>       422 when the body contains <marker>, else 200
 *   /jitter/<ms>           wait a random 0..<ms>, then 200 (requests overtake each other)
 *   /stall-body/<ms>       200 headers and the first body bytes at once, the rest only after <ms>
 *   /cut-body              200 headers and part of the declared body, then the connection is dropped
 * Control: GET /_control/received[?path=/x] → JSON list; POST /_control/reset.
 *
 * CLI: node scripts/sink.mjs [--port 8788]  (secret from SINK_SIGNING_SECRET or .dev.vars)
 */
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks verification over the raw bytes (the spec's algorithm): HMAC-SHA256 of
 * `id.timestamp.body` against each `v1,` entry, timestamp within 5 minutes. The `standardwebhooks`
 * package's `verify()` also parses the body as JSON, so it throws on a validly signed form body or a
 * body that starts with a BOM; a destination must accept whatever the provider sent.
 */
export function verifyRaw(key, raw, headers) {
  const id = headers["webhook-id"], timestamp = headers["webhook-timestamp"], signature = headers["webhook-signature"];
  if (!id || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(raw).digest();
  return signature.split(" ").some((entry) => {
    const [version, value] = entry.split(",");
    const given = version === "v1" && value ? Buffer.from(value, "base64") : null;
    return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * Start a sink. Resolves once listening.
 * @param {{ port?: number, secret: string, log?: boolean }} options
 * @returns {Promise<{ port: number, url: string, received: object[], close: () => Promise<void> }>}
 */
export function startSink({ port = 0, secret, log = false }) {
  const signingKey = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  /** @type {object[]} */
  const received = [];
  /** attempts per `path webhook-id` */
  const seen = new Map();
  /** status per switch name */
  const switches = new Map();

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://sink");
      if (url.pathname === "/_control/received") {
        const path = url.searchParams.get("path");
        const list = path ? received.filter((r) => r.path === path) : received;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(list));
        return;
      }
      if (url.pathname.startsWith("/_control/switch/")) {
        switches.set(url.pathname.slice("/_control/switch/".length), Number(url.searchParams.get("status") ?? 200));
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === "/_control/reset") {
        received.length = 0;
        seen.clear();
        res.writeHead(204).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = raw.toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verified = verifyRaw(signingKey, raw, headers);
      const id = headers["webhook-id"] ?? "";
      const key = `${url.pathname} ${id}`;
      const attempt = (seen.get(key) ?? 0) + 1;
      seen.set(key, attempt);
      const [, behaviour = "", a = "", b = ""] = url.pathname.split("/");
      let status = 200;
      /** set when /random injected a fault (a slow answer arrives after the client gave up) */
      let fault;
      const extra = {};
      if (behaviour === "flaky" && attempt <= Number(a)) status = 500;
      else if (behaviour === "fail") status = Number(a);
      else if (behaviour === "retry-after" && attempt <= Number(b)) {
        status = 503;
        extra["retry-after"] = a;
      } else if (behaviour === "slow") await new Promise((r) => setTimeout(r, Number(a)));
      else if (behaviour === "reset" && attempt <= Number(a)) {
        req.socket.destroy();
        return;
      } else if (behaviour === "switch") status = switches.get(a) ?? 200;
      else if (behaviour === "poison" && body.includes(a)) status = 422;
      else if (behaviour === "stall-body") {
        received.push({ path: url.pathname, webhookId: id, attempt, status, verified, headers, body, at: Date.now() });
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"ok":');
        const finish = setTimeout(() => res.end("true}"), Number(a));
        res.on("close", () => clearTimeout(finish));
        return;
      } else if (behaviour === "cut-body") {
        received.push({ path: url.pathname, webhookId: id, attempt, status, verified, headers, body, at: Date.now() });
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"ok":', () => setTimeout(() => req.socket.destroy(), 50));
        return;
      } else if (behaviour === "jitter") await new Promise((r) => setTimeout(r, Math.random() * Number(a)));
      else if (behaviour === "random" && Math.random() * 100 < Number(a)) {
        fault = ["500", "503", "slow", "reset"][Math.floor(Math.random() * 4)];
        if (fault === "500") status = 500;
        else if (fault === "503") {
          status = 503;
          extra["retry-after"] = "1";
        } else if (fault === "slow") await new Promise((r) => setTimeout(r, 3000)); // past the client's timeout
        else {
          received.push({ path: url.pathname, webhookId: id, attempt, status: 0, fault, verified, headers, body, at: Date.now() });
          req.socket.destroy();
          return;
        }
      }
      received.push({ path: url.pathname, webhookId: id, attempt, status, ...(fault ? { fault } : {}), verified, headers, body, at: Date.now() });
      if (log) {
        console.log(`[sink] ${verified ? "✓ signature valid" : "✗ SIGNATURE INVALID"} ${headers["edgehook-source"]}/${headers["edgehook-event-type"]} webhook-id=${id} attempt=${headers["edgehook-attempt"]} → ${status}`);
      }
      res.writeHead(status, { "content-type": "application/json", ...extra }).end(JSON.stringify({ ok: status < 300 }));
    });
  });

  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({
        port: actual,
        url: `http://127.0.0.1:${actual}`,
        received,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Read KEY=VALUE lines (as in .dev.vars). */
export function readDevVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf("--port");
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8788;
  const secret = process.env.SINK_SIGNING_SECRET ?? readDevVars(".dev.vars").SINK_SIGNING_SECRET;
  if (!secret) {
    console.error("sink: set SINK_SIGNING_SECRET or create .dev.vars (cp .dev.vars.example .dev.vars)");
    process.exit(1);
  }
  const sink = await startSink({ port, secret, log: true });
  console.log(`[sink] sample destination listening on ${sink.url}/hooks (verifies Standard Webhooks signatures)`);
}
