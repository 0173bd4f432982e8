/**
 * Just enough DER to pull the SubjectPublicKeyInfo out of an X.509 certificate (RFC 5280 §4.1), since
 * WebCrypto cannot import a certificate. Returns `null` on anything unexpected; never throws.
 */
import { fromBase64 } from "../shared/bytes";

interface Tlv {
  tag: number;
  start: number;
  end: number;
  next: number;
}

function readTlv(der: Uint8Array, at: number): Tlv | null {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) return null;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) return null;
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = der[start + i];
      if (b === undefined) return null;
      length = length * 256 + b;
    }
    start += count;
  }
  const end = start + length;
  return end > der.length ? null : { tag, start, end, next: end };
}

/** Decode a PEM (or bare base64) certificate to DER; `null` when malformed. */
export function pemToDer(pem: string): Uint8Array | null {
  return fromBase64(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""));
}

/** The DER SubjectPublicKeyInfo of a certificate; `null` when the structure is not as expected. */
export function spkiFromCertificate(der: Uint8Array): Uint8Array | null {
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = readTlv(der, cert.start);
  if (!tbs || tbs.tag !== 0x30) return null;
  let at = tbs.start;
  const first = readTlv(der, at);
  if (first?.tag === 0xa0) at = first.next; // [0] EXPLICIT version
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
  for (const expected of [0x02, 0x30, 0x30, 0x30, 0x30]) {
    const field = readTlv(der, at);
    if (!field || field.tag !== expected || field.next > tbs.end) return null;
    at = field.next;
  }
  const spki = readTlv(der, at);
  if (!spki || spki.tag !== 0x30 || spki.next > tbs.end) return null;
  return der.slice(at, spki.end);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib) of bytes, unsigned. PayPal signs its decimal form. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
