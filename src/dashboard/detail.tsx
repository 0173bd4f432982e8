/** The event page: metadata, headers, payload, and per destination an attempts timeline and replay buttons. */
import type { TransformTestResult } from "../admin";
import type { Conflicts, LedgerView } from "../ledger";
import type { EventLinks } from "../workflow";
import { Action, eventHref, Layout, Status, time } from "./layout";
import { plain, Shown } from "./text";

/** What the event page can show beside the ledger: each destination's configured transform, and a test run's output. */
export interface TransformPanel {
  /** Destination → the transform its deliveries of this event go through now. */
  transforms: Record<string, string>;
  preview?: { destination: string; result: TransformTestResult };
}

/** Event detail with attempts timeline. */
export function EventPage({ view, payload, links, csrf, panel }: { view: LedgerView; payload: { encoding: string; data: string; truncated: boolean } | null; links?: EventLinks; csrf: string; panel?: TransformPanel }) {
  const { event, tasks } = view;
  const replay = eventHref(event.source, event.eventId, "replay");
  const testAction = eventHref(event.source, event.eventId, "transform-test");
  return (
    <Layout title={`${plain(event.source)} / ${plain(event.eventId)}`} heading={<><Shown value={event.source} /> / <Shown value={event.eventId} /></>} csrf={csrf}>
      <table>
        <tbody>
          {event.providerEventId !== undefined ? <tr><th>provider id</th><td><code><Shown value={event.providerEventId} /></code></td></tr> : null}
          <tr><th>type</th><td id="type"><Shown value={event.eventType} /></td></tr>
          <tr><th>received</th><td>{time(event.receivedAt)}</td></tr>
          <tr><th>occurred</th><td>{time(event.occurredAt)}</td></tr>
          <tr><th>ordering key</th><td>{event.orderingKey === null ? "—" : <Shown value={event.orderingKey} />}</td></tr>
          <tr><th>payload</th><td>{event.payloadBytes} bytes · <a href={eventHref(event.source, event.eventId, "payload")} download="payload.bin">download raw</a></td></tr>
          {event.encryption ? <tr><th>encryption</th><td>AES-256-GCM, key id <code>{event.encryption.keyId}</code> (<Shown value={event.encryption.keyName} />)</td></tr> : null}
          <tr><th>body sha-256</th><td><code>{event.bodySha256 ?? "—"}</code></td></tr>
          <tr><th>filtered out</th><td>{event.filtered.length === 0 ? "—" : <Shown value={event.filtered.join(", ")} />}</td></tr>
          <tr><th>headers</th><td>{Object.entries(event.headers).map(([k, v]) => <div><code><Shown value={k} />: <Shown value={v} /></code></div>)}</td></tr>
        </tbody>
      </table>
      {event.conflicts ? <Conflicting conflicts={event.conflicts} /> : null}
      {links && (links.parent || links.children.length > 0) ? <Chain links={links} /> : null}
      <h2>Destinations</h2>
      {tasks.length === 0 ? <p>Routed to no destination.</p> : null}
      {tasks.map((t) => (
        <section class="task" data-destination={t.destination}>
          <h3>
            <Shown value={t.destination} />: <Status status={t.status} /> · {t.attempts} attempt{t.attempts === 1 ? "" : "s"} · webhook-id <code><Shown value={t.webhookId} /></code>{" "}
            {t.status === "dead" ? <Action action={replay} csrf={csrf} label="Replay" fields={{ destination: t.destination }} primary /> : null}
            {t.status === "delivered" ? <Action action={replay} csrf={csrf} label="Send again" fields={{ destination: t.destination, includeDelivered: "1" }} /> : null}
            {t.status === "filtered" ? <Action action={replay} csrf={csrf} label="Replay" fields={{ destination: t.destination, includeFiltered: "1" }} /> : null}
            {panel?.transforms[t.destination] ? <Action action={testAction} csrf={csrf} label={`Test transform ${panel.transforms[t.destination]}`} fields={{ destination: t.destination }} /> : null}
          </h3>
          {panel?.preview?.destination === t.destination ? <TransformPreview result={panel.preview.result} /> : null}
          {t.transform ? (
            <p class="transform">
              transform <code><Shown value={t.transform.name} /></code> version <code>{t.transform.version}</code> · {time(t.transform.at)} ·{" "}
              {t.transform.dropped ? "returned null (not sent)" : `sent ${t.transform.bytes ?? 0} bytes`}
            </p>
          ) : null}
          <ol class="timeline">
            {t.log.map((a) => (
              <li>
                {time(a.at)} · attempt {a.attempt} · <b>{a.status === 0 ? "no response" : a.status}</b> · {a.latencyMs} ms{a.error ? <> · <Shown value={a.error} strictness="text" /></> : null}
                {a.snippet ? <div><code><Shown value={a.snippet} strictness="text" /></code></div> : null}
              </li>
            ))}
            {t.status === "pending" ? <li>next attempt due {time(t.dueAt)}</li> : null}
          </ol>
        </section>
      ))}
      <h2>Payload{payload?.truncated ? " (first 64 KiB)" : ""}</h2>
      {payload ? <pre id="payload">{payload.encoding === "base64" ? `(binary, base64) ${payload.data}` : <Shown value={payload.data} strictness="text" />}</pre> : <p>{event.encryption?.problem ? `Not readable: ${event.encryption.problem.message}` : "Not stored."}</p>}
    </Layout>
  );
}

