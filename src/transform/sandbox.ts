/**
 * Run transform code in a Dynamic Worker (Worker Loader binding): no network (`globalOutbound: null`),
 * no bindings, no secrets (`env: {}`), a CPU limit, a loop budget, a wall-clock timeout and an output
 * size limit. Isolates are cached by the loader under a hash of the code.
 */
import { sha256Hex, utf8 } from "../shared/bytes";
import { guardLoops, ITER, TICK } from "./instrument";

/** Bindings the sandbox needs. */
export interface TransformEnv {
  LOADER?: WorkerLoader;
}

/** CPU per call, enforced by Cloudflare (a local workerd ignores it: the loop budget covers that case). */
export const TRANSFORM_CPU_MS = 50;
/** Wall-clock limit per call (awaits that never settle, a slow isolate start). */
export const TRANSFORM_TIMEOUT_MS = 2_000;
/** Loop iterations per call, across all loops of the transform (see instrument.ts). */
export const LOOP_BUDGET = 5_000_000;
/** Largest output (its JSON text) a transform may return. */
export const TRANSFORM_OUTPUT_BYTES = 256 * 1024;
/** Largest transform source. */
export const TRANSFORM_CODE_BYTES = 64 * 1024;

/** Bumped when the wrapper below changes, so cached isolates of older wrappers are not reused. */
const WRAPPER_VERSION = "1";
const COMPATIBILITY_DATE = "2026-10-01";

/** The sandbox's answer: the transform's return value, or why there is none. */
export type SandboxResult = { ok: true; output: unknown } | { ok: false; error: string };

const GUARD = `let left = 0, spent = false;
export function reset(n) { left = n; spent = false; }
export function exhausted() { return spent; }
export function ${TICK}() {
  if (--left < 0) { spent = true; throw new Error("the transform ran more than ${LOOP_BUDGET} loop iterations (a runaway loop?)"); }
  return true;
}
export function* ${ITER}(items) { for (const item of items) { ${TICK}(); yield item; } }
`;

const MAIN = `import * as user from "./transform.js";
import { reset, exhausted } from "./guard.js";
const answer = (body) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
export default {
  async fetch(request) {
    const event = await request.json();
    if (typeof user.default !== "function") return answer({ ok: false, error: "the module has no default export function transform(event)" });
    reset(${LOOP_BUDGET});
    let output;
    try {
      output = await user.default(event);
    } catch (error) {
      return answer({ ok: false, error: exhausted() ? "the transform ran more than ${LOOP_BUDGET} loop iterations (a runaway loop?)" : String(error && error.stack || error) });
    }
    if (exhausted()) return answer({ ok: false, error: "the transform ran more than ${LOOP_BUDGET} loop iterations (a runaway loop?)" });
    if (output === undefined) return answer({ ok: false, error: "the transform returned undefined; return an object, or null to drop the event" });
    let text;
    try { text = JSON.stringify({ ok: true, output }); } catch (error) { return answer({ ok: false, error: "the output is not JSON: " + String(error) }); }
    if (text.length > ${TRANSFORM_OUTPUT_BYTES}) return answer({ ok: false, error: "the output is larger than ${TRANSFORM_OUTPUT_BYTES} bytes" });
    return new Response(text, { headers: { "content-type": "application/json" } });
  },
};
`;

const versions = new Map<string, Promise<string>>();

/**
 * A transform version: the first 16 hex digits of the SHA-256 of its code.
 * @example await transformVersion("export default (e) => e") // "3f2a…"
 */
export function transformVersion(code: string): Promise<string> {
  let version = versions.get(code);
  if (!version) {
    version = sha256Hex(utf8(code)).then((hex) => hex.slice(0, 16));
    if (versions.size > 100) versions.clear();
    versions.set(code, version);
  }
  return version;
}

/** The Dynamic Worker for a transform's code (cached by the loader under `id`). */
function worker(loader: WorkerLoader, id: string, code: string): WorkerStub {
  return loader.get(`transform:${WRAPPER_VERSION}:${id}`, () => ({
    compatibilityDate: COMPATIBILITY_DATE,
    mainModule: "main.js",
    modules: {
      "main.js": MAIN,
      "guard.js": GUARD,
      // On the first line, so the user's line numbers in stack traces stay as written.
      "transform.js": `import { ${TICK}, ${ITER} } from "./guard.js"; ${guardLoops(code)}`,
    },
    globalOutbound: null,
    env: {},
  }));
}

/** Resolves with `value` after `ms` (cleared by `done`). */
function timeout<T>(ms: number, value: T): { promise: Promise<T>; done: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(value), ms)));
  return { promise, done: () => timer !== undefined && clearTimeout(timer) };
}

/**
 * Run a transform on one event. Never throws: a missing loader, code that does not load, a throw, a
 * timeout or an oversized output is `{ ok: false, error }`.
 */
export async function runInSandbox(env: TransformEnv, code: string, event: unknown): Promise<SandboxResult> {
  if (!env.LOADER) return { ok: false, error: "no Worker Loader binding LOADER (add [[worker_loaders]] binding = \"LOADER\" to wrangler.toml)" };
  if (utf8(code).byteLength > TRANSFORM_CODE_BYTES) return { ok: false, error: `the code is larger than ${TRANSFORM_CODE_BYTES} bytes` };
  const version = await transformVersion(code);
  const limit = timeout(TRANSFORM_TIMEOUT_MS, "timeout" as const);
  const call = (async (): Promise<SandboxResult> => {
    const entry = worker(env.LOADER!, version, code).getEntrypoint(undefined, { limits: { cpuMs: TRANSFORM_CPU_MS, subRequests: 0 } });
    const response = await entry.fetch("https://transform.edgehook.internal/", { method: "POST", body: JSON.stringify(event) });
    const text = await response.text();
    if (text.length > TRANSFORM_OUTPUT_BYTES + 64) return { ok: false, error: `the output is larger than ${TRANSFORM_OUTPUT_BYTES} bytes` };
    return JSON.parse(text) as SandboxResult;
  })().catch((error: unknown): SandboxResult => ({ ok: false, error: `the transform did not load or crashed: ${String((error as Error)?.message ?? error)}` }));
  try {
    const result = await Promise.race([call, limit.promise]);
    return result === "timeout" ? { ok: false, error: `the transform did not finish within ${TRANSFORM_TIMEOUT_MS} ms` } : result;
  } finally {
    limit.done();
  }
}

/**
 * Whether code loads and exports a transform function: runs it once on a tiny event. For
 * `npm run check` and the test endpoint (loadConfig is synchronous and has no loader).
 */
export async function checkTransformLoads(env: TransformEnv, code: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const result = await runInSandbox(env, code, { source: "check", eventId: "check", eventType: "check", headers: {}, payload: {}, raw: "" });
  // A transform may throw on a sample it was not written for; only load failures count here.
  if (!result.ok && /did not load|no default export|larger than/.test(result.error)) return result;
  return { ok: true };
}
