/** Outbound Standard Webhooks signing (https://www.standardwebhooks.com/): `v1,<base64 HMAC-SHA256>`. */
import { concatBytes, toBase64, utf8 } from "../shared/bytes";
import { hmacKey } from "../verify";

/**
 * Sign `id.timestamp.body` with a `whsec_` secret.
 * @example await signStandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1700000000, body)
 */
export async function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Uint8Array): Promise<string> {
  const key = await hmacKey(secret, "whsec-base64", "SHA-256", "sign");
  if (!key) throw new Error("destination secret is not a base64 Standard Webhooks key (whsec_…)");
  const content = concatBytes(utf8(`${id}.${timestampSeconds}.`), body);
  return `v1,${toBase64(await crypto.subtle.sign("HMAC", key, content))}`;
}
