/**
 * Hostile but valid (issue 12, "Prove"): fast-check generates VALIDLY SIGNED events for every scheme
 * family whose ids, types, ordering keys, bodies and headers are adversarial (test/support/hostile.ts).
 * Every one must end either accepted (202, or 200 duplicate of an id accepted before) and then
 * delivered exactly once to the real sink with a valid outbound Standard Webhooks signature, or
 * refused with a documented 4xx before anything is stored. Zero 5xx; no consumer message retried as
 * an infrastructure error more than a handful of times; everything stored is listed by the admin API.
 *
 * Seeded and reproducible: HOSTILE_RUNS (per family, default 40) and HOSTILE_SEED pick the size and
 * the seed (test/support/global-setup.ts passes them in). A failing ingest answer is shrunk by
 * fast-check; a failing delivery names the generated event.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { errorResponse, type ErrorCode } from "../../src/ingest/errors";
import { TEST_SECRETS } from "../support/fixtures";
import { FAMILIES, fallbackId, specArb, type Built, type Family, type Spec } from "../support/hostile";
import { api, apiJson } from "./admin-helpers";
import { inspect, post, received, waitFor } from "./helpers";

/** Every public error code (a compile error here when src/ingest/errors.ts gains one). */
const DOCUMENTED: Record<ErrorCode, true> = {
  source_unknown: true,
  method_not_allowed: true,
  ip_not_allowed: true,
  payload_too_large: true,
  signature_missing: true,
  signature_invalid: true,
  signature_header_too_large: true,
  timestamp_out_of_tolerance: true,
  payload_malformed: true,
  event_identity_invalid: true,
  callback_token_invalid: true,
  callback_token_expired: true,
  callback_conflict: true,
  not_found: true,
  unavailable: true,
  internal: true,
};
const REFUSALS = new Set(Object.keys(DOCUMENTED).filter((code) => errorResponse(code as ErrorCode, "").status < 500));

const RUNS = inject("hostileRuns") || 40;
const SEED = inject("hostileSeed") || 20_261_201;

/** One accepted event, as the model remembers it. */
interface Accepted {
  id: string;
  built: Built;
  spec: Spec;
}

/** Per family: what happened, for the figures in docs/reliability.md. */
interface Figures {
  family: string;
  runs: number;
  accepted: number;
  duplicates: number;
  refused: Record<string, number>;
  serverErrors: number;
  maxAttempts: number;
  /** Copies the sink got again after an attempt whose answer the gateway lost (same webhook-id). */
  resentAfterLostAnswer: number;
  maxInfraRetries: number;
}
const figures: Figures[] = [];

/** A percent-encoded header value decoded, or a note saying it is not one. */
function decoded(value: string | undefined): string {
  try {
    return decodeURIComponent(value ?? "(missing)");
  } catch {
    return `(not percent-decodable: ${JSON.stringify(value).slice(0, 80)})`;
  }
}

/** UTF-8 that keeps a leading BOM (the default decoder drops it). */
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** A header value as Node read it (one char per byte), decoded as the UTF-8 it was sent as. */
const utf8FromLatin1 = (value: string | undefined) => (value === undefined ? "(missing)" : utf8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0))));

const show = (spec: Spec) => JSON.stringify(spec, (_k, v) => (typeof v === "string" && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));

/**
 * Consumer lines reporting an infrastructure error, counted per ledger (`<source>:<id>`). One watch
 * for the whole file: a message retried late still counts against its own family.
 */
const infraErrors = new Map<string, number>();
function watchConsumerErrors() {
  const original = console.error;
  return vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    try {
      const line = JSON.parse(String(args[0])) as { msg?: string; ledger?: string };
      if (line.msg === "consumer_error") infraErrors.set(line.ledger ?? "?", (infraErrors.get(line.ledger ?? "?") ?? 0) + 1);
    } catch {
      /* not a JSON line */
    }
    original(...args);
  });
}

/** Most infrastructure retries of one message: the consumer must give up on a message it can never deliver. */
const MAX_INFRA_RETRIES = 3;

