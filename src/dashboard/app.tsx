/** Dashboard stage: the operator page at /dashboard, server-rendered with Hono JSX (no build step, no script). */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { audit, continueIfStalled, operatorPauseSignal, destinationView, gateOf, operatorStats, runReplayJob, tokensEqual } from "../admin";
import { withRequestId } from "../observe";
import { loadConfig } from "../config";
import { createJob, countDead, getJob, listDead, listEvents, throughput } from "../search";
import { isSecure, requireSession, sameOrigin, SECURITY_HEADERS, type DashboardBindings } from "./auth";
import { fillBuckets } from "./charts";
import { alertPages } from "./alerts";
import { requestPages } from "./requests";
import { eventRoutes } from "./event-routes";
import { DeadLettersPage, DestinationsPage, EventsPage, LoginPage, OverviewPage, WITHIN, type EventFilterForm } from "./pages";
import { cookieName, newSession, SESSION_SECONDS } from "./session";
import { sessionStore } from "./sessions";

export { createSession, verifySession, csrfFor } from "./session";

const FILTER_KEYS = ["source", "type", "status", "destination", "q", "within"] as const;
const STATUSES = new Set(["pending", "delivered", "dead", "stale", "filtered", "expired", "purged"]);

/** The login routes: the only ones served without a session. */
function loginRoutes(dash: Hono<DashboardBindings>): void {
  dash.get("/login", (c) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    return c.html(<LoginPage disabled={!c.env.ADMIN_TOKEN} />);
  });
  dash.post("/login", async (c) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    const token = c.env.ADMIN_TOKEN;
    const given = (await c.req.parseBody()).token;
    if (!sameOrigin(c)) return c.text("cross-site request refused", 403);
    if (!token || typeof given !== "string" || given.length === 0 || !(await tokensEqual(given, token))) {
      audit(c, "login_refused", {});
      return c.html(<LoginPage error="That is not the admin token." disabled={!token} />, 401);
    }
    const store = sessionStore(c.env);
    if (!store) return c.html(<LoginPage error="Sessions cannot be recorded: the DASHBOARD_SESSIONS Durable Object binding is missing (see wrangler.toml)." disabled />, 503);
    const secure = isSecure(c);
    const now = Date.now();
    const { cookie, ref } = await newSession(token, now);
    await store.open(ref.id, ref.expiresAt, now);
    setCookie(c, cookieName(secure), cookie, { httpOnly: true, sameSite: "Strict", secure, path: "/", maxAge: SESSION_SECONDS });
    audit(c, "login", {});
    return c.redirect("/dashboard", 303);
  });
}

/**
 * Build the dashboard (mounted at /dashboard).
 * @example app.route("/dashboard", createDashboard())
 */
