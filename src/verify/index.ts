/**
 * Verify stage: signature primitives and header parsers over raw bytes, with WebCrypto.
 * Provider presets (src/providers) are data over these pieces.
 */
export type { InboundRequest, Verifier, VerifyFailureReason, VerifyOptions, VerifyResult } from "./types";
export { fail } from "./types";
export type { ParsedSignature, SignatureAlgorithm, SignatureEncoding, SignedScheme, TimestampUnit } from "./signed";
export { checkTimestamp, decodeSignature, matchAny, parseTimestamp, signedContent, verifySigned } from "./signed";
export type { HmacAlgorithm, HmacScheme, KeyEncoding } from "./hmac";
export { decodeKey, hmacAlgorithm, hmacKey, verifyHmac } from "./hmac";
export type { Ed25519KeyEncoding } from "./ed25519";
export { decodeEd25519Key, decodeEd25519Seed, ed25519Algorithm, ed25519Key } from "./ed25519";
export { decodeSpki, derToP1363, p256Algorithm, p256Key } from "./ecdsa";
export type { TokenScheme } from "./token";
export { tokensEqual, verifyToken } from "./token";
export { timingSafeEqual } from "./compare";
export { VERIFY_LIMITS, headerTooLarge, tooManyCandidates, tooManyChecks } from "./limits";
export type { DecodedJwt, JwtAlgorithm } from "./jwt";
export { decodeJwt, verifyJwtSignature } from "./jwt";
export { keyValueHeader, prefixedHeader, versionedListHeader } from "./headers";
export { crc32, pemToDer, spkiFromCertificate } from "./x509";
