/** Constant-time byte comparison, shared by MAC checks (signed.ts) and token compares (token.ts). */

/**
 * Constant-time equality of two byte arrays of equal length (no early exit); unequal lengths are
 * unequal at once, which leaks only the length (public for every scheme: the digest size).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
