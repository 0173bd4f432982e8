/** Config stage: the zod schema of `EDGEHOOK` and its checked, per-isolate runtime form. */
export type { DestinationConfig, EdgehookConfig, Extractor, FieldMatch, Route, GenericHmacScheme, RetryPolicy, Settings, SourceConfig, TransformConfig } from "./schema";
export { configSchema } from "./schema";
export type { ConfigResult, RuntimeConfig, RuntimeDestination, RuntimeSource } from "./load";
export { loadConfig, parseConfig } from "./load";
export { isPrivateHost } from "./network";
