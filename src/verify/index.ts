/**
 * Verify stage: signature primitives and header parsers over raw bytes, with WebCrypto.
 * Provider presets (src/providers) are data over these pieces.
 */
export type { InboundRequest, Verifier, VerifyFailureReason, VerifyOptions, VerifyResult } from "./types";
export { fail } from "./types";
export type { HmacAlgorithm, HmacScheme, KeyEncoding, ParsedSignature, SignatureEncoding, TimestampUnit } from "./hmac";
export { decodeKey, hmacKey, parseTimestamp, signedContent, verifyHmac } from "./hmac";
export { keyValueHeader, prefixedHeader, versionedListHeader } from "./headers";
