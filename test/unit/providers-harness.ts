/** Sign, mutate and verify requests for the provider contract suite (Node, no HTTP). */
import { PRESETS } from "../../src/providers";
import type { InboundRequest, VerifyResult } from "../../src/verify";
import { publicKeyFor, signRequest } from "../support/signer";
import { sampleEvent } from "../support/samples";
import { sourceFor, type PresetCase } from "./providers-cases";

export const NOW = 1_790_000_000_000;
export const TOLERANCE = 300;

export interface Built {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Sign a sample event for a case. */
export async function build(c: PresetCase, o: { secret?: string; more?: string[]; now?: number; body?: string | Uint8Array } = {}): Promise<Built> {
  const now = o.now ?? NOW;
  const scheme = c.config?.scheme as never;
  const signed = await signRequest({
    preset: c.preset,
    secret: o.secret ?? c.secret,
    moreSecrets: o.more,
    body: o.body ?? sampleEvent(c.preset, undefined, now),
    now,
    url: c.url,
    tokenHeader: c.config?.tokenHeader?.toLowerCase(),
    scheme,
  });
  return { url: signed.url ?? c.url ?? `https://edgehook.test/webhooks/${c.preset}`, headers: signed.headers, body: signed.body };
}

/** Verify a built request with the case's preset, configured with the given signing secrets. */
export async function verify(c: PresetCase, req: Built, signingSecrets: string[] = [c.secret], now = NOW): Promise<VerifyResult> {
  const preset = PRESETS.get(c.preset)!;
  const configured = await Promise.all(signingSecrets.map((s) => publicKeyFor(c.preset, s)));
  const verifier = preset.verifier(sourceFor(c, configured.map((_, i) => `SECRET_${i}`)));
  const request: InboundRequest = { method: "POST", url: req.url, headers: new Headers(req.headers), body: req.body };
  return verifier(request, { secrets: configured, toleranceSeconds: TOLERANCE, now });
}

/** Read / write a dot path in the JSON body. */
function editBody(req: Built, path: string, edit: (value: unknown) => unknown | undefined): Built {
  const json = JSON.parse(dec.decode(req.body));
  const parts = path.split(".");
  let at: any = json;
  for (const p of parts.slice(0, -1)) at = at[p];
  const last = parts.at(-1)!;
  const next = edit(at[last]);
  if (next === undefined) delete at[last];
  else at[last] = next;
  return { ...req, body: enc.encode(JSON.stringify(json)) };
}

/** Replace the character at `index` (default: the middle) of a string with `replacement` (default: a different valid one). */
export function flipChar(value: string, index = Math.floor(value.length / 2), replacement?: string): string {
  const c = value[index]!;
  const r = replacement ?? (c === "a" ? "b" : c === "A" ? "B" : /[0-9]/.test(c) ? (c === "1" ? "2" : "1") : "a");
  return value.slice(0, index) + r + value.slice(index + 1);
}

/** The signature's text as carried. */
export function signatureText(c: PresetCase, req: Built): string {
  if ("header" in c.signature) return req.headers[c.signature.header]!;
  let at: any = JSON.parse(dec.decode(req.body));
  for (const p of c.signature.path.split(".")) at = at[p];
  return at as string;
}

/** Replace the signature's text. */
export function withSignature(c: PresetCase, req: Built, value: string | undefined): Built {
  if ("header" in c.signature) {
    const headers = { ...req.headers };
    if (value === undefined) delete headers[c.signature.header];
    else headers[c.signature.header] = value;
    return { ...req, headers };
  }
  return editBody(req, c.signature.path, () => value);
}

/** Change one byte of the body (XOR with `mask`, at `index`; default the middle byte). */
export function mutateBody(req: Built, index = Math.floor(req.body.length / 2), mask = 0x01): Built {
  const body = req.body.slice();
  body[index] = body[index]! ^ mask;
  return { ...req, body };
}

/** Change one signed field in the body. */
export function mutateField(req: Built, path: string): Built {
  return editBody(req, path, (v) => flipChar(String(v)));
}

/** Drop one header. */
export function withoutHeader(req: Built, name: string): Built {
  const headers = { ...req.headers };
  delete headers[name];
  return { ...req, headers };
}
