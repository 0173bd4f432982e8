/** Dashboard pages: overview, events table, dead letters, destinations, login. Pure views of their data. */
import type { OperatorStats } from "../admin";
import type { Bucket, IndexedEvent, IndexedTask, ReplayJob } from "../search";
import { LineChart, successSeries, ThroughputChart } from "./charts";
import { Action, eventHref, Layout, Status, time } from "./layout";
import { CELL_MAX, Shown } from "./text";

const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "—" : `${v} ms`);
const secs = (v: number | null) => (v === null ? "—" : `${v.toFixed(v < 10 ? 2 : 0)} s`);
const worst = (ds: Record<string, { rate4xx: number; rate5xx: number }>, k: "rate4xx" | "rate5xx") => {
  const rates = Object.values(ds).map((d) => d[k]);
  return rates.length === 0 ? null : Math.max(...rates);
};

/** Overview: SLIs per window (exact ones from the index, aggregated ones from the counters), backlog, charts over 24 hours. */
export function OverviewPage({ stats, buckets, csrf }: { stats: OperatorStats; buckets: Bucket[]; csrf: string }) {
  return (
    <Layout title="Overview" csrf={csrf}>
      <div class="cards">
        <div class="card" id="backlog">
          <h3>Now</h3>
          <div class="big" data-figure="pending">{stats.backlog.pending}</div>
          <div>pending tasks · oldest <span data-figure="oldest">{stats.backlog.oldestPendingAgeSeconds}</span> s</div>
          <div>dead <span data-figure="dead">{stats.dead}</span> (exact, event index)</div>
        </div>
        {Object.entries(stats.windows).map(([name, w]) => (
          <div class="card" data-window={name}>
            <h3>Last {name}</h3>
            <div class="big">{pct(w.successRate)}</div>
            <div>success over {w.attempts} attempts (events received in the window)</div>
            <div>last attempt p50 {ms(w.latencyMs.p50)} · p95 {ms(w.latencyMs.p95)} · p99 {ms(w.latencyMs.p99)}</div>
            <div>first delivery p50 {secs(w.timeToFirstDeliverySeconds.p50)} · p95 {secs(w.timeToFirstDeliverySeconds.p95)} · p99 {secs(w.timeToFirstDeliverySeconds.p99)}</div>
            <div>delivered {w.tasks.delivered ?? 0} · pending {w.tasks.pending ?? 0} · dead {w.tasks.dead ?? 0} · retry rate {pct(w.retryRate)}</div>
            <div><em>above: exact, event index · below: aggregated counters</em></div>
            <div>accepted <span data-figure="accepted">{w.accepted}</span> ({w.acceptedPerSecond.toFixed(3)}/s) · duplicates {pct(w.duplicateRate)}</div>
            <div>rejected: <span data-figure="rejected">{Object.entries(w.rejectedByReason).map(([r, n]) => `${r} ${n}`).join(" · ") || "none"}</span></div>
            <div>worst destination 4xx {pct(worst(w.destinations, "rate4xx"))} · 5xx {pct(worst(w.destinations, "rate5xx"))}</div>
            <div>est. cost {w.estimatedCostPerMillion === null ? "—" : `$${w.estimatedCostPerMillion.toFixed(2)}`} per million accepted</div>
          </div>
        ))}
      </div>
      <h2>Last 24 hours, by hour received</h2>
      <div class="cards">
        <ThroughputChart buckets={buckets} />
        <LineChart values={successSeries(buckets)} max={100} label="success rate" unit="%" />
        <LineChart values={buckets.map((b) => b.avgLatencyMs)} max={Math.max(1, ...buckets.map((b) => b.avgLatencyMs ?? 0))} label="mean last-attempt latency" unit=" ms" />
      </div>
    </Layout>
  );
}

/** The filter values of the events page. */
export interface EventFilterForm {
  source?: string;
  type?: string;
  status?: string;
  destination?: string;
  q?: string;
  /** Received within: `1h`, `24h`, `7d` (empty: any time). */
  within?: string;
}

/** The time windows the events filter offers, in milliseconds. */
export const WITHIN: Record<string, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };

