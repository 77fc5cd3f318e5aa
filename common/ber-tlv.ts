/**
 * BER-TLV codec (ISO/IEC 8825-1, as profiled by ISO/IEC 7816-4 §5.2 and used by SGP.22 ES10).
 *
 * Shared by the agent's LPA (agent/lpa) and the simulated eUICC (simulator/euicc). Definite
 * lengths only (short form and long form up to 4 length bytes); tags of 1..4 bytes kept as one
 * unsigned number in their encoded form (`0x5A`, `0x9F70`, `0xBF2D`). Decoding is strict and never
 * throws anything but {@link BerTlvError}: truncation, overruns, indefinite lengths, trailing bytes
 * and excessive nesting are all reported with the offset where they were found.
 */

/** Why a byte string is not the BER-TLV that was expected. */
export type BerTlvErrorCode =
  | 'truncated'
  | 'bad-tag'
  | 'bad-length'
  | 'trailing-bytes'
  | 'too-deep'
  | 'missing-child'
  | 'bad-value';

/** The only error the decoder and the value helpers throw. */
export class BerTlvError extends Error {
  override readonly name = 'BerTlvError';
  constructor(
    readonly code: BerTlvErrorCode,
    message: string,
    /** Byte offset in the input where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

/** A primitive data object: its value is opaque bytes. */
export interface PrimitiveTlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

/** A constructed data object: its value is a sequence of data objects. */
export interface ConstructedTlv {
  readonly tag: number;
  readonly children: readonly Tlv[];
}

export type Tlv = PrimitiveTlv | ConstructedTlv;

/** Nesting limit: ES10 structures are a handful of levels deep; garbage can be thousands. */
export const MAX_DEPTH = 32;

const MAX_TAG_BYTES = 4;
const MAX_LENGTH_BYTES = 4;

/** True when the tag's first byte has the constructed bit (b6) set. */
export function isConstructedTag(tag: number): boolean {
  return (tagBytes(tag)[0]! & 0x20) !== 0;
}

export function isConstructed(tlv: Tlv): tlv is ConstructedTlv {
  return 'children' in tlv;
}

/** The encoded bytes of a tag number such as `0xBF2D` → `[0xBF, 0x2D]`. */
export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffffff) {
    throw new BerTlvError('bad-tag', `tag ${tag} is not an encoded tag of 1..4 bytes`);
  }
  const out: number[] = [];
  let t = tag;
  while (t > 0) {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  }
  validateTagBytes(out, 0);
  return Uint8Array.from(out);
}

function validateTagBytes(bytes: readonly number[], offset: number): void {
  const first = bytes[0]!;
  const multi = (first & 0x1f) === 0x1f;
  if (!multi) {
    if (bytes.length !== 1) throw new BerTlvError('bad-tag', 'single-byte tag form with extra tag bytes', offset);
    return;
  }
  if (bytes.length < 2) throw new BerTlvError('bad-tag', 'multi-byte tag without subsequent bytes', offset);
  if (bytes[1] === 0x80) throw new BerTlvError('bad-tag', 'tag number with a leading zero group', offset);
  for (let i = 1; i < bytes.length; i++) {
    const last = i === bytes.length - 1;
    const more = (bytes[i]! & 0x80) !== 0;
    if (more === last) throw new BerTlvError('bad-tag', 'tag continuation bits inconsistent', offset);
  }
}

/** Uppercase hex of a tag, for messages and logs. */
export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(2, '0');
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  let l = length;
  while (l > 0) {
    out.unshift(l & 0xff);
    l = Math.floor(l / 256);
  }
  if (out.length > MAX_LENGTH_BYTES) throw new BerTlvError('bad-length', `length ${length} too large`);
  return [0x80 | out.length, ...out];
}

/** Encodes one data object (and its children, recursively) with minimal definite lengths. */
export function encodeTlv(tlv: Tlv): Uint8Array {
  const tag = tagBytes(tlv.tag);
  const constructedTag = (tag[0]! & 0x20) !== 0;
  let value: Uint8Array;
  if (isConstructed(tlv)) {
    if (!constructedTag) throw new BerTlvError('bad-tag', `tag ${tagHex(tlv.tag)} is primitive but has children`);
    value = encodeTlvs(tlv.children);
  } else {
    if (constructedTag) throw new BerTlvError('bad-tag', `tag ${tagHex(tlv.tag)} is constructed but has a raw value`);
    value = tlv.value;
  }
  const length = encodeLength(value.length);
  const out = new Uint8Array(tag.length + length.length + value.length);
  out.set(tag, 0);
  out.set(length, tag.length);
  out.set(value, tag.length + length.length);
  return out;
}

