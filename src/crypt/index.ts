/** Crypt stage: envelope encryption at rest (AES-256-GCM per-event data keys wrapped by configured keys). */
export { decodeEncryptionKey, encryptionKeyId, ENCRYPTION_KEY_BYTES, type EncryptionKey } from "./keys";
export { keyringOf, newDataKey, openDataKey, openPart, sealPart, SEAL_OVERHEAD_BYTES, type DataKey, type Envelope, type KeyEncryptionKey, type Keyring, type OpenFailure } from "./envelope";
