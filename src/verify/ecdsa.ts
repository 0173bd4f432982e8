/**
 * ECDSA P-256 / SHA-256 as a {@link SignatureAlgorithm}. SendGrid sends ASN.1 DER signatures; WebCrypto
 * verifies IEEE P1363 `r‖s` (64 bytes), so DER is converted first (passing DER gives `false`).
 */
import { fromBase64 } from "../shared/bytes";
import type { SignatureAlgorithm } from "./signed";

const cache = new Map<string, Promise<CryptoKey | null>>();

/** Read one DER INTEGER at `at`; returns its content and the offset after it, or `null`. */
function readInteger(der: Uint8Array, at: number): { value: Uint8Array; next: number } | null {
  if (der[at] !== 0x02) return null;
  const length = der[at + 1];
  if (length === undefined || length === 0 || length > 33) return null;
  const end = at + 2 + length;
  if (end > der.length) return null;
  return { value: der.subarray(at + 2, end), next: end };
}

/** Convert a DER `SEQUENCE { r INTEGER, s INTEGER }` into 64-byte P1363 `r‖s`; `null` when malformed. */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const r = readInteger(der, 2);
  const s = r && readInteger(der, r.next);
  if (!r || !s || s.next !== der.length) return null;
  const out = new Uint8Array(size * 2);
  for (const [i, int] of [r.value, s.value].entries()) {
    let v = int;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) return null;
    out.set(v, size * (i + 1) - v.length);
  }
  return out;
}

/** Decode a P-256 public key: base64 DER SPKI, with or without PEM armour. */
export function decodeSpki(text: string): Uint8Array | null {
  return fromBase64(text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, ""));
}

/** Import (once per isolate) a P-256 SPKI public key; `null` when malformed. */
export function p256Key(text: string): Promise<CryptoKey | null> {
  let key = cache.get(text);
  if (!key) {
    const spki = decodeSpki(text);
    key = spki
      ? crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]).catch(() => null)
      : Promise.resolve(null);
    cache.set(text, key);
  }
  return key;
}

/** The ECDSA P-256 primitive; `der` signatures are converted to P1363 before verifying. */
export function p256Algorithm(signatureFormat: "der" | "p1363"): SignatureAlgorithm {
  return {
    name: "ECDSA-P256",
    importKey: p256Key,
    normalise: (signature) => (signatureFormat === "der" ? derToP1363(signature) : signature.byteLength === 64 ? signature : null),
    verify: (key, signature, content) => crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, content),
  };
}
