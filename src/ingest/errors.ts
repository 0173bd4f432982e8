/** Public error codes (DESIGN.md, "HTTP contract") and their statuses: one map, checked exhaustively. */

export type ErrorCode =
  | "source_unknown"
  | "method_not_allowed"
  | "ip_not_allowed"
  | "payload_too_large"
  | "signature_missing"
  | "signature_invalid"
  | "signature_header_too_large"
  | "timestamp_out_of_tolerance"
  | "payload_malformed"
  | "event_identity_invalid"
  | "callback_token_invalid"
  | "callback_token_expired"
  | "callback_conflict"
  | "not_found"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 405 | 409 | 413 | 500 | 503> = {
  source_unknown: 404,
  method_not_allowed: 405,
  ip_not_allowed: 403,
  payload_too_large: 413,
  signature_missing: 401,
  signature_invalid: 401,
  signature_header_too_large: 401,
  timestamp_out_of_tolerance: 401,
  payload_malformed: 400,
  event_identity_invalid: 400,
  callback_token_invalid: 401,
  callback_token_expired: 401,
  callback_conflict: 409,
  not_found: 404,
  unavailable: 503,
  internal: 500,
};

/** A JSON error response: `{"error":{"code","message"}}`. Messages never carry secrets or expected signatures. */
export function errorResponse(code: ErrorCode, message: string, headers?: Record<string, string>): Response {
  return Response.json({ error: { code, message } }, { status: STATUS[code], headers });
}
