/** Config stage: the zod schema of `EDGEHOOK` and its checked, per-isolate runtime form. */
export type { DestinationConfig, EdgehookConfig, Extractor, FieldMatch, Route, GenericHmacScheme, RetryPolicy, Settings, SourceConfig, TransformConfig } from "./schema";
export { configSchema } from "./schema";
export type { ConfigResult, RuntimeChannel, RuntimeConfig, RuntimeDestination, RuntimeSource } from "./load";
export { ALERT_TYPES, type AlertRules, type AlertType, type AlertsConfig, type ChannelConfig } from "./alerts";
export { loadConfig, parseConfig } from "./load";
export { isPrivateHost } from "./network";
