#!/usr/bin/env node
/**
 * npm run events -- <command> [options]   Operate Edgehook from a terminal, through the admin API.
 *
 *   list   [filters] [--limit N] [--all]        events, newest first (filters below)
 *   tail   [filters] [--interval S]             print events as they arrive or change state (Ctrl-C stops)
 *   show   <source> <eventId>                   one event: tasks, attempts, payload preview
 *   replay <source> <eventId> [--destination D] [--include-delivered]
 *   replay --dead [--destination D] [--source S] [--since T] [--until T] [--key K] [--no-wait]
 *                                               bulk replay job; waits and prints progress
 *   dead   [--destination D] [--source S] [--since T]   dead letters
 *   pause  <destination> [--reason R]  ·  resume <destination>  ·  destinations  ·  stats
 *   key    <destination> <key>  ·  skip <destination> <key>   an ordering key's state; skip its dead head
 *   test   <source> [--type T]                  send a signed test event through the source (end to end)
 *
 * Filters: --source S --type T (invoice.* globs) --status pending|delivered|dead --destination D
 *          --since T --until T (T: 15m, 2h, 7d ago; an ISO date; or epoch ms) --q TEXT (in the id)
 * Target:  --url (default $EDGEHOOK_URL or http://127.0.0.1:8787); token from $EDGEHOOK_ADMIN_TOKEN,
 *          $ADMIN_TOKEN or .dev.vars. --json prints raw JSON.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const OPTIONS = {
  url: { type: "string" }, token: { type: "string" }, json: { type: "boolean", default: false },
  source: { type: "string" }, type: { type: "string" }, status: { type: "string" }, destination: { type: "string" },
  since: { type: "string" }, until: { type: "string" }, q: { type: "string" }, limit: { type: "string" }, all: { type: "boolean", default: false },
  interval: { type: "string" }, dead: { type: "boolean", default: false }, key: { type: "string" }, "no-wait": { type: "boolean", default: false },
  "include-delivered": { type: "boolean", default: false }, reason: { type: "string" }, help: { type: "boolean", short: "h", default: false },
};

/** `15m`, `2h`, `7d` (ago), an ISO date, or epoch ms → epoch ms. */
export function parseTime(text, now = Date.now()) {
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2]];
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${text} (use 15m, 2h, 7d, an ISO date or epoch ms)`);
  return ms;
}

/** The admin token: flag, environment, or .dev.vars. */
export function findToken(values, env) {
  if (values.token) return values.token;
  if (env.EDGEHOOK_ADMIN_TOKEN) return env.EDGEHOOK_ADMIN_TOKEN;
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  if (existsSync(".dev.vars")) {
    const m = /^\s*ADMIN_TOKEN\s*=\s*"?([^"\n]*)"?\s*$/m.exec(readFileSync(".dev.vars", "utf8"));
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The admin API path of one event (`action`: payload or replay), by query: it addresses every id,
 * `.` and `..` included, which URL normalisation would remove from a path segment.
 */
export function eventPath(source, eventId, action) {
  return `/v1/event${action ? `/${action}` : ""}?${new URLSearchParams({ source, id: eventId })}`;
}

/** Invisible, reordering and terminal-control characters (ESC starts terminal escape sequences). */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * Sender-controlled text made safe for a terminal: each hidden character written as `⟨U+202E⟩`, as on
 * the dashboard, so an id cannot move the cursor, recolour the screen, fake a line or reorder text.
 */
export function visible(text) {
  return String(text).replace(HIDDEN, (ch) => `⟨U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}
const v = visible;

const iso = (ms) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, "Z") : "—");
const eventLine = (e) => `${iso(e.receivedAt)}  ${e.status.padEnd(9)} ${v(e.source)}/${v(e.eventId)}  ${v(e.eventType)}  ${e.tasks.map((t) => `${v(t.destination)}:${t.status}(${t.attempts})`).join(" ")}`;

/**
 * Run the CLI. Injectable for tests: fetch, environment, output, and a sleep.
 * @returns {Promise<number>} exit code
 */
