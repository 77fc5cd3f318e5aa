/**
 * Key derivation of SGP.22: the ANSI X9.63 KDF with SHA-256 (BSI TR-03111 §4.3.3, as SGP.22
 * §2.6.4.2 / Annex G uses it) and the BSP session keys derived from the ECKA shared secret.
 */
import { createHash } from 'node:crypto';

/**
 * X9.63 KDF: `K(i) = SHA-256(Z ‖ counter_i ‖ SharedInfo)` with a 32-bit big-endian counter from 1,
 * concatenated and truncated to `length` bytes.
 */
export function x963Kdf(sharedSecret: Uint8Array, length: number, sharedInfo: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 32 * 0xffff) throw new RangeError(`bad KDF length ${length}`);
  const out = new Uint8Array(Math.ceil(length / 32) * 32);
  const counter = Buffer.alloc(4);
  for (let i = 0; i * 32 < length; i++) {
    counter.writeUInt32BE(i + 1);
    out.set(createHash('sha256').update(sharedSecret).update(counter).update(sharedInfo).digest(), i * 32);
  }
  return out.slice(0, length);
}

/** Session keys of one bound profile package (SGP.22 §2.6.4.2): the initial MAC chaining value, S-ENC, S-MAC. */
export interface BspKeys {
  readonly sEnc: Uint8Array;
  readonly sMac: Uint8Array;
  readonly initialMcv: Uint8Array;
}

/** A BER length (short or long form) followed by the value: the "LV" of SGP.22's shared info. */
function lv(value: Uint8Array): Uint8Array {
  const n = value.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.from([...len, ...value]);
}

/**
 * SGP.22 §2.6.4.2: shared info = keyType ‖ keyLength ‖ LV(hostId) ‖ LV(EID); the KDF output
 * (3 × keyLength bytes) is split into initial MCV, S-ENC and S-MAC, in that order.
 */
export function deriveBspKeys(sharedSecret: Uint8Array, keyType: number, keyLength: number, hostId: Uint8Array, eid: Uint8Array): BspKeys {
  const info = Uint8Array.from([keyType, keyLength, ...lv(hostId), ...lv(eid)]);
  const out = x963Kdf(sharedSecret, keyLength * 3, info);
  return { initialMcv: out.slice(0, keyLength), sEnc: out.slice(keyLength, 2 * keyLength), sMac: out.slice(2 * keyLength) };
}
