/**
 * Bounds on the work one unauthenticated request can cause (docs/providers.md, "Bounded
 * verification"). A request over a bound is refused with `signature_header_too_large` before any
 * key import, MAC or signature check.
 */
import { fail, type VerifyResult } from "./types";

/** The caps, per scheme family. Providers send one signature per active secret while rotating (two, rarely three). */
export const VERIFY_LIMITS = {
  /** Characters of a signature header read at all (a Stripe header with 8 `v1=` entries is ~600). */
  headerChars: 4096,
  /** MAC candidates (Stripe `v1=`, Standard Webhooks `v1,`, Paddle `h1=`, PagerDuty `v1=`, …) per request. */
  macCandidates: 8,
  /**
   * Ed25519 / ECDSA candidates (Standard Webhooks `v1a,`, …) per request. Each is a full check over the
   * body per key, so 2 (old and new key while rotating) keeps a forged request within 2× an ordinary one.
   */
  asymmetricCandidates: 2,
  /** Asymmetric checks per request: candidates × configured keys (each check hashes the whole body). */
  asymmetricChecks: 10,
} as const;

/** Refuse a signature header above {@link VERIFY_LIMITS.headerChars}; `null` when within it. */
export function headerTooLarge(chars: number): VerifyResult | null {
  if (chars <= VERIFY_LIMITS.headerChars) return null;
  return fail("signature_header_too_large", `the signature header is ${chars} characters; at most ${VERIFY_LIMITS.headerChars} are read`);
}

/** Refuse more signature candidates than `max`; `null` when within it. */
export function tooManyCandidates(count: number, max: number): VerifyResult | null {
  if (count <= max) return null;
  return fail("signature_header_too_large", `the signature header carries ${count} signatures; at most ${max} are checked per request (providers send one per active secret)`);
}

/** Refuse when candidates × keys exceeds {@link VERIFY_LIMITS.asymmetricChecks}; `null` when within it. */
export function tooManyChecks(candidates: number, keys: number): VerifyResult | null {
  if (candidates * keys <= VERIFY_LIMITS.asymmetricChecks) return null;
  return fail(
    "signature_header_too_large",
    `${candidates} signatures × ${keys} configured keys is more than the ${VERIFY_LIMITS.asymmetricChecks} signature checks made per request`,
  );
}
