/**
 * A local stand-in for the Cloudflare API, for running wrangler offline (CLOUDFLARE_API_BASE_URL):
 * the endpoints `npm run deploy` makes wrangler call, with in-memory queues, D1 databases (only the
 * migration bookkeeping is executed), Worker scripts and their secret names. Every call is recorded.
 * Unknown endpoints answer 404 and are recorded, so a test sees what wrangler tried.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** One recorded API call. */
export interface ApiCall {
  method: string;
  path: string;
  known: boolean;
}

/** The stand-in's state, readable by tests. */
export interface ApiState {
  queues: Map<string, { queue_id: string; queue_name: string; consumers: { consumer_id: string; type: string; script: string }[] }>;
  databases: Map<string, { uuid: string; name: string; applied: string[] }>;
  scripts: Map<string, { secrets: Set<string>; uploads: number; migrationTag?: string; subdomain: { enabled: boolean; previews_enabled: boolean }; crons?: string[] }>;
  calls: ApiCall[];
}

/** A running stand-in: its base URL (for CLOUDFLARE_API_BASE_URL), its state, and close. */
export interface CloudflareApi {
  url: string;
  state: ApiState;
  /** Calls that change something (anything but GET and read-only queries), as `METHOD path`. */
  writes: () => string[];
  close: () => Promise<void>;
}

const ok = (result: unknown, info?: object) => ({ success: true, errors: [], messages: [], result, ...(info ? { result_info: info } : {}) });
const fail = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });
const now = () => new Date().toISOString();

/** The `metadata` part of a multipart script upload (bindings, migrations), or null. */
function uploadMetadata(body: Buffer): { bindings?: { type: string; name: string }[]; migrations?: { new_tag?: string } } | null {
  const json = /name="metadata"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]+)/.exec(body.toString("utf8"))?.[1];
  try {
    return json ? JSON.parse(json) : null;
  } catch {
    return null;
  }
}

