/** The dashboard's page frame: navigation, styles (inline, no build step), and the CSRF-carrying form helper. */
import type { Child } from "hono/jsx";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#cfd8ea;text-decoration:none}header a:hover{color:#fff}header b{margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.35rem .5rem;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th{font-weight:600;background:#eef0f4}code{font-size:12px}
.s-delivered{color:#17803d}.s-dead{color:#b42318;font-weight:600}.s-pending{color:#9a6700}.s-stale,.s-expired,.s-purged,.s-unrouted{color:#667085}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#fff;padding:.8rem 1rem;border:1px solid #e3e6ec;border-radius:6px;min-width:200px}
.card h3{margin:0 0 .3rem;font-size:13px;color:#667085}.big{font-size:22px;font-weight:600}
.chart{width:100%;max-width:480px;background:#fff;border:1px solid #e3e6ec;border-radius:6px}
.dot{fill:#3b6fd8}.bar-ok{fill:#32a852}.bar-fail{fill:#e5484d}.line{fill:none;stroke:#3b6fd8;stroke-width:2}.axis{font-size:10px;fill:#667085}.axis-line{stroke:#c3c8d2}
form.inline{display:inline}button{cursor:pointer;padding:.25rem .6rem;border:1px solid #aab2c0;border-radius:4px;background:#fff}
button.primary{background:#3b6fd8;color:#fff;border-color:#3b6fd8}.filters{display:flex;gap:.5rem;flex-wrap:wrap;margin-bottom:.8rem}
.filters input,.filters select{padding:.25rem}pre{background:#fff;border:1px solid #e3e6ec;padding:.6rem;overflow:auto;max-height:360px;white-space:pre-wrap;word-break:break-all}
ol.timeline{list-style:none;padding:0;border-left:3px solid #c3c8d2;margin-left:.4rem}ol.timeline li{padding:.2rem .8rem}
.signout{margin-left:auto}
h1,h3,code,.v{overflow-wrap:anywhere}
.esc{font:11px ui-monospace,monospace;color:#b42318;background:#fde8e8;border:1px solid #f4b4b4;border-radius:3px;padding:0 2px;margin:0 1px;white-space:nowrap}
.more{color:#667085;font-size:12px;white-space:nowrap}
.notice{background:#fff8e1;border:1px solid #f0d070;padding:.5rem .8rem;border-radius:4px;margin-bottom:.8rem}
`;

/** Full page: title (plain text; `heading` replaces it in the page), nav (with **Sign out** when `csrf` is given: a signed-in page), content. */
export function Layout({ title, heading, children, csrf }: { title: string; heading?: Child; children: Child; csrf?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Edgehook`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <b>Edgehook</b>
          {csrf !== undefined ? (
            <>
              <a href="/dashboard">Overview</a>
              <a href="/dashboard/events">Events</a>
              <a href="/dashboard/dead-letters">Dead letters</a>
              <a href="/dashboard/destinations">Destinations</a>
              <a href="/dashboard/alerts">Alerts</a>
              <a href="/dashboard/requests">Requests</a>
              <span class="signout"><Action action="/dashboard/logout" csrf={csrf} label="Sign out" /></span>
            </>
          ) : null}
        </header>
        <main>
          <h1>{heading ?? title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A POST form carrying the session's CSRF token. */
export function Action({ action, csrf, label, fields = {}, primary = false }: { action: string; csrf: string; label: string; fields?: Record<string, string>; primary?: boolean }) {
  return (
    <form method="post" action={action} class="inline">
      <input type="hidden" name="csrf" value={csrf} />
      {Object.entries(fields).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
      <button type="submit" class={primary ? "primary" : ""}>{label}</button>
    </form>
  );
}

/** A task or event status, coloured. */
export function Status({ status }: { status: string }) {
  return <span class={`s-${status}`}>{status}</span>;
}

/** A timestamp as ISO text (UTC), or a dash. */
export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * The link to an event's page (`action`: its payload download or replay). By query, never by path:
 * a path segment `.` or `..` is removed by URL normalisation in the browser and on the way in.
 */
export function eventHref(source: string, eventId: string, action?: "payload" | "replay" | "transform-test"): string {
  return `/dashboard/event${action ? `/${action}` : ""}?${new URLSearchParams({ source, id: eventId })}`;
}
