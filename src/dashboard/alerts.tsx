/** The dashboard's Alerts page: open conditions, recent alerts with each channel's delivery, and a "send test alert" button per channel. */
import type { Hono } from "hono";
import { alertCenter, type AlertRecord, type OpenCondition } from "../alerts";
import { audit } from "../admin";
import { loadConfig } from "../config";
import type { DashboardBindings } from "./auth";
import { Action, Layout, time } from "./layout";
import { Shown } from "./text";

const where = (a: { destination?: string; source?: string }) => [a.destination ? `destination ${a.destination}` : "", a.source ? `source ${a.source}` : ""].filter(Boolean).join(", ") || "gateway";

function AlertsPage({ open, recent, channels, tested, csrf }: { open: OpenCondition[]; recent: AlertRecord[]; channels: { name: string; kind: string }[]; tested: string | null; csrf: string }) {
  return (
    <Layout title="Alerts" csrf={csrf}>
      {tested ? <p class="notice" id="tested">{tested}</p> : null}
      <h3>Channels</h3>
      {channels.length === 0 ? <p>No channels: alerts are recorded here only. Add <code>alerts.channels</code> to the EDGEHOOK config (docs/configuration.md).</p> : (
        <table id="channels"><tr><th>channel</th><th>kind</th><th></th></tr>
          {channels.map((ch) => <tr><td><code>{ch.name}</code></td><td>{ch.kind}</td><td><Action action={`/dashboard/alerts/channels/${encodeURIComponent(ch.name)}/test`} csrf={csrf} label="Send test alert" /></td></tr>)}
        </table>
      )}
      <h3>Open</h3>
      {open.length === 0 ? <p id="open-none">Nothing open.</p> : (
        <table id="open"><tr><th>type</th><th>where</th><th>since</th><th>how many</th><th>last error</th></tr>
          {open.map((o) => <tr><td><code>{o.type}</code></td><td><Shown value={where(o)} /></td><td>{time(o.since)}</td><td>{o.count}</td><td><Shown value={o.lastError ?? "—"} max={120} /></td></tr>)}
        </table>
      )}
      <h3>Recent</h3>
      {recent.length === 0 ? <p id="recent-none">No alerts yet.</p> : (
        <table id="recent"><tr><th>at</th><th>type</th><th>what</th><th>how many</th><th>since</th><th>last error</th><th>channels</th></tr>
          {recent.map((a) => (
            <tr>
              <td>{time(a.at)}</td><td><code>{a.type}</code></td>
              <td><a href={a.link}><Shown value={a.summary} max={200} strictness="text" /></a>{a.eventIds?.length ? <div class="more">{a.eventIds.join(", ").slice(0, 300)}</div> : null}</td>
              <td>{a.count}</td><td>{time(a.since)}</td><td><Shown value={a.lastError ?? "—"} max={120} /></td>
              <td>{a.suppressed ? "suppressed (hourly cap)" : a.deliveries.map((d) => `${d.channel}: ${d.state}${d.tries > 1 ? ` after ${d.tries} tries` : ""}`).join(" · ") || "—"}</td>
            </tr>
          ))}
        </table>
      )}
    </Layout>
  );
}

/** Register /dashboard/alerts and its test-alert action. */
export function alertPages(dash: Hono<DashboardBindings>): void {
  dash.get("/alerts", async (c) => {
    const loaded = loadConfig(c.env);
    if (!loaded.ok) return c.text("the EDGEHOOK config is invalid; see the worker's config_invalid log line", 503);
    if (!c.env.ALERT_CENTER) return c.text("the ALERT_CENTER Durable Object binding is not configured", 503);
    const { open, recent } = await alertCenter({ ALERT_CENTER: c.env.ALERT_CENTER }).list(100);
    const channels = [...loaded.config.alertChannels.values()].map((ch) => ({ name: ch.name, kind: ch.config.kind }));
    const tested = c.req.query("tested");
    const result = tested && loaded.config.alertChannels.has(tested) ? `Test alert to ${tested}: ${c.req.query("result")?.slice(0, 100) ?? ""}` : null;
    return c.html(<AlertsPage open={open} recent={recent} channels={channels} tested={result} csrf={c.get("csrf")} />);
  });

  dash.post("/alerts/channels/:name/test", async (c) => {
    const loaded = loadConfig(c.env);
    const name = c.req.param("name");
    if (!loaded.ok || !loaded.config.alertChannels.has(name) || !c.env.ALERT_CENTER) return c.text("no such alert channel", 404);
    const result = await alertCenter({ ALERT_CENTER: c.env.ALERT_CENTER }).sendTest(name);
    audit(c, "alert_test", { channel: name, ok: result?.ok ?? false });
    const text = !result ? "not sent" : result.ok ? `delivered (HTTP ${result.status})` : `failed (${result.error})`;
    return c.redirect(`/dashboard/alerts?${new URLSearchParams({ tested: name, result: text })}`, 303);
  });
}
