/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) over node:crypto's AES block cipher. SGP.22 uses it with
 * AES-128 for the MACs of the bound profile package (SCP03t / BSP, §2.6.4.4).
 */
import { createCipheriv } from 'node:crypto';

const BLOCK = 16;
/** R_b for a 128-bit block (RFC 4493 §2.3: the constant 0x87). */
const RB = 0x87;

function aesEcb(key: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

/** Left shift of a 128-bit string by one bit. */
function shiftLeft(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((input[i]! << 1) | (i + 1 < BLOCK ? input[i + 1]! >> 7 : 0)) & 0xff;
  return out;
}

/** RFC 4493 §2.3 Generate_Subkey: K1 and K2 from L = AES-K(0^128). */
export function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  const l = aesEcb(key, new Uint8Array(BLOCK));
  const k1 = shiftLeft(l);
  if ((l[0]! & 0x80) !== 0) k1[BLOCK - 1]! ^= RB;
  const k2 = shiftLeft(k1);
  if ((k1[0]! & 0x80) !== 0) k2[BLOCK - 1]! ^= RB;
  return { k1, k2 };
}

/** RFC 4493 §2.4: the 16-byte CMAC of `message` under an AES key of 16, 24 or 32 bytes. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (![16, 24, 32].includes(key.length)) throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  const { k1, k2 } = cmacSubkeys(key);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = new Uint8Array(BLOCK);
  const tail = message.subarray((n - 1) * BLOCK);
  if (complete) {
    for (let i = 0; i < BLOCK; i++) last[i] = tail[i]! ^ k1[i]!;
  } else {
    // Padding 10^i (RFC 4493 §2.4 step 4), then XOR with K2.
    last.set(tail);
    last[tail.length] = 0x80;
    for (let i = 0; i < BLOCK; i++) last[i]! ^= k2[i]!;
  }
  // CBC-MAC with a zero IV over M_1 .. M_{n-1} || M_last: one CBC encryption, keep the last block.
  const input = new Uint8Array(n * BLOCK);
  input.set(message.subarray(0, (n - 1) * BLOCK));
  input.set(last, (n - 1) * BLOCK);
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, new Uint8Array(BLOCK));
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(input), cipher.final()]);
  return new Uint8Array(out.subarray(out.length - BLOCK));
}
