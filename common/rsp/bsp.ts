/**
 * SCP03t, the BPP protection protocol (SGP.22 §2.6.4, renamed BSP in v3): each segment of a bound
 * profile package is a TLV `tag ‖ L ‖ data ‖ MAC(8)`.
 *
 * - Encryption (tags `86`, `87`): AES-CBC with S-ENC, plaintext padded `80 00…` to the block size
 *   (ISO/IEC 9797-1 method 2), ICV = AES-ECB(S-ENC, block counter as 16 bytes big-endian); the
 *   counter starts at 1 and moves on by one per segment, MAC-only ones included.
 * - MAC (all segments, `88` is MAC-only): C-MAC = AES-CMAC(S-MAC, MCV ‖ tag ‖ L ‖ data) where L
 *   counts the 8 MAC bytes too; the segment carries its first 8 bytes and the full 16 become the
 *   next MAC chaining value (MCV), starting from the KDF's initial MCV.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { aesCmac } from './cmac.js';
import { concat, header, readOnly } from './der.js';
import type { BspKeys } from './kdf.js';

const BLOCK = 16;
const MAC_LENGTH = 8;
/** Largest segment TLV this implementation produces (SGP.22 §2.5.5 keeps segments within 1020 bytes). */
export const MAX_SEGMENT_TLV = 1020;
/** Largest plaintext of one encrypted segment: 1007 pads to 1008, `86 82 03F8` + 1008 + MAC = 1020. */
export const MAX_ENCRYPTED_PLAINTEXT = 1007;
/** Largest plaintext of one MAC-only segment: `88 82 03F8` + 1008 + MAC = 1020. */
export const MAX_MAC_ONLY_PLAINTEXT = 1008;

/** A segment that fails its checks: `mac` (scp03tSecurityError) or `structure` (scp03tStructureError). */
export class BspError extends Error {
  override readonly name = 'BspError';
  constructor(
    readonly code: 'mac' | 'structure',
    message: string,
  ) {
    super(message);
  }
}

function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / BLOCK) + 1) * BLOCK);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

function unpad(data: Uint8Array): Uint8Array {
  let end = data.length - 1;
  while (end >= 0 && data[end] === 0x00) end--;
  if (end < 0 || data[end] !== 0x80 || data.length - end > BLOCK) throw new BspError('structure', 'bad padding');
  return data.subarray(0, end);
}

/** One side's BSP state: keys, block counter and MAC chaining value. Use one instance per direction of a session. */
export class BspSession {
  private blockCounter = 1;
  private mcv: Uint8Array;
  private readonly sEnc: Uint8Array;
  private readonly sMac: Uint8Array;

  constructor(keys: BspKeys) {
    this.sEnc = keys.sEnc;
    this.sMac = keys.sMac;
    this.mcv = keys.initialMcv;
  }

  private icv(): Uint8Array {
    const counter = new Uint8Array(BLOCK);
    let n = this.blockCounter++;
    for (let i = BLOCK - 1; i >= 0 && n > 0; i--, n = Math.floor(n / 256)) counter[i] = n & 0xff;
    const c = createCipheriv('aes-128-ecb', this.sEnc, null);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(counter), c.final()]));
  }

  private mac(tag: number, body: Uint8Array): Uint8Array {
    const head = header(tag, body.length + MAC_LENGTH);
    const full = aesCmac(this.sMac, concat(this.mcv, head, body));
    this.mcv = full;
    return concat(head, body, full.subarray(0, MAC_LENGTH));
  }

  /** Encrypts and MACs one segment (`86` profile elements, `87` ConfigureISDP / ReplaceSessionKeys). */
  encryptAndMac(tag: 0x86 | 0x87, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length > MAX_ENCRYPTED_PLAINTEXT) throw new RangeError(`segment plaintext of ${plaintext.length} bytes exceeds ${MAX_ENCRYPTED_PLAINTEXT}`);
    const c = createCipheriv('aes-128-cbc', this.sEnc, this.icv());
    c.setAutoPadding(false);
    return this.mac(tag, new Uint8Array(Buffer.concat([c.update(pad(plaintext)), c.final()])));
  }

  /** MACs one plaintext segment (`88` StoreMetadata); the block counter still moves on. */
  macOnly(tag: 0x88, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length > MAX_MAC_ONLY_PLAINTEXT) throw new RangeError(`segment plaintext of ${plaintext.length} bytes exceeds ${MAX_MAC_ONLY_PLAINTEXT}`);
    this.blockCounter++;
    return this.mac(tag, plaintext);
  }

  /** Splits `data` into as many encrypted segments as needed. */
  encryptAndMacAll(tag: 0x86 | 0x87, data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let at = 0; at < data.length || out.length === 0; at += MAX_ENCRYPTED_PLAINTEXT) out.push(this.encryptAndMac(tag, data.subarray(at, at + MAX_ENCRYPTED_PLAINTEXT)));
    return out;
  }

  macOnlyAll(tag: 0x88, data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let at = 0; at < data.length || out.length === 0; at += MAX_MAC_ONLY_PLAINTEXT) out.push(this.macOnly(tag, data.subarray(at, at + MAX_MAC_ONLY_PLAINTEXT)));
    return out;
  }

  private verify(segment: Uint8Array, expectedTag: number): Uint8Array {
    let tlv;
    try {
      tlv = readOnly(segment);
    } catch (e) {
      throw new BspError('structure', `segment is not one TLV: ${(e as Error).message}`);
    }
    if (tlv.tag !== expectedTag) throw new BspError('structure', `expected tag ${expectedTag.toString(16)}, got ${tlv.tag.toString(16)}`);
    if (tlv.value.length < MAC_LENGTH) throw new BspError('structure', 'segment shorter than its MAC');
    const body = tlv.value.subarray(0, tlv.value.length - MAC_LENGTH);
    const received = tlv.value.subarray(tlv.value.length - MAC_LENGTH);
    const full = aesCmac(this.sMac, concat(this.mcv, segment.subarray(0, tlv.headerLength), body));
    if (!Buffer.from(full.subarray(0, MAC_LENGTH)).equals(Buffer.from(received))) throw new BspError('mac', 'C-MAC does not match');
    this.mcv = full;
    return body;
  }

  /** Checks the MAC of an encrypted segment and decrypts it. */
  verifyAndDecrypt(segment: Uint8Array, tag: 0x86 | 0x87): Uint8Array {
    const body = this.verify(segment, tag);
    if (body.length === 0 || body.length % BLOCK !== 0) throw new BspError('structure', 'ciphertext is not whole blocks');
    const d = createDecipheriv('aes-128-cbc', this.sEnc, this.icv());
    d.setAutoPadding(false);
    return unpad(new Uint8Array(Buffer.concat([d.update(body), d.final()])));
  }

  /** Checks the MAC of a MAC-only segment. */
  verifyMacOnly(segment: Uint8Array, tag: 0x88): Uint8Array {
    const body = this.verify(segment, tag);
    this.blockCounter++;
    return body;
  }
}
