/**
 * Outbound Standard Webhooks signing (https://www.standardwebhooks.com/, "Signature scheme"): a
 * `whsec_` key gives `v1,<base64 HMAC-SHA256>`, a `whsk_` key gives `v1a,<base64 Ed25519>`. Several
 * keys give several space-separated entries in one header (rotation, or v1 beside v1a).
 */
import { concatBytes, fromHex, toBase64, utf8 } from "../shared/bytes";
import { decodeEd25519Seed, hmacKey } from "../verify";

/** PKCS#8 prefix of an Ed25519 private key (RFC 8410 §7): the 32-byte seed follows. */
const PKCS8_ED25519 = fromHex("302e020100300506032b657004220420")!;

const privateKeys = new Map<string, Promise<CryptoKey>>();

/** Import (once per isolate) the Ed25519 private key of a `whsk_` key, or throw: a bad key cannot sign. */
function ed25519PrivateKey(secret: string, extractable = false): Promise<CryptoKey> {
  const cacheKey = `${extractable}\u0000${secret}`;
  let key = privateKeys.get(cacheKey);
  if (!key) {
    const seed = decodeEd25519Seed(secret);
    if (!seed) return Promise.reject(new Error("destination key is not a Standard Webhooks signing key (whsk_ + base64 of 32 or 64 bytes)"));
    key = crypto.subtle.importKey("pkcs8", concatBytes(PKCS8_ED25519, seed), { name: "Ed25519" }, extractable, ["sign"]);
    privateKeys.set(cacheKey, key);
  }
  return key;
}

/** Whether a destination key signs v1a (Ed25519, `whsk_`) rather than v1 (HMAC, `whsec_`). */
export function isAsymmetricKey(secret: string): boolean {
  return secret.startsWith("whsk_");
}

/**
 * The `whpk_` public key of a `whsk_` signing key (derived from its seed), or `null` for any other key.
 * @example await publicKeyOf("whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbc=") // "whpk_…"
 */
export async function publicKeyOf(secret: string): Promise<string | null> {
  if (!isAsymmetricKey(secret) || !decodeEd25519Seed(secret)) return null;
  const jwk = (await crypto.subtle.exportKey("jwk", await ed25519PrivateKey(secret, true))) as JsonWebKey;
  const x = jwk.x!.replaceAll("-", "+").replaceAll("_", "/");
  return `whpk_${x}${"=".repeat((4 - (x.length % 4)) % 4)}`;
}

/** One `version,signature` entry for one key. */
async function entry(secret: string, content: Uint8Array): Promise<string> {
  if (isAsymmetricKey(secret)) {
    return `v1a,${toBase64(await crypto.subtle.sign("Ed25519", await ed25519PrivateKey(secret), content))}`;
  }
  const key = await hmacKey(secret, "whsec-base64", "SHA-256", "sign");
  if (!key) throw new Error("destination secret is not a base64 Standard Webhooks key (whsec_…)");
  return `v1,${toBase64(await crypto.subtle.sign("HMAC", key, content))}`;
}

/**
 * Sign `id.timestamp.body` with each key, in order: the `webhook-signature` header value.
 * @example await signStandardWebhook(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsk_…"], "msg_1", 1700000000, body) // "v1,… v1a,…"
 */
export async function signStandardWebhook(secrets: string | readonly string[], id: string, timestampSeconds: number, body: Uint8Array): Promise<string> {
  const content = concatBytes(utf8(`${id}.${timestampSeconds}.`), body);
  const keys = typeof secrets === "string" ? [secrets] : secrets;
  return (await Promise.all(keys.map((secret) => entry(secret, content)))).join(" ");
}
