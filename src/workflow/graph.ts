/**
 * Pure config-time checks of the callback graph (docs/workflows.md, "Chained webhooks"): every
 * `callback` / `failureCallback` names a destination, no loop, no chain longer than `maxHops`.
 * Imported by the config schema directly (not through the stage face, which pulls in bindings).
 */

/** The destination fields the checks read. */
interface CallbackFields {
  callback?: string | undefined;
  failureCallback?: string | undefined;
  callbackTtlSeconds: number;
  batch?: unknown;
}

/** One problem, shaped as a zod custom issue. */
export interface GraphProblem {
  path: (string | number)[];
  message: string;
}

/** The destinations an outcome at `name` can lead to. */
function nextOf(destinations: Record<string, CallbackFields>, name: string): string[] {
  const d = destinations[name];
  if (!d) return [];
  return [...new Set([d.callback, d.failureCallback].filter((n): n is string => n !== undefined && Object.hasOwn(destinations, n)))];
}

/**
 * Problems of the callback graph: unknown targets, callbacks on batch destinations, tokens outliving
 * the dedupe window, cycles (refused: a loop would never end) and chains with more than `maxHops` hops.
 * @example callbackGraphProblems({ a: { callback: "a", callbackTtlSeconds: 60 } }, { maxHops: 8, dedupeWindowSeconds: 3600 }) // one cycle problem
 */
export function callbackGraphProblems(destinations: Record<string, CallbackFields>, settings: { maxHops: number; dedupeWindowSeconds: number }): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const [name, d] of Object.entries(destinations)) {
    for (const field of ["callback", "failureCallback"] as const) {
      const target = d[field];
      if (target !== undefined && !Object.hasOwn(destinations, target)) {
        problems.push({ path: ["destinations", name, field], message: `destination "${target}" is not defined under destinations` });
      }
    }
    if (d.batch && (d.callback !== undefined || d.failureCallback !== undefined)) {
      problems.push({ path: ["destinations", name, "batch"], message: "a callback reports one task's response; a batched destination answers many events at once, so it cannot have callback or failureCallback" });
    }
    if (d.callback !== undefined && d.callbackTtlSeconds > settings.dedupeWindowSeconds) {
      problems.push({ path: ["destinations", name, "callbackTtlSeconds"], message: `must be at most settings.dedupeWindowSeconds (${settings.dedupeWindowSeconds}): a result posted after its event id is forgotten would be accepted twice` });
    }
  }
  // Longest chain from each destination (in hops), with cycle detection by DFS colouring.
  const depth = new Map<string, number>();
  const onStack = new Set<string>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (onStack.has(name)) {
      const loop = [...trail.slice(trail.indexOf(name)), name];
      const key = [...loop].sort().join("\u0000");
      if (!reported.has(key)) {
        reported.add(key);
        problems.push({ path: ["destinations", loop[0]!, "callback"], message: `callbacks form a loop (${loop.join(" → ")}); every event would start the next forever, so break the loop` });
      }
      return 0;
    }
    onStack.add(name);
    let longest = 0;
    for (const next of nextOf(destinations, name)) longest = Math.max(longest, 1 + visit(next, [...trail, name]));
    onStack.delete(name);
    depth.set(name, longest);
    return longest;
  };
  for (const name of Object.keys(destinations)) {
    const hops = visit(name, []);
    if (hops > settings.maxHops) {
      problems.push({ path: ["destinations", name, "callback"], message: `a chain starting here has ${hops} callback hops, more than settings.maxHops (${settings.maxHops}); shorten it or raise maxHops` });
    }
  }
  return problems;
}

/** The Worker secret that signs `edgehook-callback-url` tokens (HMAC-SHA256 key; docs/workflows.md). */
export const CALLBACK_SECRET_NAME = "EDGEHOOK_CALLBACK_SECRET";

/** Shortest accepted callback secret: 32 characters (e.g. `openssl rand -base64 32`). */
export const MIN_CALLBACK_SECRET_LENGTH = 32;

/**
 * What a config with callbacks needs besides the schema: the signing secret and the public URL the
 * tokens are served under. Fail closed: without them no callback URL could be issued or checked.
 */
export function callbackSetupProblems(config: { destinations: Record<string, { callback?: string | undefined }>; settings: { publicUrl?: string | undefined } }, bindings: Record<string, unknown>): string[] {
  const withCallback = Object.keys(config.destinations).filter((n) => config.destinations[n]!.callback !== undefined);
  if (withCallback.length === 0) return [];
  const problems: string[] = [];
  const secret = bindings[CALLBACK_SECRET_NAME];
  const where = `EDGEHOOK.destinations.${withCallback[0]}.callback`;
  if (typeof secret !== "string" || secret.length === 0) {
    problems.push(`${where}: Worker secret "${CALLBACK_SECRET_NAME}" is not set; it signs edgehook-callback-url tokens (wrangler secret put ${CALLBACK_SECRET_NAME}; locally, .dev.vars)`);
  } else if (secret.length < MIN_CALLBACK_SECRET_LENGTH) {
    problems.push(`${where}: Worker secret "${CALLBACK_SECRET_NAME}" is shorter than ${MIN_CALLBACK_SECRET_LENGTH} characters; use a random value (openssl rand -base64 32)`);
  }
  if (config.settings.publicUrl === undefined) {
    problems.push(`EDGEHOOK.settings.publicUrl: needed by ${where}: the public base URL of this worker (https://hooks.example.com), under which edgehook-callback-url is issued`);
  }
  return problems;
}
