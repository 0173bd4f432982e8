/** Provider presets: per-provider verification and identification, as data over the verify stage. */
export type { HandshakeInput, Identity, IdentifyInput, Preset } from "./types";
export { PRESETS } from "./presets";
export { CREDENTIAL_PRESETS, credentialHeaders } from "./credentials";
export { REPLAY_FACTS, replayFacts, replayWarning, type ReplayFacts } from "./replay-protection";
