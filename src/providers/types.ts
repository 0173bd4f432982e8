import type { SourceConfig } from "../config";
import type { InboundRequest, Verifier, VerifyResult } from "../verify";

/** What a preset can tell about an event; every field is optional (the ingest stage has fallbacks). */
export interface Identity {
  eventId?: string;
  eventType?: string;
  orderingKey?: string;
  /** Milliseconds since the epoch. */
  occurredAt?: number;
}

/** Input for identification: headers and the body parsed as JSON (`undefined` when it is not JSON). */
export interface IdentifyInput {
  headers: Headers;
  json: unknown;
  /** The text `json` was parsed from (decoded on first call), so number ids keep their exact digits. */
  text?: () => string;
}

/** What a handshake hook sees. `verify` runs the source's verifier on this request (for signed handshakes). */
export interface HandshakeInput {
  request: InboundRequest;
  json: unknown;
  source: SourceConfig;
  secrets: readonly string[];
  verify: () => Promise<VerifyResult>;
}

/** A provider preset: how to verify, how to identify, which headers to pass on. */
export interface Preset {
  /** Kebab-case provider name, as written in config (`provider = "stripe"`). */
  id: string;
  /** Build the verifier for a source once (generic presets read `source.scheme`). */
  verifier: (source: SourceConfig) => Verifier;
  identify: (input: IdentifyInput) => Identity;
  /** Original request headers forwarded to destinations (lowercase). */
  forwardHeaders: readonly string[];
  /**
   * Answer a provider handshake (Slack url_verification, Meta hub.challenge, …) or return `null` when
   * the request is not one. Called for every method before the 405 check; a handshake is never enqueued,
   * and must be answered only when authentic where the provider makes that possible.
   */
  handshake?: (input: HandshakeInput) => Promise<Response | null>;
  /**
   * The body a provider requires in its acknowledgement, when it is not Edgehook's JSON (Adyen wants
   * `[accepted]`). The status code stays 202 / 200 and the outcome travels in `edgehook-*` headers.
   */
  acknowledgement?: string;
}
