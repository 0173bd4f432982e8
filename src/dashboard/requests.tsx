/** The dashboard's Requests view: per source, why requests were refused — counts by reason and the newest samples (header names, never values). */
import type { Hono } from "hono";
import { sourceRejections } from "../admin";
import { loadConfig } from "../config";
import type { RejectSample } from "../metrics";
import type { DashboardBindings } from "./auth";
import { Layout, time } from "./layout";
import { Shown } from "./text";

interface View {
  source: string;
  counts: { "1h": Record<string, number>; "24h": Record<string, number> };
  samples: RejectSample[];
}

function RequestsPage({ sources, view, csrf }: { sources: string[]; view: View | null; csrf: string }) {
  return (
    <Layout title="Requests" csrf={csrf}>
      <p id="sources">
        Source:{" "}
        {sources.map((s) => (view?.source === s ? <b><Shown value={s} /></b> : <a href={`/dashboard/requests?source=${encodeURIComponent(s)}`}><Shown value={s} /></a>)).flatMap((el, i) => (i === 0 ? [el] : [" · ", el]))}
      </p>
      {view === null ? <p>Pick a source to see its rejected requests.</p> : (
        <>
          <h3>Rejected, by reason</h3>
          <table id="reasons"><tr><th>reason</th><th>last hour</th><th>last day</th></tr>
            {Object.keys({ ...view.counts["24h"], ...view.counts["1h"] }).sort().map((r) => <tr data-reason={r}><td><code>{r}</code></td><td>{view.counts["1h"][r] ?? 0}</td><td>{view.counts["24h"][r] ?? 0}</td></tr>)}
          </table>
          {Object.keys(view.counts["24h"]).length === 0 ? <p id="reasons-none">No rejected requests in the last day.</p> : null}
          <h3>Newest samples</h3>
          <p>Sampled (at most 5 per source per isolate every 3 s, 50 kept); counts above are exact. Header names only — their values are never kept.</p>
          {view.samples.length === 0 ? <p id="samples-none">No samples.</p> : (
            <table id="samples"><tr><th>at</th><th>reason</th><th>hint</th><th>header names</th><th>body</th><th>client</th></tr>
              {view.samples.map((s) => (
                <tr>
                  <td>{time(s.at)}</td><td><code>{s.code}</code></td><td><Shown value={s.hint} max={200} strictness="text" /></td>
                  <td class="headers"><Shown value={s.headerNames.join(", ")} max={600} /></td>
                  <td>{s.bodyBytes === null ? "not read" : `${s.bodyBytes} B`}{s.bodySha256 ? <div class="more"><code>sha256 {s.bodySha256.slice(0, 16)}…</code></div> : null}</td>
                  <td><Shown value={[s.clientIp, s.country].filter(Boolean).join(" · ") || "—"} /></td>
                </tr>
              ))}
            </table>
          )}
        </>
      )}
    </Layout>
  );
}

/** Register /dashboard/requests. */
export function requestPages(dash: Hono<DashboardBindings>): void {
  dash.get("/requests", async (c) => {
    const loaded = loadConfig(c.env);
    if (!loaded.ok) return c.text("the EDGEHOOK config is invalid; see the worker's config_invalid log line", 503);
    const sources = [...loaded.config.sources.keys()].sort();
    const picked = c.req.query("source");
    const view = picked !== undefined && loaded.config.sources.has(picked) ? await sourceRejections(c.env, picked, 50) : null;
    return c.html(<RequestsPage sources={sources} view={view} csrf={c.get("csrf")} />);
  });
}
