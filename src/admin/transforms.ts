/**
 * `POST /v1/transforms/:name/test`: run a transform on a sample event, or on a stored one, and show
 * its output. Nothing is sent and nothing is stored; the transform runs in the same sandbox as in
 * delivery (src/transform), so code that does not load, throws or loops shows here first.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { utf8 } from "../shared/bytes";
import { applyOutput, runInSandbox, transformInput, transformVersion, type ShapeInput } from "../transform";
import { audit } from "./audit";
import type { AdminBindings, AdminEnv } from "./env";
import { ledgerOf, payloadPreview } from "./events";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";
import { eventDetailSchema } from "./schemas";

const name = z.string().min(1).max(200);

/** A sample event: a JSON payload (or a text body) and optional identity and headers. */
const sampleEvent = z
  .object({
    source: name.default("sample"),
    eventId: z.string().min(1).max(512).default("evt_sample"),
    eventType: z.string().min(1).max(256).default("sample"),
    headers: z.record(z.string().max(128), z.string().max(4096)).default({}),
    payload: z.unknown().describe("the body: a string is sent as text, anything else as JSON"),
  })
  .strict();

/** Body: `{ event }` (a sample) or `{ source, eventId }` (a stored event). */
export const transformTestBody = z.union([
  z.object({ event: sampleEvent }).strict(),
  z.object({ source: name, eventId: z.string().min(1).max(1024) }).strict(),
]);

/** What the test answers: the output as it would be sent, or why the transform failed. */
export const transformTestResult = z.object({
  transform: z.string(),
  version: z.string().describe("first 16 hex digits of the SHA-256 of the code"),
  ok: z.boolean(),
  error: z.string().optional().describe("the transform threw, timed out, did not load, or returned an invalid output (a task would end transform_failed)"),
  dropped: z.boolean().optional().describe("the transform returned null (a task would end filtered)"),
  output: z
    .object({ payload: eventDetailSchema.shape.payload, headers: z.record(z.string(), z.string()), eventType: z.string(), path: z.string().nullable() })
    .optional(),
});

const transformParams = z.object({ name });

/** The answer of a transform test. */
export type TransformTestResult = z.infer<typeof transformTestResult>;

/**
 * A stored event as a transform sees it; null when its ledger holds nothing; `unreadable` when it is
 * encrypted under a key no longer configured (or fails its integrity check).
 */
export async function storedTransformInput(env: AdminEnv, source: string, eventId: string): Promise<ShapeInput | { unreadable: { reason: string; message: string } } | null> {
  const ledger = ledgerOf(env, source, eventId);
  const [view, payload] = await Promise.all([ledger.inspect(), ledger.payload()]);
  if (!view || !payload) return null;
  if (!payload.ok) return { unreadable: { reason: payload.reason, message: payload.message } };
  return { source: view.event.source, eventId: view.event.eventId, eventType: view.event.eventType, headers: view.event.headers, payload: payload.payload };
}

/**
 * Run a transform on an event in the delivery sandbox and describe the output (nothing sent or stored).
 * @example await testTransform(env, "slim", code, event) // { ok: true, dropped: false, output: {…} }
 */
export async function testTransform(env: AdminEnv, name: string, code: string, event: ShapeInput): Promise<TransformTestResult> {
  const version = await transformVersion(code);
  const run = await runInSandbox(env, code, transformInput(event));
  const applied = run.ok ? applyOutput(event, run.output) : run;
  if (!applied.ok) return { transform: name, version, ok: false, error: applied.error };
  const { shaped } = applied;
  if (shaped.dropped) return { transform: name, version, ok: true, dropped: true };
  return { transform: name, version, ok: true, dropped: false, output: { payload: payloadPreview(shaped.payload), headers: shaped.headers, eventType: shaped.eventType, path: shaped.path } };
}

/** Register the transform test route. */
export function transformRoutes(api: Hono<AdminBindings>): void {
  const spec = {
    method: "post", path: "/v1/transforms/:name/test", tag: "transforms",
    summary: "Run a transform on a sample event ({event}) or a stored one ({source, eventId}); nothing is sent or stored",
    params: transformParams, body: transformTestBody,
    responses: { 200: { description: "the output, or the failure a task would record", schema: transformTestResult }, 404: { description: "no such transform, or the stored event is not found" }, 409: { description: "the stored event is encrypted under a key no longer configured (encryption_key_unavailable) or unreadable" } },
  } as const;
  route(api, spec, async (c, { params, body }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const transforms = config.raw.transforms;
    if (!Object.hasOwn(transforms, params.name)) return apiError(c, 404, "not_found", "no such transform in the EDGEHOOK config");
    const code = transforms[params.name]!.code;
    let event: ShapeInput;
    if ("event" in body) {
      const { payload, ...identity } = body.event;
      event = { ...identity, payload: utf8(typeof payload === "string" ? payload : JSON.stringify(payload ?? null)) };
    } else {
      const stored = await storedTransformInput(c.env, body.source, body.eventId);
      if (!stored) return apiError(c, 404, "not_found", "no stored event with that source and id (its dedupe window may have passed)");
      if ("unreadable" in stored) return apiError(c, 409, stored.unreadable.reason, stored.unreadable.message);
      event = stored;
    }
    const result = await testTransform(c.env, params.name, code, event);
    audit(c, "transform_test", { transform: params.name, version: result.version });
    return c.json(result);
  });
}
