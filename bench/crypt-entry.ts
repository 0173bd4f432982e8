/** Bundled by bench/encryption.mjs: one event's envelope work, as the ledger and consumer do it (src/crypt). */
export { keyringOf, newDataKey, openDataKey, openPart, sealPart } from "../src/crypt";