export function createDashboard() {
  const dash = new Hono<DashboardBindings>();
  dash.use("*", withRequestId());
  loginRoutes(dash);
  dash.use("*", requireSession());

  // Signing out closes the session in the store, so a copy of the cookie stops working too.
  dash.post("/logout", async (c) => {
    await sessionStore(c.env)?.close(c.get("sessionId"));
    audit(c, "logout", {});
    deleteCookie(c, cookieName(isSecure(c)), { path: "/", secure: isSecure(c) });
    return c.redirect("/dashboard/login", 303);
  });

  dash.get("/", async (c) => {
    const db = c.env.EVENT_INDEX;
    if (!db) return c.text("the EVENT_INDEX D1 binding is not configured", 503);
    const now = Date.now();
    const stats = await operatorStats(c.env, db, now);
    const since = now - 23 * 3_600_000;
    const buckets = fillBuckets(await throughput(db, Math.floor(since / 3_600_000) * 3_600_000, 3_600_000), since, 3_600_000, 24);
    return c.html(<OverviewPage stats={stats} buckets={buckets} csrf={c.get("csrf")} />);
  });

  dash.get("/events", async (c) => {
    const db = c.env.EVENT_INDEX;
    if (!db) return c.text("the EVENT_INDEX D1 binding is not configured", 503);
    const filter: EventFilterForm = {};
    for (const k of FILTER_KEYS) {
      const v = c.req.query(k)?.trim().slice(0, 200);
      if (v) filter[k] = v;
    }
    if (filter.status && !STATUSES.has(filter.status)) delete filter.status;
    if (filter.within && !(filter.within in WITHIN)) delete filter.within;
    const { within, ...query } = filter;
    const cursor = c.req.query("cursor");
    const page = await listEvents(db, { ...query, status: query.status as never, limit: 50, ...(within ? { since: Date.now() - WITHIN[within]! } : {}), ...(cursor ? { cursor } : {}) });
    if ("error" in page) return c.html(<EventsPage filter={filter} items={[]} nextHref={null} error="That page link is malformed; start from the first page." csrf={c.get("csrf")} />, 400);
    const next = page.nextCursor ? `/dashboard/events?${new URLSearchParams({ ...filter, cursor: page.nextCursor })}` : null;
    return c.html(<EventsPage filter={filter} items={page.items} nextHref={next} csrf={c.get("csrf")} />);
  });

  eventRoutes(dash);

  dash.get("/dead-letters", async (c) => {
    const db = c.env.EVENT_INDEX;
    if (!db) return c.text("the EVENT_INDEX D1 binding is not configured", 503);
    const cursor = c.req.query("cursor");
    const page = await listDead(db, { limit: 100, ...(cursor ? { cursor } : {}) });
    const jobId = c.req.query("job");
    const job = jobId && /^[0-9a-f-]{36}$/.test(jobId) ? await getJob(db, jobId) : null;
    if (job) await continueIfStalled(c.env, job, (p) => c.executionCtx.waitUntil(p));
    if ("error" in page) return c.text("that page link is malformed", 400);
    const next = page.nextCursor ? `/dashboard/dead-letters?cursor=${page.nextCursor}` : null;
    return c.html(<DeadLettersPage items={page.items} csrf={c.get("csrf")} job={job} nextHref={next} />);
  });

  dash.post("/dead-letters/redrive", async (c) => {
    const db = c.env.EVENT_INDEX;
    if (!db) return c.text("the EVENT_INDEX D1 binding is not configured", 503);
    const destination = c.get("form").destination?.slice(0, 200);
    const filter = destination ? { destination } : {};
    const { job, created } = await createJob(db, { filter, total: await countDead(db, filter), idempotencyKey: null, now: Date.now() });
    if (created) c.executionCtx.waitUntil(runReplayJob(c.env, job));
    audit(c, "bulk_replay", { job: job.id, total: job.total, filter });
    return c.redirect(`/dashboard/dead-letters?job=${job.id}`, 303);
  });

  dash.get("/destinations", async (c) => {
    const loaded = loadConfig(c.env);
    if (!loaded.ok) return c.text("the EDGEHOOK config is invalid; see the worker's config_invalid log line", 503);
    const list = [...loaded.config.destinations.values()];
    const gates = await Promise.all(list.map((d) => gateOf(c.env, d.name).status().catch(() => null)));
    return c.html(<DestinationsPage rows={list.map((d, i) => destinationView(d, gates[i] ?? null))} csrf={c.get("csrf")} />);
  });

  dash.post("/destinations/:name/:action{pause|resume}", async (c) => {
    const loaded = loadConfig(c.env);
    const name = c.req.param("name");
    if (!loaded.ok || !loaded.config.destinations.has(name)) return c.text("no such destination", 404);
    const gate = gateOf(c.env, name);
    if (c.req.param("action") === "pause") await gate.pause("paused from the dashboard");
    else await gate.resume();
    audit(c, c.req.param("action"), { destination: name });
    await operatorPauseSignal(c.env, name, c.req.param("action") === "pause");
    return c.redirect("/dashboard/destinations", 303);
  });

  alertPages(dash);
  requestPages(dash);
  dash.all("*", (c) => c.text("no such dashboard page", 404));
  return dash;
}
