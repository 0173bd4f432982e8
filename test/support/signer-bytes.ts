/** Byte, encoding and hash helpers for the test signer (WebCrypto only, erasable TypeScript). */

const HASH = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const;

/** HMAC hash names as the signer writes them. */
export type Algorithm = "sha1" | "sha256" | "sha512";

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export function hex(data: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(data)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHexString(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function base64(data: ArrayBuffer | Uint8Array): string {
  let s = "";
  for (const b of new Uint8Array(data)) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64url(data: ArrayBuffer | Uint8Array): string {
  return base64(data).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** HMAC of `content` with raw key bytes. */
export async function hmac(algorithm: Algorithm, key: Uint8Array, content: Uint8Array): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: HASH[algorithm] }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, content);
}

/** SHA-256 hex of bytes. */
export async function sha256hex(data: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", data));
}

/** Standard Webhooks key bytes: strip `whsec_`, base64-decode. */
export function standardWebhooksKey(secret: string): Uint8Array {
  return fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
}

/** CRC-32 (zlib), unsigned, as PayPal signs it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

