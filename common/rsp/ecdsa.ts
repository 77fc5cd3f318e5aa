/**
 * ECDSA as SGP.22 uses it (§2.6.6.1, BSI TR-03111 §5.2.2): NIST P-256 with SHA-256, and a
 * signature encoded as the plain concatenation r ‖ s of two 32-byte big-endian integers — not
 * the DER `SEQUENCE { r INTEGER, s INTEGER }` that X.509 certificates carry. Conversions both ways.
 */
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const P256_COORDINATE = 32;

/** A fresh P-256 key pair (node:crypto KeyObjects). */
export function generateP256(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** Signs `data` (SHA-256) and returns r ‖ s, 64 bytes. */
export function signRaw(privateKey: KeyObject, ...data: Uint8Array[]): Uint8Array {
  const signer = createSign('sha256');
  for (const d of data) signer.update(d);
  return new Uint8Array(signer.sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

/** Verifies an r ‖ s signature over `data`; false (never a throw) for a malformed signature. */
export function verifyRaw(publicKey: KeyObject, signature: Uint8Array, ...data: Uint8Array[]): boolean {
  if (signature.length !== 2 * P256_COORDINATE) return false;
  const verifier = createVerify('sha256');
  for (const d of data) verifier.update(d);
  try {
    return verifier.verify({ key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

function stripInteger(der: Uint8Array, at: number): { value: Uint8Array; end: number } {
  if (der[at] !== 0x02) throw new RangeError('ECDSA signature: INTEGER expected');
  const len = der[at + 1]!;
  if (len === 0 || len > 0x7f || at + 2 + len > der.length) throw new RangeError('ECDSA signature: bad INTEGER length');
  let value = der.subarray(at + 2, at + 2 + len);
  if ((value[0]! & 0x80) !== 0) throw new RangeError('ECDSA signature: negative INTEGER');
  while (value.length > 1 && value[0] === 0) value = value.subarray(1);
  return { value, end: at + 2 + len };
}

/** DER `SEQUENCE { r, s }` → r ‖ s (each left-padded to the coordinate size). */
export function derToRaw(der: Uint8Array, size = P256_COORDINATE): Uint8Array {
  if (der[0] !== 0x30) throw new RangeError('ECDSA signature: SEQUENCE expected');
  const long = der[1] === 0x81;
  const bodyStart = long ? 3 : 2;
  const bodyLength = long ? der[2]! : der[1]!;
  if (bodyStart + bodyLength !== der.length) throw new RangeError('ECDSA signature: bad SEQUENCE length');
  const r = stripInteger(der, bodyStart);
  const s = stripInteger(der, r.end);
  if (s.end !== der.length) throw new RangeError('ECDSA signature: trailing bytes');
  if (r.value.length > size || s.value.length > size) throw new RangeError('ECDSA signature: integer longer than the curve');
  const out = new Uint8Array(2 * size);
  out.set(r.value, size - r.value.length);
  out.set(s.value, 2 * size - s.value.length);
  return out;
}

function integerDer(unsigned: Uint8Array): number[] {
  let v = unsigned;
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  const body = (v[0]! & 0x80) !== 0 ? [0, ...v] : [...v];
  return [0x02, body.length, ...body];
}

/** r ‖ s → DER `SEQUENCE { r, s }` (minimal INTEGERs). */
export function rawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new RangeError('ECDSA signature: r ‖ s must have an even length');
  const half = raw.length / 2;
  const body = [...integerDer(raw.subarray(0, half)), ...integerDer(raw.subarray(half))];
  return Uint8Array.from([0x30, ...(body.length > 0x7f ? [0x81, body.length] : [body.length]), ...body]);
}