/** Events table with filters and a next-page link. */
export function EventsPage({ filter, items, nextHref, error, csrf }: { filter: EventFilterForm; items: IndexedEvent[]; nextHref: string | null; error?: string; csrf: string }) {
  return (
    <Layout title="Events" csrf={csrf}>
      <form method="get" action="/dashboard/events" class="filters">
        <input name="source" placeholder="source" value={filter.source ?? ""} />
        <input name="type" placeholder="type (invoice.*)" value={filter.type ?? ""} />
        <select name="status">
          {["", "pending", "delivered", "dead", "stale", "filtered", "expired", "purged"].map((s) => <option value={s} selected={filter.status === s}>{s || "any status"}</option>)}
        </select>
        <input name="destination" placeholder="destination" value={filter.destination ?? ""} />
        <input name="q" placeholder="text in event id" value={filter.q ?? ""} />
        <select name="within">
          {["", ...Object.keys(WITHIN)].map((w) => <option value={w} selected={filter.within === w}>{w ? `last ${w}` : "any time"}</option>)}
        </select>
        <button type="submit" class="primary">Filter</button>
      </form>
      {error ? <p class="notice">{error}</p> : null}
      <table id="events">
        <thead><tr><th>received</th><th>source</th><th>event id</th><th>type</th><th>status</th><th>destinations</th></tr></thead>
        <tbody>
          {items.map((e) => (
            <tr data-event-id={e.eventId}>
              <td>{time(e.receivedAt)}</td>
              <td><Shown value={e.source} max={CELL_MAX} /></td>
              <td><a href={eventHref(e.source, e.eventId)}><code><Shown value={e.eventId} max={CELL_MAX} /></code></a></td>
              <td><Shown value={e.eventType} max={CELL_MAX} /></td>
              <td><Status status={e.status} /></td>
              <td>{e.tasks.map((t) => <div><Shown value={t.destination} max={CELL_MAX} />: <Status status={t.status} /> ({t.attempts})</div>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p>No events match.</p> : null}
      {nextHref ? <p><a href={nextHref}>Next page →</a></p> : null}
    </Layout>
  );
}

/** Dead letters with a replay button per task and per destination; the latest job's progress. */
export function DeadLettersPage({ items, csrf, job, nextHref }: { items: IndexedTask[]; csrf: string; job: ReplayJob | null; nextHref: string | null }) {
  const destinations = [...new Set(items.map((t) => t.destination))];
  return (
    <Layout title="Dead letters" csrf={csrf}>
      {job ? <p class="notice" id="job">Replay job {job.id}: {job.state}, {job.done}/{job.total} handled, {job.replayed} replayed, {job.skipped} skipped. <a href={`/dashboard/dead-letters?job=${job.id}`}>refresh</a></p> : null}
      <p>{destinations.map((d) => <Action action="/dashboard/dead-letters/redrive" csrf={csrf} label={`Replay every dead task of ${d}`} fields={{ destination: d }} primary />)}</p>
      <table id="dead-letters">
        <thead><tr><th>dead since</th><th>source</th><th>event id</th><th>destination</th><th>attempts</th><th>last status</th><th>last error</th><th></th></tr></thead>
        <tbody>
          {items.map((t) => (
            <tr data-event-id={t.eventId}>
              <td>{time(t.updatedAt)}</td>
              <td><Shown value={t.source} max={CELL_MAX} /></td>
              <td><a href={eventHref(t.source, t.eventId)}><code><Shown value={t.eventId} max={CELL_MAX} /></code></a></td>
              <td><Shown value={t.destination} max={CELL_MAX} /></td>
              <td>{t.attempts}</td>
              <td>{t.lastStatus ?? "—"}</td>
              <td>{t.lastError ? <Shown value={t.lastError} max={2 * CELL_MAX} strictness="text" /> : "—"}</td>
              <td><Action action={eventHref(t.source, t.eventId, "replay")} csrf={csrf} label="Replay" fields={{ destination: t.destination }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p>No dead letters.</p> : null}
      {nextHref ? <p><a href={nextHref}>Next page →</a></p> : null}
    </Layout>
  );
}

/** A destination row's data. */
export interface DestinationRow {
  name: string;
  url: string | null;
  gate: { paused: boolean; pausedReason: string | null; breaker: { state: string; consecutiveFailures: number; retryAt: number | null }; parked?: number } | null;
}

/** Destinations with pause and breaker state, and pause/resume buttons. */
export function DestinationsPage({ rows, csrf }: { rows: DestinationRow[]; csrf: string }) {
  return (
    <Layout title="Destinations" csrf={csrf}>
      <table id="destinations">
        <thead><tr><th>name</th><th>url</th><th>state</th><th>breaker</th><th>parked</th><th></th></tr></thead>
        <tbody>
          {rows.map((d) => (
            <tr data-destination={d.name}>
              <td>{d.name}</td>
              <td><code>{d.url ?? "listen (npm run listen)"}</code></td>
              <td>{d.gate === null ? "unknown" : d.gate.paused ? <span class="s-dead">paused: {d.gate.pausedReason}</span> : <span class="s-delivered">active</span>}</td>
              <td>{d.gate ? `${d.gate.breaker.state} (${d.gate.breaker.consecutiveFailures} failures${d.gate.breaker.retryAt ? `, probe at ${time(d.gate.breaker.retryAt)}` : ""})` : "—"}</td>
              <td>{d.gate?.parked ?? 0}</td>
              <td>{d.gate?.paused ? <Action action={`/dashboard/destinations/${encodeURIComponent(d.name)}/resume`} csrf={csrf} label="Resume" primary /> : <Action action={`/dashboard/destinations/${encodeURIComponent(d.name)}/pause`} csrf={csrf} label="Pause" />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** The login form (the only page served without a session). */
export function LoginPage({ error, disabled }: { error?: string; disabled?: boolean }) {
  return (
    <Layout title="Sign in">
      {disabled ? <p class="notice">The dashboard is disabled until the ADMIN_TOKEN secret is set (wrangler secret put ADMIN_TOKEN).</p> : null}
      {error ? <p class="notice" id="login-error">{error}</p> : null}
      <form method="post" action="/dashboard/login">
        <label>Admin token <input type="password" name="token" autocomplete="current-password" required /></label>{" "}
        <button type="submit" class="primary">Sign in</button>
      </form>
    </Layout>
  );
}