/** Every event of a source the index lists (admin API, all pages). */
async function indexed(source: string): Promise<{ eventId: string; eventType: string; status: string }[]> {
  const out: { eventId: string; eventType: string; status: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { eventId: string; eventType: string; status: string }[]; nextCursor: string | null } = await apiJson(`/v1/events?source=${source}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, 200);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function runFamily(family: Family, index: number): Promise<void> {
  const fig: Figures = { family: family.name, runs: 0, accepted: 0, duplicates: 0, refused: {}, serverErrors: 0, maxAttempts: 0, resentAfterLostAnswer: 0, maxInfraRetries: 0 };
  figures.push(fig);
  const accepted = new Map<string, Accepted>();
  // 1. Ingest: each answer is checked at once (and shrunk by fast-check when wrong).
  await fc.assert(
    fc.asyncProperty(specArb, async (spec) => {
      fig.runs++;
      const built = await family.build(spec, Date.now());
      const res = await post(family.source, built.signed);
      const text = await res.text();
      const where = `${family.source} answered ${res.status} ${text.slice(0, 300)} for ${show(spec)}`;
      if (res.status >= 500) fig.serverErrors++;
      expect(res.status, where).toBeLessThan(500);
      const e = built.expect;
      if (res.status >= 400) {
        const code = (JSON.parse(text) as { error: { code: string } }).error.code;
        fig.refused[code] = (fig.refused[code] ?? 0) + 1;
        expect(REFUSALS.has(code), `undocumented code: ${where}`).toBe(true);
        expect(res.status, where).toBe(errorResponse(code as ErrorCode, "").status);
        if (e.mustRefuse) expect(code, where).toBe(e.mustRefuse);
        else expect(e.mayRefuse, `a valid event was refused: ${where}`).toBe(true);
        // Refused before storage: no ledger state under the id it would have had.
        const id = e.id ?? (await fallbackId(built.bodyText));
        if (id !== "" && !accepted.has(id)) {
          expect(await inspect(family.source, id), `stored although refused: ${where}`).toBeNull();
        }
        return;
      }
      expect(e.mustRefuse, `should have been refused (${e.mustRefuse}): ${where}`).toBeUndefined();
      const answer = JSON.parse(text) as { status: string; id: string };
      const id = e.id ?? (await fallbackId(built.bodyText));
      expect(answer.id, `the event id: ${where}`).toBe(id);
      if (accepted.has(id)) {
        // The same id accepted before: a duplicate, never a second acceptance.
        expect([res.status, answer.status], where).toEqual([200, "duplicate"]);
        fig.duplicates++;
      } else {
        expect([res.status, answer.status], `a new id must be accepted: ${where}`).toEqual([202, "accepted"]);
        accepted.set(id, { id, built, spec });
        fig.accepted++;
      }
    }),
    { numRuns: RUNS, seed: SEED + index },
  );

  // 2. Delivery: every accepted event delivered exactly once, signed, byte for byte, with its identity intact.
  const sink = new Webhook(TEST_SECRETS.SINK_SECRET);
  const webhookIds = new Map<string, Accepted & { log: { status: number }[] }>();
  /** One deadline for all: a stuck event fails with its tasks' state, without a wait per event. */
  const settleBy = Date.now() + 20_000;
  for (const a of accepted.values()) {
    const about = `${family.source}:${JSON.stringify(a.id).slice(0, 120)} from ${show(a.spec)}`;
    let view = await inspect(family.source, a.id);
    while ((!view || view.tasks.some((t) => t.status === "pending")) && Date.now() < settleBy) {
      await new Promise((r) => setTimeout(r, 100));
      view = await inspect(family.source, a.id);
    }
    if (!view) expect.fail(`${about} was answered 202 but is not stored`);
    expect(view.event.eventId, about).toBe(a.id);
    expect(view.event.eventType, about).toBe(a.built.expect.type);
    expect(view.event.orderingKey, about).toBe(a.built.expect.key);
    if (a.built.expect.providerEventId !== undefined) expect(view.event.providerEventId ?? null, `provider id of ${about}`).toBe(a.built.expect.providerEventId);
    const tasks = JSON.stringify(view.tasks.map((t) => ({ status: t.status, attempts: t.attempts, lastStatus: t.lastStatus, lastError: t.lastError, log: t.log.slice(-1) })));
    expect(view.tasks.map((t) => t.status), `${about}: ${tasks}`).toEqual(["delivered"]);
    fig.maxAttempts = Math.max(fig.maxAttempts, ...view.tasks.map((t) => t.attempts));
    // The admin API can open it and hand back its body, whatever the id holds (docs/api.md, by query).
    const q = `source=${encodeURIComponent(family.source)}&id=${encodeURIComponent(a.id)}`;
    const detail = await apiJson<{ event: { eventId: string } }>(`/v1/event?${q}`, 200);
    expect(detail.event.eventId, `admin detail of ${about}`).toBe(a.id);
    const payload = await api(`/v1/event/payload?${q}`);
    expect(payload.status, `admin payload of ${about}`).toBe(200);
    expect(utf8.decode(await payload.arrayBuffer()) === a.built.bodyText, `admin payload of ${about}, byte for byte`).toBe(true);
    webhookIds.set(view.tasks[0]!.webhookId, { ...a, log: view.tasks[0]!.log });
  }
  // A moment for any late second delivery to show up before counting.
  await new Promise((r) => setTimeout(r, 1000));
  const got = await received(family.sinkPath);
  for (const [webhookId, a] of webhookIds) {
    const about = `${family.source}:${JSON.stringify(a.id).slice(0, 120)} from ${show(a.spec)}`;
    const copies = got.filter((r) => r.webhookId === webhookId);
    // Exactly once, unless the gateway lost an answer (a transport timeout on a loaded machine): the
    // sink always answers 200, so each extra copy must match an attempt the ledger recorded with no
    // response (status 0), and is sent with the same webhook-id, for the receiver to drop.
    const lostAnswers = a.log.filter((attempt) => attempt.status === 0).length;
    expect(copies.length, `deliveries of ${about}: ${JSON.stringify(a.log)}`).toBeGreaterThanOrEqual(1);
    expect(copies.length - 1, `extra deliveries of ${about} without a lost answer: ${JSON.stringify(a.log)}`).toBeLessThanOrEqual(lostAnswers);
    expect(a.log.filter((attempt) => attempt.status >= 200 && attempt.status < 300), `one successful attempt of ${about}`).toHaveLength(1);
    fig.resentAfterLostAnswer += copies.length - 1;
    const [r] = copies;
    // The sink verifies with the standardwebhooks library, whose verify() also JSON-parses the body:
    // for a form body (twilio) check the signature with the same library's sign() instead.
    const signature = sink.sign(webhookId, new Date(Number(r!.headers["webhook-timestamp"]) * 1000), r!.body);
    expect(r!.headers["webhook-signature"]!.split(" "), `outbound signature of ${about}`).toContain(signature);
    // (The library's verify() JSON-parses the body, which JSON.parse refuses with a leading BOM.)
    if (family.jsonBody && !a.built.bodyText.startsWith("\ufeff")) {
      expect(r!.verified, `the sink verified the signature of ${about}`).toBe(true);
      expect(() => sink.verify(r!.body, r!.headers), about).not.toThrow();
    }
    // Forwarded request headers arrive as they came (Node reads header bytes as Latin-1).
    for (const [name, value] of Object.entries(a.built.forwarded ?? {})) {
      expect(utf8FromLatin1(r!.headers[name]), `forwarded ${name} of ${about}`).toBe(value);
    }
    // Identity headers carry a safe encoding that decodes to the exact id and type.
    expect(decoded(r!.headers["edgehook-event-id"]), `edgehook-event-id of ${about}`).toBe(a.id);
    expect(decoded(r!.headers["edgehook-event-type"]), `edgehook-event-type of ${about}`).toBe(a.built.expect.type);
    expect(r!.body === a.built.bodyText, `body delivered byte for byte: ${about}`).toBe(true);
  }
  // Nothing else reached the destination (no refused event, no copy under another webhook-id).
  expect(got.filter((r) => !webhookIds.has(r.webhookId)), `requests at ${family.sinkPath} for no accepted event`).toEqual([]);

  // 3. Index: every stored event is listed, delivered; no refused id is.
  const rows = await waitFor(async () => {
    const list = await indexed(family.source);
    return list.filter((r) => r.status === "delivered").length >= accepted.size ? list : undefined;
  }, 15_000, `${family.source} in the index`);
  expect(new Set(rows.map((r) => r.eventId)), `indexed ids of ${family.source}`).toEqual(new Set(accepted.keys()));
  expect(rows.length, `one row per event of ${family.source}`).toBe(accepted.size);
  for (const row of rows) {
    expect(row.status, row.eventId).toBe("delivered");
    expect(row.eventType, row.eventId).toBe(accepted.get(row.eventId)!.built.expect.type);
  }

  // 4. No message looped on infrastructure errors.
  const own = [...infraErrors].filter(([ledger]) => ledger.startsWith(`${family.source}:`));
  fig.maxInfraRetries = Math.max(0, ...own.map(([, n]) => n));
  expect(fig.maxInfraRetries, `consumer_error lines per message: ${JSON.stringify(own).slice(0, 500)}`).toBeLessThanOrEqual(MAX_INFRA_RETRIES);
}

describe("hostile but valid: every validly signed event is delivered exactly once or refused before storage", () => {
  let spy: ReturnType<typeof watchConsumerErrors>;
  beforeAll(() => void (spy = watchConsumerErrors()));

  FAMILIES.forEach((family, index) => {
    it(`${family.name} × ${RUNS}`, { timeout: 30_000 + RUNS * 3_000 }, () => runFamily(family, index));
  });

  afterAll(() => {
    spy.mockRestore();
    // The figures for docs/reliability.md.
    console.log(`hostile suite (seed ${SEED}, ${RUNS} runs per family):\n${figures.map((f) => JSON.stringify(f)).join("\n")}`);
    // Late retries of any family's messages count too.
    expect(Math.max(0, ...infraErrors.values()), `consumer_error lines per message: ${JSON.stringify([...infraErrors]).slice(0, 500)}`).toBeLessThanOrEqual(MAX_INFRA_RETRIES);
  });
});
