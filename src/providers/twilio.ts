/**
 * Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(AuthToken, url + sorted name+value params)).
 * JSON bodies instead add `bodySHA256=<hex sha256(body)>` to the URL and sign the URL alone.
 * Ported from twilio-node src/webhooks/webhooks.ts (validateRequest / validateRequestWithBody),
 * including its URL variants: without port, with the default port, and with a legacy-encoded query.
 */
import { sha256Hex, utf8 } from "../shared/bytes";
import { decodeSignature, fail, headerTooLarge, hmacKey, tokensEqual, type InboundRequest, type Verifier } from "../verify";
import { body, effectiveUrl, first, header, identity } from "./define";
import type { Preset } from "./types";

const SPLIT = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

function splitUrl(url: string) {
  const match = SPLIT.exec(url);
  if (!match) return null;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostPort : hostPort.slice(0, colon),
    port: colon === -1 ? "" : hostPort.slice(colon),
    rest: url.slice(prefix.length),
  };
}

/** The URL with the scheme's default port added (unchanged when it has a port). */
export function addPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return p.scheme + p.userInfo + p.host + (p.scheme.toLowerCase() === "https://" ? ":443" : ":80") + p.rest;
}

/** The URL without its port. */
export function removePort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

function legacyQuery(url: string): string {
  const q = url.indexOf("?");
  if (q === -1 || q === url.length - 1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const out = [...params].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return `${url.slice(0, q)}?${out}`;
}

/** The string Twilio signs: URL, then each param name + value, names sorted, repeated values de-duplicated and sorted. */
export function twilioSignedString(url: string, params: Iterable<[string, string]>): string {
  const grouped = new Map<string, string[]>();
  // Append in place: copying the list per value was quadratic in a repeated name (an unauthenticated form body).
  for (const [k, v] of params) {
    const values = grouped.get(k);
    if (values) values.push(v);
    else grouped.set(k, [v]);
  }
  let data = url;
  for (const name of [...grouped.keys()].sort()) {
    for (const value of [...new Set(grouped.get(name))].sort()) data += name + value;
  }
  return data;
}

function candidateUrls(url: string): string[] {
  const variants = [removePort(url), addPort(url)];
  return [...new Set([...variants, ...variants.map(legacyQuery)])];
}

const isForm = (request: InboundRequest) => (request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");

/** The Twilio verifier over the URL Twilio called (`publicUrl` when behind a proxy). */
export const twilioVerifier: Verifier = async (request, options) => {
  const header = request.headers.get("x-twilio-signature");
  if (header === null) return fail("signature_missing", "the X-Twilio-Signature header is missing");
  const oversize = headerTooLarge(header.length);
  if (oversize) return oversize;
  const signature = decodeSignature(header.trim(), "base64");
  if (!signature || signature.byteLength !== 20) return fail("signature_invalid", "X-Twilio-Signature is not a base64 HMAC-SHA1 value");
  const url = new URL(request.url);
  const bodyHash = url.searchParams.get("bodySHA256");
  let params: [string, string][] = [];
  if (bodyHash !== null) {
    // validateRequestWithBody: the body must hash to the signed bodySHA256 query value.
    if (!(await tokensEqual(await sha256Hex(request.body), bodyHash.toLowerCase()))) {
      return fail("signature_invalid", "the body does not match the bodySHA256 in the signed URL: was it re-serialised?");
    }
  } else if (isForm(request)) {
    params = [...new URLSearchParams(new TextDecoder().decode(request.body))];
  } else if (request.body.byteLength > 0) {
    return fail("signature_invalid", "a non-form body must be covered by bodySHA256 in the URL");
  }
  // At most 4 URL variants, each built once: the work per secret is fixed, whatever the request sends.
  const signedParams = twilioSignedString("", params);
  const contents = candidateUrls(request.url).map((candidate) => utf8(candidate + signedParams));
  for (let i = 0; i < options.secrets.length; i++) {
    const key = await hmacKey(options.secrets[i]!, "utf8", "SHA-1", "verify");
    if (!key) continue;
    for (const content of contents) {
      if (await crypto.subtle.verify("HMAC", key, signature, content)) return { ok: true, secretIndex: i };
    }
  }
  return fail("signature_invalid", "no auth token produced this signature: check the token and that publicUrl is the exact URL configured in Twilio (scheme, host, path, query)");
};

/** The Twilio preset. */
export const twilio: Preset = {
  id: "twilio",
  verifier: (source) => (request, options) => twilioVerifier({ ...request, url: effectiveUrl(source, request.url) }, options),
  // Form bodies are not JSON: the id comes from the idempotency header, else the body hash.
  identify: identity({ id: first(header("i-twilio-idempotency-token"), body("sid")), type: first(body("type"), () => "twilio.webhook"), key: body("sid") }),
  forwardHeaders: ["i-twilio-idempotency-token"],
};
