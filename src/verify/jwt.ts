/**
 * Compact JWS/JWT verification (RFC 7515/7519) for HS256 and ES256 only. The algorithm is fixed by the
 * caller, never taken from the token (`alg: none` and algorithm confusion fail closed).
 */
import { fromBase64Url, utf8 } from "../shared/bytes";

/** The algorithms Edgehook verifies. */
export type JwtAlgorithm = "HS256" | "ES256";

/** A decoded (not yet verified) token. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

function parseJsonPart(part: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(part);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Split and decode a compact JWS; `null` when malformed. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return null;
  const [h, c, s] = parts as [string, string, string];
  const header = parseJsonPart(h);
  const claims = parseJsonPart(c);
  const signature = fromBase64Url(s);
  if (!header || !claims || !signature) return null;
  return { header, claims, signature, signingInput: utf8(`${h}.${c}`) };
}

/** Verify a decoded token's signature with `key`, requiring `header.alg === algorithm`. */
export async function verifyJwtSignature(jwt: DecodedJwt, algorithm: JwtAlgorithm, key: CryptoKey): Promise<boolean> {
  if (jwt.header.alg !== algorithm) return false;
  if (algorithm === "HS256") return crypto.subtle.verify("HMAC", key, jwt.signature, jwt.signingInput);
  // JWS ES256 signatures are already raw r‖s (RFC 7518 §3.4).
  if (jwt.signature.byteLength !== 64) return false;
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, jwt.signature, jwt.signingInput);
}
