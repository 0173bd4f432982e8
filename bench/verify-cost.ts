/**
 * The cost side of bench/verify.mjs (issue 12 item 1): forged requests that a sender without any
 * secret can make, verified through the real preset verifier, beside a legitimate event. Each case is
 * prepared once per isolate; the Node caller times the round trips.
 *
 * `GET /cost?scheme=stripe|sw-v1|sw-v1a&secrets=1..5&kind=legit|normal|max|over&size=<bytes>&n=<count>`
 * - `legit`: a validly signed event (signed with the last configured secret, the worst case);
 * - `normal`: a well-formed header with one wrong signature (an ordinary invalid request);
 * - `max`: the most wrong signatures the scheme accepts (8 MACs; 2 Ed25519, checks ≤ 10);
 * - `over`: 1,900 wrong signatures, what cost seconds before the caps (now refused unread).
 */
import { sourceSchema } from "../src/config/schema";
import { PRESETS } from "../src/providers";
import { VERIFY_LIMITS, type InboundRequest, type Verifier, type VerifyOptions } from "../src/verify";
import { base64, publicKeyFor, signRequest } from "../test/support/signer";

const SCHEMES = {
  stripe: { preset: "stripe", header: "stripe-signature" },
  "sw-v1": { preset: "standard-webhooks", header: "webhook-signature" },
  "sw-v1a": { preset: "standard-webhooks", header: "webhook-signature" },
} as const;
type Scheme = keyof typeof SCHEMES;

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Signing secrets per scheme: HMAC secrets, or `whsk_` Ed25519 private keys (seed ‖ padding). */
function signingSecret(scheme: Scheme, i: number): string {
  if (scheme === "stripe") return `whsec_bench_${i}`;
  if (scheme === "sw-v1") return `whsec_${base64(new Uint8Array(24).fill(i + 1))}`;
  return `whsk_${base64(new Uint8Array([...new Uint8Array(32).fill(i + 1), ...new Uint8Array(32)]))}`;
}

/** Most candidates a request may carry without being refused (asymmetric: candidates × keys ≤ 10). */
export function maxCandidates(scheme: Scheme, keys: number): number {
  if (scheme !== "sw-v1a") return VERIFY_LIMITS.macCandidates;
  return Math.min(VERIFY_LIMITS.asymmetricCandidates, Math.floor(VERIFY_LIMITS.asymmetricChecks / keys));
}

/**
 * A well-formed Ed25519 signature by a key nobody configured. Random 64 bytes would not do: most are
 * refused before hashing (S ≥ the group order, or R not a point), which would flatter the figure.
 */
async function strangerSignature(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
  return base64(new Uint8Array(await crypto.subtle.sign("Ed25519", pair.privateKey, random(32))));
}

/** `count` wrong signatures in the scheme's header syntax, keeping the signed fields of `valid`. */
async function forgedHeader(scheme: Scheme, valid: string, count: number): Promise<string> {
  if (scheme === "stripe") {
    const t = valid.split(",")[0]!;
    return [t, ...Array.from({ length: count }, () => `v1=${hex(random(32))}`)].join(",");
  }
  if (scheme === "sw-v1") return Array.from({ length: count }, () => `v1,${base64(random(32))}`).join(" ");
  // 1,900 entries are refused unread: one stranger signature repeated shapes the header just as well.
  const distinct = await Promise.all(Array.from({ length: Math.min(count, 8) }, strangerSignature));
  return Array.from({ length: count }, (_, i) => `v1a,${distinct[i % distinct.length]}`).join(" ");
}

interface Prepared {
  verifier: Verifier;
  options: VerifyOptions;
  request: InboundRequest;
  expect: string;
  candidates: number;
}
const prepared = new Map<string, Promise<Prepared>>();

async function prepare(scheme: Scheme, secrets: number, kind: string, size: number): Promise<Prepared> {
  const { preset, header } = SCHEMES[scheme];
  const signing = Array.from({ length: secrets }, (_, i) => signingSecret(scheme, i));
  const now = Date.now();
  const body = new TextEncoder().encode(JSON.stringify({ id: `evt_${hex(random(8))}`, type: "bench.event", pad: "x".repeat(Math.max(0, size - 60)) }));
  const signed = await signRequest({ preset, secret: signing.at(-1)!, body, now });
  const headers = new Headers(signed.headers);
  const count = kind === "normal" ? 1 : kind === "max" ? maxCandidates(scheme, secrets) : kind === "over" ? 1900 : 0;
  if (kind !== "legit") headers.set(header, await forgedHeader(scheme, signed.headers[header]!, count));
  const source = sourceSchema.parse({ provider: preset, secrets: signing.map((_, i) => `S${i}`) });
  return {
    verifier: PRESETS.get(preset)!.verifier(source),
    options: { secrets: await Promise.all(signing.map((s) => publicKeyFor(preset, s))), toleranceSeconds: 86_400, now },
    request: { method: "POST", url: "https://bench.test/webhooks/x", headers, body: signed.body },
    expect: kind === "legit" ? "ok" : kind === "over" ? "signature_header_too_large" : "signature_invalid",
    candidates: kind === "legit" ? 1 : count,
  };
}

/** Run one case `n` times; answers how many ended as expected (the caller checks all did). */
export async function costCase(params: URLSearchParams): Promise<Response> {
  const scheme = (params.get("scheme") ?? "stripe") as Scheme;
  const secrets = Number(params.get("secrets") ?? 1);
  const kind = params.get("kind") ?? "normal";
  const size = Number(params.get("size") ?? 1024);
  const n = Number(params.get("n") ?? 1);
  const key = `${scheme}:${secrets}:${kind}:${size}`;
  let entry = prepared.get(key);
  if (!entry) prepared.set(key, (entry = prepare(scheme, secrets, kind, size)));
  const c = await entry;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const result = await c.verifier(c.request, c.options);
    if ((result.ok ? "ok" : result.reason) === c.expect) ok++;
  }
  return Response.json({ ok, n, expect: c.expect, candidates: c.candidates });
}