/** Encodes a sequence of data objects back to back. */
export function encodeTlvs(tlvs: readonly Tlv[]): Uint8Array {
  const parts = tlvs.map(encodeTlv);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Decoded {
  readonly tlv: Tlv;
  /** Offset just past the data object. */
  readonly end: number;
}

function decodeAt(bytes: Uint8Array, start: number, limit: number, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw new BerTlvError('too-deep', `nesting deeper than ${MAX_DEPTH}`, start);
  let at = start;
  if (at >= limit) throw new BerTlvError('truncated', 'expected a tag', at);
  const first = bytes[at]!;
  if (first === 0x00) throw new BerTlvError('bad-tag', 'tag byte 00 (padding or end-of-contents)', at);
  const tagList = [first];
  at++;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      if (at >= limit) throw new BerTlvError('truncated', 'tag cut short', at);
      const b = bytes[at++]!;
      tagList.push(b);
      if ((b & 0x80) === 0) break;
      if (tagList.length >= MAX_TAG_BYTES) throw new BerTlvError('bad-tag', `tag longer than ${MAX_TAG_BYTES} bytes`, start);
    }
  }
  validateTagBytes(tagList, start);
  const tag = tagList.reduce((n, b) => n * 256 + b, 0);

  if (at >= limit) throw new BerTlvError('truncated', `length of ${tagHex(tag)} missing`, at);
  const l0 = bytes[at++]!;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    throw new BerTlvError('bad-length', 'indefinite length is not allowed', at - 1);
  } else {
    const count = l0 & 0x7f;
    if (count > MAX_LENGTH_BYTES) throw new BerTlvError('bad-length', `${count} length bytes`, at - 1);
    if (at + count > limit) throw new BerTlvError('truncated', 'length bytes cut short', at);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!;
  }
  const valueStart = at;
  const valueEnd = valueStart + length;
  if (valueEnd > limit) {
    throw new BerTlvError('truncated', `${tagHex(tag)} announces ${length} bytes, ${limit - valueStart} left`, valueStart);
  }
  if ((first & 0x20) === 0) {
    return { tlv: { tag, value: bytes.slice(valueStart, valueEnd) }, end: valueEnd };
  }
  const children: Tlv[] = [];
  let c = valueStart;
  while (c < valueEnd) {
    const child = decodeAt(bytes, c, valueEnd, depth + 1);
    children.push(child.tlv);
    c = child.end;
  }
  return { tlv: { tag, children }, end: valueEnd };
}

/** Decodes a sequence of data objects that fills `bytes` exactly. */
export function decodeTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    const d = decodeAt(bytes, at, bytes.length, 0);
    out.push(d.tlv);
    at = d.end;
  }
  return out;
}

/** Decodes exactly one data object that fills `bytes`; anything after it is an error. */
export function decodeTlv(bytes: Uint8Array): Tlv {
  const d = decodeAt(bytes, 0, bytes.length, 0);
  if (d.end !== bytes.length) {
    throw new BerTlvError('trailing-bytes', `${bytes.length - d.end} bytes after the data object`, d.end);
  }
  return d.tlv;
}

/**
 * Decodes the first data object of `bytes` and reports where it ended, for callers that read a
 * stream of objects or must know whether a response is complete yet.
 */
export function decodeTlvPrefix(bytes: Uint8Array): { tlv: Tlv; length: number } {
  const d = decodeAt(bytes, 0, bytes.length, 0);
  return { tlv: d.tlv, length: d.end };
}

// ---- building ----

export function primitive(tag: number, value: Uint8Array | readonly number[]): PrimitiveTlv {
  return { tag, value: value instanceof Uint8Array ? value : Uint8Array.from(value) };
}

export function constructed(tag: number, children: readonly Tlv[]): ConstructedTlv {
  return { tag, children };
}

// ---- navigating ----

/** The children of a constructed object; a primitive one where a constructed one was expected is an error. */
export function childrenOf(tlv: Tlv): readonly Tlv[] {
  if (!isConstructed(tlv)) throw new BerTlvError('bad-value', `${tagHex(tlv.tag)} is not constructed`);
  return tlv.children;
}

/** The first child with `tag`, or undefined. */
export function findChild(tlv: Tlv, tag: number): Tlv | undefined {
  return childrenOf(tlv).find((c) => c.tag === tag);
}

/** Every child with `tag`, in order. */
export function findChildren(tlv: Tlv, tag: number): Tlv[] {
  return childrenOf(tlv).filter((c) => c.tag === tag);
}

/** The first child with `tag`; its absence is a `missing-child` error. */
export function requireChild(tlv: Tlv, tag: number): Tlv {
  const c = findChild(tlv, tag);
  if (!c) throw new BerTlvError('missing-child', `${tagHex(tlv.tag)} has no ${tagHex(tag)}`);
  return c;
}

