/** Why a request failed verification. Each maps to one HTTP error code at the edge (see ingest). */
export type VerifyFailureReason = "signature_missing" | "signature_invalid" | "signature_header_too_large" | "timestamp_out_of_tolerance";

/** Verification outcome: failures are values, never exceptions. */
export type VerifyResult =
  | { ok: true; secretIndex: number }
  | { ok: false; reason: VerifyFailureReason; hint: string };

/** The parts of an inbound request a scheme may sign. `body` is the raw bytes, never re-serialised. */
export interface InboundRequest {
  method: string;
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** Per-request inputs: secret values (rotation: any may match), tolerance and the clock. */
export interface VerifyOptions {
  secrets: readonly string[];
  toleranceSeconds: number;
  /** Current time in milliseconds since the epoch. */
  now: number;
}

/** A configured verifier for one source. */
export type Verifier = (request: InboundRequest, options: VerifyOptions) => Promise<VerifyResult>;

/** Shorthand for a failed result. */
export function fail(reason: VerifyFailureReason, hint: string): VerifyResult {
  return { ok: false, reason, hint };
}
