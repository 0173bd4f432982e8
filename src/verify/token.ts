/**
 * Shared-secret compares (GitLab `X-Gitlab-Token`, Telegram, Okta, Basic auth, Figma passcode, …).
 * Both sides are hashed with SHA-256 first, so the compare is constant time and equal-length even
 * when the lengths differ.
 */
import { utf8 } from "../shared/bytes";
import { timingSafeEqual } from "./compare";
import { fail, type InboundRequest, type VerifyOptions, type VerifyResult } from "./types";

/** Constant-time string equality: compares SHA-256 digests, so neither length nor prefix leaks. */
export async function tokensEqual(received: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", utf8(received)), crypto.subtle.digest("SHA-256", utf8(expected))]);
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b)) && received.length === expected.length;
}

/** A token scheme: where the presented token is, and what a secret must turn into to match it. */
export interface TokenScheme {
  /** The presented token(s); `null` when absent. Several (e.g. one per batched item) must all match one secret. */
  extract: (request: InboundRequest) => string | string[] | null;
  /** The value a configured secret must equal (default: the secret itself). */
  expected?: (secret: string) => string;
  hint?: string;
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text)));

/**
 * Verify a request that carries a shared secret verbatim. Fails closed on an empty token. Each secret
 * is digested once; the first token picks the secret (compared with every secret, no early exit) and
 * the others must carry the same one, checked until the first that does not: a forged batch of any
 * size costs one digest per secret plus one.
 */
export async function verifyToken(scheme: TokenScheme, request: InboundRequest, options: VerifyOptions): Promise<VerifyResult> {
  const found = scheme.extract(request);
  const tokens = found === null ? [] : Array.isArray(found) ? found : [found];
  if (found === null || tokens.length === 0) return fail("signature_missing", "the shared-secret token is missing");
  if (tokens.some((t) => t.length === 0)) return fail("signature_invalid", "the shared-secret token is empty");
  const mismatch = fail("signature_invalid", scheme.hint ?? "the token does not match any configured secret: check for a trailing newline or a rotated token");
  const received = await digest(tokens[0]!);
  let matched: { index: number; digest: Uint8Array; length: number } | null = null;
  for (let i = 0; i < options.secrets.length; i++) {
    const expected = scheme.expected ? scheme.expected(options.secrets[i]!) : options.secrets[i]!;
    if (expected.length === 0) continue;
    const expectedDigest = await digest(expected);
    const equal = timingSafeEqual(received, expectedDigest) && tokens[0]!.length === expected.length;
    if (equal && !matched) matched = { index: i, digest: expectedDigest, length: expected.length };
  }
  if (!matched) return mismatch;
  for (let t = 1; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (!(timingSafeEqual(await digest(token), matched.digest) && token.length === matched.length)) return mismatch;
  }
  return { ok: true, secretIndex: matched.index };
}