export async function run(argv, { fetch: fetchFn = fetch, env = process.env, out = console.log, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) } = {}) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(2, 18).map((l) => l.replace(/^ \* ?/, "")).join("\n"));
    return command ? 0 : 2;
  }
  const base = (values.url ?? env.EDGEHOOK_URL ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const token = findToken(values, env);
  if (!token) throw new Error("no admin token: set EDGEHOOK_ADMIN_TOKEN (or ADMIN_TOKEN), pass --token, or run from a folder with .dev.vars");

  const call = async (path, init = {}) => {
    let res;
    try {
      res = await fetchFn(`${base}/api${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.body ? { "content-type": "application/json" } : {}) },
      });
    } catch (error) {
      throw new Error(`cannot reach ${base} (${error.cause?.code ?? error.message}); is the gateway running (npm run dev), or pass --url`);
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const problems = body.error?.problems ? `\n  ${body.error.problems.join("\n  ")}` : "";
      throw new Error(`${res.status} ${body.error?.code ?? ""}: ${body.error?.message ?? res.statusText}${problems}`);
    }
    return body;
  };
  const post = (path, body) => call(path, { method: "POST", body: JSON.stringify(body) });
  const print = (value, text) => out(values.json ? JSON.stringify(value, null, 2) : text());
  const filter = () => {
    const q = new URLSearchParams();
    for (const k of ["source", "type", "status", "destination", "q"]) if (values[k]) q.set(k, values[k]);
    for (const k of ["since", "until"]) if (values[k]) q.set(k, String(parseTime(values[k])));
    return q;
  };
  const deadFilter = () => {
    const f = {};
    for (const k of ["source", "destination"]) if (values[k]) f[k] = values[k];
    for (const k of ["since", "until"]) if (values[k]) f[k] = parseTime(values[k]);
    return f;
  };

  switch (command) {
    case "list": {
      const q = filter();
      q.set("limit", values.limit ?? "50");
      const items = [];
      for (let cursor = null; ; ) {
        if (cursor) q.set("cursor", cursor);
        const page = await call(`/v1/events?${q}`);
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor || !values.all) break;
      }
      print(items, () => (items.length ? items.map(eventLine).join("\n") : "no events match"));
      return 0;
    }
    case "tail": {
      const seen = new Map();
      const q = filter();
      q.set("limit", "100");
      for (let first = true; ; first = false) {
        const page = await call(`/v1/events?${q}`);
        for (const e of [...page.items].reverse()) {
          const state = e.tasks.map((t) => `${t.destination}:${t.status}:${t.attempts}`).join(",");
          const key = `${e.source}/${e.eventId}`;
          if (seen.get(key) !== state) {
            seen.set(key, state);
            out(values.json ? JSON.stringify(e) : eventLine(e));
          }
        }
        if (env.EDGEHOOK_TAIL_ONCE && !first) return 0;
        await sleep(Number(values.interval ?? 2) * 1000);
      }
    }
    case "show": {
      const [source, eventId] = rest;
      if (!source || !eventId) throw new Error("usage: show <source> <eventId>");
      const d = await call(eventPath(source, eventId));
      print(d, () => [
        `${v(d.event.source)}/${v(d.event.eventId)}  ${v(d.event.eventType)}  received ${iso(d.event.receivedAt)}  ${d.event.payloadBytes} bytes`,
        ...d.tasks.flatMap((t) => [`  → ${v(t.destination)}: ${t.status}, ${t.attempts} attempt(s), webhook-id ${v(t.webhookId)}`, ...t.log.map((a) => `      ${iso(a.at)} #${a.attempt} ${a.status || "no response"} ${a.latencyMs} ms${a.error ? ` ${v(a.error)}` : ""}`)]),
        d.payload ? `  payload: ${v(d.payload.data.slice(0, 300))}${d.payload.data.length > 300 || d.payload.truncated ? "…" : ""}` : "",
      ].join("\n"));
      return 0;
    }
    case "replay": {
      if (values.dead) {
        let job = await post("/v1/replays", { ...deadFilter(), ...(values.key ? { idempotencyKey: values.key } : {}) });
        out(`replay job ${job.id}: ${job.total} dead task(s)`);
        while (!values["no-wait"] && job.state === "running") {
          await sleep(1000);
          job = await call(`/v1/replays/${job.id}`);
          out(`  ${job.state}: ${job.done}/${job.total} handled, ${job.replayed} replayed, ${job.skipped} skipped`);
        }
        if (values.json) out(JSON.stringify(job, null, 2));
        return job.state === "failed" ? 1 : 0;
      }
      const [source, eventId] = rest;
      if (!source || !eventId) throw new Error("usage: replay <source> <eventId> [--destination D]  or  replay --dead [filters]");
      const r = await post(eventPath(source, eventId, "replay"), {
        ...(values.destination ? { destination: values.destination } : {}),
        includeDelivered: values["include-delivered"],
      });
      print(r, () => (r.replayed.length ? `replayed to ${r.replayed.join(", ")}` : "nothing to replay (no dead task; pass --include-delivered to send again)"));
      return 0;
    }
    case "dead": {
      const q = new URLSearchParams(Object.entries(deadFilter()).map(([k, v]) => [k, String(v)]));
      q.set("limit", values.limit ?? "100");
      const page = await call(`/v1/dead-letters?${q}`);
      print(page.items, () => page.items.map((t) => `${iso(t.updatedAt)}  ${v(t.source)}/${v(t.eventId)} → ${v(t.destination)}  ${t.lastStatus ?? "—"} ${v(t.lastError ?? "")}`).join("\n") || "no dead letters");
      return 0;
    }
    case "pause":
    case "resume": {
      const [name] = rest;
      if (!name) throw new Error(`usage: ${command} <destination>`);
      const s = await post(`/v1/destinations/${encodeURIComponent(name)}/${command}`, command === "pause" ? { reason: values.reason ?? "paused from the CLI" } : undefined);
      print(s, () => `${name}: ${s.paused ? `paused (${s.pausedReason})` : "active"}, breaker ${s.breaker.state}`);
      return 0;
    }
    case "key":
    case "skip": {
      const [name, key] = rest;
      if (!name || !key) throw new Error(`usage: ${command} <destination> <key>`);
      const path = `/v1/destinations/${encodeURIComponent(name)}/keys/${encodeURIComponent(key)}`;
      const s = command === "key" ? await call(path) : await post(`${path}/skip`, undefined);
      print(s, () => `${name} ${key}: ${s.queued} queued, in flight ${s.inFlight ?? "—"}, ${s.blocked ? `blocked by ${s.blocked}` : "not blocked"}`);
      return 0;
    }
    case "test": {
      const [source] = rest;
      if (!source) throw new Error("usage: test <source> [--type T]");
      const r = await post(`/v1/sources/${encodeURIComponent(source)}/test`, values.type ? { type: values.type } : {});
      print(r, () => `${v(source)}/${v(r.eventId)}: ${r.status} ${v(JSON.stringify(r.response))}`);
      return r.status === 202 ? 0 : 1;
    }
    case "destinations": {
      const list = await call("/v1/destinations");
      print(list, () => list.map((d) => `${d.name.padEnd(20)} ${d.gate?.paused ? "PAUSED" : "active"}  breaker ${d.gate?.breaker.state ?? "?"}  ${d.url ?? `listen (npm run listen; ${d.listeners ?? "?"} connected)`}`).join("\n"));
      return 0;
    }
    case "stats": {
      const s = await call("/v1/stats");
      const pct = (v) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
      print(s, () => Object.entries(s.windows).map(([k, w]) => `${k.padEnd(4)} ${pct(w.successRate)} of ${w.attempts} attempts  p50 ${w.latencyMs.p50 ?? "—"} p95 ${w.latencyMs.p95 ?? "—"} p99 ${w.latencyMs.p99 ?? "—"} ms  dead ${w.tasks.dead ?? 0}`).join("\n"));
      return 0;
    }
    default:
      throw new Error(`unknown command "${command}" (list, tail, show, replay, dead, pause, resume, destinations, stats, key, skip, test; --help)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`events: ${error.message}`);
      process.exit(1);
    },
  );
}
