/**
 * The preset table: every provider Edgehook verifies, by id. Families live in their own files; the
 * sources for each row are cited there and in docs/providers.md.
 */
import type { GenericHmacScheme } from "../config";
import { ed25519Algorithm, prefixedHeader, verifySigned, type InboundRequest } from "../verify";
import { ASYMMETRIC_PRESETS } from "./asymmetric";
import { hmacVerifier } from "./define";
import { HANDSHAKE_PRESETS } from "./handshakes";
import { NETWORK_PRESETS } from "./network";
import { BODY_HMAC_PRESETS } from "./hmac-body";
import { TIMESTAMPED_HMAC_PRESETS } from "./hmac-timestamped";
import { SPECIAL_PRESETS } from "./special";
import { TOKEN_PRESETS } from "./tokens";
import { twilio } from "./twilio";
import type { Preset } from "./types";

const HASHES = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const;

/**
 * The configured header parser. A configured id header is required (its absence means "missing"), but it
 * is signed only when the template holds `{id}` (src/providers/replay-protection.ts, docs/providers.md).
 */
function genericParse(s: GenericHmacScheme) {
  const parse = prefixedHeader(s.header.toLowerCase(), s.prefix, s.timestampHeader?.toLowerCase(), s.idHeader?.toLowerCase());
  return (request: InboundRequest) => (s.idHeader && !request.headers.has(s.idHeader) ? null : parse(request));
}

/** `generic-hmac`: the scheme comes from the source's config. */
const genericHmac: Preset = {
  id: "generic-hmac",
  verifier: (source) => {
    const s = source.scheme!;
    return hmacVerifier({
      algorithm: HASHES[s.algorithm],
      encoding: s.encoding,
      parse: genericParse(s),
      template: s.template,
      ...(s.timestampHeader ? { timestamp: "s" as const } : {}),
    });
  },
  identify: () => ({}),
  forwardHeaders: [],
};

/** `generic-ed25519`: like generic-hmac, with Ed25519 public keys (hex or base64, optional `whpk_`) as secrets. */
const genericEd25519: Preset = {
  id: "generic-ed25519",
  verifier: (source) => {
    const s = source.scheme!;
    const hex = ed25519Algorithm("hex");
    const b64 = ed25519Algorithm("whpk-base64");
    const scheme = {
      algorithm: { ...b64, importKey: async (k: string) => (await hex.importKey(k)) ?? b64.importKey(k) },
      encoding: s.encoding,
      parse: genericParse(s),
      template: s.template,
      ...(s.timestampHeader ? { timestamp: "s" as const } : {}),
    };
    return (request, options) => verifySigned(scheme, request, options);
  },
  identify: () => ({}),
  forwardHeaders: [],
};

const ALL: readonly Preset[] = [
  ...TIMESTAMPED_HMAC_PRESETS,
  ...BODY_HMAC_PRESETS,
  ...ASYMMETRIC_PRESETS,
  ...HANDSHAKE_PRESETS,
  ...TOKEN_PRESETS,
  ...SPECIAL_PRESETS,
  ...NETWORK_PRESETS,
  twilio,
  genericHmac,
  genericEd25519,
];

/** Every preset, by id. */
export const PRESETS: ReadonlyMap<string, Preset> = new Map(ALL.map((p) => [p.id, p]));
if (PRESETS.size !== ALL.length) throw new Error("duplicate preset id");