/** Start the stand-in on a free loopback port. */
export async function startCloudflareApi(): Promise<CloudflareApi> {
  const state: ApiState = { queues: new Map(), databases: new Map(), scripts: new Map(), calls: [] };
  const readOnlySql = (sql: string) => !/\b(INSERT|CREATE|UPDATE|DELETE|DROP|ALTER)\b/i.test(sql.replace(/CREATE TABLE IF NOT EXISTS "d1_migrations"[\s\S]*?\);/, ""));

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/client\/v4/, "");
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const record = (known: boolean) => state.calls.push({ method: req.method ?? "GET", path: path + (url.search && path.endsWith("/query") ? "" : ""), known });
    const json = () => JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    const route = (method: string, pattern: RegExp) => (req.method === method ? pattern.exec(path) : null);
    let m: RegExpExecArray | null;

    if ((m = route("GET", /^\/user\/tokens\/verify$/))) return record(true), send(200, ok({ id: "token", status: "active" }));
    if ((m = route("GET", /^\/accounts\/[^/]+\/queues$/))) {
      record(true);
      const name = url.searchParams.get("name");
      const list = [...state.queues.values()].filter((q) => !name || q.queue_name === name);
      return send(200, ok(list.map((q) => ({ ...q, created_on: now(), modified_on: now(), producers: [], producers_total_count: 0, consumers_total_count: q.consumers.length }))));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/queues$/))) {
      record(true);
      const name = String(json().queue_name);
      if (state.queues.has(name)) return send(400, fail(11009, "queue name already taken"));
      const queue = { queue_id: randomUUID().replaceAll("-", ""), queue_name: name, consumers: [] };
      state.queues.set(name, queue);
      return send(200, ok({ queue_id: queue.queue_id, queue_name: name, created_on: now(), modified_on: now() }));
    }
    if ((m = route("GET", /^\/accounts\/[^/]+\/d1\/database$/))) {
      record(true);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = [...state.databases.values()].map((d) => ({ uuid: d.uuid, name: d.name, version: "production", created_at: now() }));
      return send(200, ok(page === 1 ? all : []));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/d1\/database$/))) {
      record(true);
      const name = String(json().name);
      if ([...state.databases.values()].some((d) => d.name === name)) return send(400, fail(7502, "database name already exists"));
      const db = { uuid: randomUUID(), name, applied: [] as string[] };
      state.databases.set(db.uuid, db);
      return send(200, ok({ uuid: db.uuid, name, created_at: now() }));
    }
    if ((m = route("GET", /^\/accounts\/[^/]+\/d1\/database\/([^/]+)$/))) {
      const db = state.databases.get(m[1]!) ?? [...state.databases.values()].find((d) => d.name === decodeURIComponent(m![1]!));
      record(true);
      if (!db) return send(404, fail(7404, "database not found"));
      return send(200, ok({ uuid: db.uuid, name: db.name, version: "production", num_tables: 0, file_size: 0, created_at: now() }));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/d1\/database\/([^/]+)\/(query|raw)$/))) {
      const db = state.databases.get(m[1]!);
      const sql = String(json().sql ?? "");
      state.calls.push({ method: readOnlySql(sql) ? "QUERY" : "POST", path, known: true });
      if (!db) return send(404, fail(7404, "database not found"));
      for (const [, name] of sql.matchAll(/INSERT INTO "?d1_migrations"? \(name\)\s*values\s*\('([^']+)'\)/gi)) db.applied.push(name!);
      const results = /SELECT \*\s+FROM "?d1_migrations"?/i.test(sql) ? db.applied.map((name, i) => ({ id: i + 1, name, applied_at: now() })) : [];
      return send(200, ok([{ results, success: true, meta: { duration: 1, changes: 0, served_by: "stand-in" } }]));
    }
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/secrets$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      return send(200, ok([...script.secrets].map((name) => ({ name, type: "secret_text" }))));
    }
    if ((m = route("GET", /^\/user$/))) return record(true), send(200, ok({ id: "user", email: "deploy-test@example.com" }));
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/services\/([^/]+)$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10090, "This Worker does not exist on your account."));
      return send(200, ok({ id: m[1], default_environment: { environment: "production", script: { id: m[1], tag: `tag-${m[1]}`, tags: [], last_deployed_from: "wrangler", migration_tag: script.migrationTag } } }));
    }
    if ((m = route("GET", /^\/accounts$/))) return record(true), send(200, ok([{ id: "stand-in-account", name: "Stand-in" }]));
    if ((m = route("GET", /^\/memberships$/))) return record(true), send(200, ok([{ id: "m", account: { id: "stand-in-account", name: "Stand-in" } }]));
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/subdomain$/))) return record(true), send(200, ok({ subdomain: "stand-in" }));
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/deployments$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      return send(200, ok({ deployments: [] }));
    }
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/settings$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      return send(200, ok({ bindings: [...script.secrets].map((name) => ({ type: "secret_text", name })), migration_tag: script.migrationTag, logpush: false, tail_consumers: [] }));
    }
    if ((m = route("PUT", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)$/) ?? route("POST", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/versions$/))) {
      // A first upload (PUT) or a new version of an existing worker (POST versions, then a deployment).
      record(true);
      const metadata = uploadMetadata(body);
      if (!metadata) return send(400, fail(10021, "stand-in: upload without metadata"));
      const script = state.scripts.get(m[1]!) ?? { secrets: new Set<string>(), uploads: 0, subdomain: { enabled: false, previews_enabled: false } };
      for (const b of metadata.bindings ?? []) {
        // An inherited secret must already exist on the worker (the API's "inherit binding ... is invalid").
        if (b.type === "inherit" && !script.secrets.has(b.name)) return send(400, { ...fail(10053, "invalid binding"), messages: [{ text: `inherit binding '${b.name}' is invalid` }] });
      }
      for (const b of metadata.bindings ?? []) if (b.type === "secret_text") script.secrets.add(b.name);
      script.uploads += 1;
      if (metadata.migrations?.new_tag) script.migrationTag = metadata.migrations.new_tag;
      state.scripts.set(m[1]!, script);
      const id = `version-${script.uploads}`;
      return send(200, ok({ id, etag: `etag-${script.uploads}`, resources: { script: { etag: `etag-${script.uploads}` } }, handlers: ["fetch", "queue", "scheduled"], deployment_id: id, startup_time_ms: 1, has_modules: true }));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/deployments$/))) return record(true), send(200, ok({ id: "deployment", strategy: "percentage", versions: [] }));
    if ((m = route("PATCH", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/script-settings$/))) return record(true), send(200, ok({}));
    if ((m = route("GET", /^\/accounts\/[^/]+\/workers\/workers\/([^/]+)$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      return send(200, ok({ id: m[1], name: m[1], subdomain: script.subdomain }));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/subdomain$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      const { enabled, previews_enabled } = json() as { enabled?: boolean; previews_enabled?: boolean };
      script.subdomain = { enabled: enabled ?? script.subdomain.enabled, previews_enabled: previews_enabled ?? enabled ?? script.subdomain.previews_enabled };
      return send(200, ok(script.subdomain));
    }
    if ((m = route("POST", /^\/accounts\/[^/]+\/queues\/([^/]+)\/consumers$/))) {
      record(true);
      const queue = [...state.queues.values()].find((q) => q.queue_id === m![1]);
      if (!queue) return send(404, fail(11000, "queue not found"));
      const consumer = { consumer_id: randomUUID().replaceAll("-", ""), type: "worker", script: String(json().script_name) };
      queue.consumers.push(consumer);
      return send(200, ok(consumer));
    }
    if ((m = route("PUT", /^\/accounts\/[^/]+\/queues\/([^/]+)\/consumers\/([^/]+)$/))) {
      record(true);
      const consumer = [...state.queues.values()].find((q) => q.queue_id === m![1])?.consumers.find((c) => c.consumer_id === m![2]);
      return consumer ? send(200, ok(consumer)) : send(404, fail(11000, "consumer not found"));
    }
    if ((m = route("PUT", /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/schedules$/))) {
      record(true);
      const script = state.scripts.get(m[1]!);
      if (!script) return send(404, fail(10007, "This Worker does not exist on your account."));
      script.crons = (JSON.parse(body.toString("utf8")) as { cron: string }[]).map((c) => c.cron);
      return send(200, ok({ schedules: script.crons.map((cron) => ({ cron })) }));
    }
    record(false);
    return send(404, fail(10000, `stand-in: ${req.method} ${path} is not implemented`));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    state,
    writes: () => state.calls.filter((c) => c.method !== "GET" && c.method !== "QUERY").map((c) => `${c.method} ${c.path}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// `node test/support/cf-api.ts`: run it by hand and print every call (to see what wrangler asks for).
if (import.meta.url === `file://${process.argv[1]}`) {
  const api = await startCloudflareApi();
  console.log(`CLOUDFLARE_API_BASE_URL=${api.url}`);
  setInterval(() => {
    while (api.state.calls.length > 0) {
      const call = api.state.calls.shift()!;
      console.log(`${call.known ? " " : "?"} ${call.method} ${call.path}`);
    }
  }, 200);
}
