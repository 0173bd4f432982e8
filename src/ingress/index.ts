/** Ingress stage: who may call a source (IP allowlists from CIDRs and published provider ranges). Pure. */
export { contains, formatNetwork, parseAddress, parseCidr, type CidrResult, type Network } from "./address";
export { compileAllowList, ipAllowed, IP_PRESETS, MAX_ALLOW_NETWORKS, type AllowList, type AllowListResult, type IpVerdict } from "./allowlist";
export { IP_RANGES } from "./ip-ranges";