/** The raw value of a primitive object. */
export function valueOf(tlv: Tlv): Uint8Array {
  if (isConstructed(tlv)) throw new BerTlvError('bad-value', `${tagHex(tlv.tag)} is constructed, expected primitive`);
  return tlv.value;
}

/** Follows a path of tags from `tlv` (first match at each level). */
export function findPath(tlv: Tlv, ...tags: number[]): Tlv | undefined {
  let cur: Tlv | undefined = tlv;
  for (const t of tags) {
    if (!cur || !isConstructed(cur)) return undefined;
    cur = findChild(cur, t);
  }
  return cur;
}

// ---- primitive values (X.690 §8.3 INTEGER, §8.6 BIT STRING, §8.23 UTF8String, §8.2 BOOLEAN) ----

/** Minimal two's-complement encoding of a safe integer. */
export function encodeInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new BerTlvError('bad-value', `${n} is not a safe integer`);
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
    const sign = (out[0]! & 0x80) !== 0;
    if ((v === 0n && !sign) || (v === -1n && sign)) break;
  }
  return Uint8Array.from(out);
}

export function decodeInteger(bytes: Uint8Array): number {
  if (bytes.length === 0) throw new BerTlvError('bad-value', 'empty INTEGER');
  if (bytes.length > 7) throw new BerTlvError('bad-value', 'INTEGER too large');
  let v = BigInt.asIntN(8, BigInt(bytes[0]!));
  for (let i = 1; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i]!);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new BerTlvError('bad-value', 'INTEGER too large');
  return n;
}

/** A named-bit BIT STRING with the bits given by number (bit 0 is the first, most significant). */
export function encodeBitString(bits: readonly number[], length?: number): Uint8Array {
  const bitCount = length ?? (bits.length === 0 ? 0 : Math.max(...bits) + 1);
  const byteCount = Math.ceil(bitCount / 8);
  const out = new Uint8Array(1 + byteCount);
  out[0] = byteCount * 8 - bitCount;
  for (const b of bits) {
    if (!Number.isInteger(b) || b < 0 || b >= bitCount) throw new BerTlvError('bad-value', `bit ${b} out of range`);
    out[1 + (b >> 3)]! |= 0x80 >> (b & 7);
  }
  return out;
}

/** The numbers of the bits set in a BIT STRING value. */
export function decodeBitString(bytes: Uint8Array): number[] {
  if (bytes.length === 0) throw new BerTlvError('bad-value', 'empty BIT STRING');
  const unused = bytes[0]!;
  if (unused > 7 || (bytes.length === 1 && unused !== 0)) throw new BerTlvError('bad-value', `${unused} unused bits`);
  const total = (bytes.length - 1) * 8 - unused;
  const out: number[] = [];
  for (let b = 0; b < total; b++) if ((bytes[1 + (b >> 3)]! & (0x80 >> (b & 7))) !== 0) out.push(b);
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new BerTlvError('bad-value', 'invalid UTF-8');
  }
}

export function encodeBoolean(value: boolean): Uint8Array {
  return Uint8Array.of(value ? 0xff : 0x00);
}

export function decodeBoolean(bytes: Uint8Array): boolean {
  if (bytes.length !== 1) throw new BerTlvError('bad-value', 'BOOLEAN must be one byte');
  return bytes[0] !== 0;
}

// ---- hex ----

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Parses hex (whitespace allowed); odd length or a non-hex character is a `bad-value` error. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new BerTlvError('bad-value', `not hex: ${hex.slice(0, 40)}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

// ---- tag lists (ISO 7816-4 §8.4.2 tag list '5C': tags back to back, no lengths) ----

/** Encodes tags back to back, as in a tag list (`5C`) or a GetEuiccData filter. */
export function encodeTagList(tags: readonly number[]): Uint8Array {
  return Uint8Array.from(tags.flatMap((t) => [...tagBytes(t)]));
}

/** Splits a tag list value into tag numbers. */
export function decodeTagList(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const group = [bytes[at++]!];
    if (group[0] === 0x00) throw new BerTlvError('bad-tag', 'tag byte 00 in tag list', start);
    if ((group[0]! & 0x1f) === 0x1f) {
      for (;;) {
        if (at >= bytes.length) throw new BerTlvError('truncated', 'tag cut short in tag list', at);
        const b = bytes[at++]!;
        group.push(b);
        if ((b & 0x80) === 0) break;
        if (group.length >= MAX_TAG_BYTES) throw new BerTlvError('bad-tag', 'tag too long in tag list', start);
      }
    }
    validateTagBytes(group, start);
    out.push(group.reduce((n, b) => n * 256 + b, 0));
  }
  return out;
}