/** Chain links: the task this callback event reports on, and the callback events this event's tasks started. */
function Chain({ links }: { links: EventLinks }) {
  return (
    <section id="chain">
      <h2>Chain</h2>
      {links.parent ? (
        <p id="parent">
          reports on <a href={eventHref(links.parent.source, links.parent.eventId)}><Shown value={links.parent.source} /> / <Shown value={links.parent.eventId} /></a> → <Shown value={links.parent.destination} />
        </p>
      ) : null}
      {links.children.length > 0 ? (
        <ul id="children">
          {links.children.map((child) => (
            <li>
              <Shown value={child.from} /> {child.kind} → <a href={eventHref(child.source, child.eventId)}><Shown value={child.eventId} /></a>
              {child.to ? <> → <Shown value={child.to.destination} />: <Status status={child.to.status} /></> : " (refused: hop limit or loop)"}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** A transform test run on this event: what it would send now (nothing was sent or stored). */
function TransformPreview({ result }: { result: TransformTestResult }) {
  return (
    <div class="transform-test" id="transform-test">
      <p>
        Test of transform <code><Shown value={result.transform} /></code> version <code>{result.version}</code> on this event (nothing sent):{" "}
        {!result.ok ? <b>fails: a task would end transform_failed</b> : result.dropped ? <b>returns null: a task would end filtered</b> : <b>would send</b>}
      </p>
      {result.error !== undefined ? <pre><Shown value={result.error} strictness="text" /></pre> : null}
      {result.output ? (
        <>
          <p>type <code><Shown value={result.output.eventType} /></code>{result.output.path !== null ? <> · path <code><Shown value={result.output.path} /></code></> : null}</p>
          {Object.entries(result.output.headers).map(([k, v]) => <div><code><Shown value={k} />: <Shown value={v} /></code></div>)}
          <pre>{result.output.payload?.encoding === "base64" ? `(binary, base64) ${result.output.payload.data}` : <Shown value={result.output.payload?.data ?? ""} strictness="text" />}</pre>
        </>
      ) : null}
    </div>
  );
}

/** Copies that came with this event's id but another body: the stored (first) body stays the event. */
function Conflicting({ conflicts }: { conflicts: Conflicts }) {
  const hidden = conflicts.total - conflicts.copies.reduce((n, c) => n + c.count, 0);
  return (
    <section id="conflicts">
      <h2>Conflicting copies: {conflicts.total}</h2>
      <p>Validly signed copies with this event id and another body. The body above (received first) is the event; these were answered duplicate and not delivered.</p>
      <table>
        <thead><tr><th>body sha-256</th><th>bytes</th><th>first received</th><th>copies</th></tr></thead>
        <tbody>
          {conflicts.copies.map((c) => (
            <tr><td><code>{c.sha256}</code></td><td>{c.bytes}</td><td>{time(c.receivedAt)}</td><td>{c.count}</td></tr>
          ))}
        </tbody>
      </table>
      {hidden > 0 ? <p>{hidden} more with other bodies (only the first {conflicts.copies.length} distinct bodies are kept).</p> : null}
    </section>
  );
}
