/**
 * Raw DER spans: where a data object's tag, length and value sit in the bytes it came in. SGP.22
 * signs the exact encodings (euiccSigned1, smdpSigned2, the BPP segments...), so these helpers hand
 * out sub-arrays of the received bytes rather than re-encoded trees.
 */
import { BerTlvError, tagBytes } from '../ber-tlv.js';

export interface RawTlv {
  readonly tag: number;
  /** The whole data object: tag, length and value. */
  readonly raw: Uint8Array;
  readonly value: Uint8Array;
  /** Bytes of tag + length. */
  readonly headerLength: number;
}

/** Reads the tag and length at `at`; the value may run past `bytes` (a segment announcing more). */
export function readHeader(bytes: Uint8Array, at = 0): { tag: number; length: number; headerLength: number } {
  let i = at;
  if (i >= bytes.length) throw new BerTlvError('truncated', 'expected a tag', i);
  const first = bytes[i++]!;
  if (first === 0) throw new BerTlvError('bad-tag', 'tag byte 00', at);
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    for (let n = 0; ; n++) {
      if (i >= bytes.length) throw new BerTlvError('truncated', 'tag cut short', i);
      if (n >= 3) throw new BerTlvError('bad-tag', 'tag longer than 4 bytes', at);
      const b = bytes[i++]!;
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
    }
  }
  if (i >= bytes.length) throw new BerTlvError('truncated', 'length missing', i);
  const l0 = bytes[i++]!;
  let length = l0;
  if (l0 === 0x80) throw new BerTlvError('bad-length', 'indefinite length', i - 1);
  if (l0 > 0x80) {
    const count = l0 & 0x7f;
    if (count > 4) throw new BerTlvError('bad-length', `${count} length bytes`, i - 1);
    if (i + count > bytes.length) throw new BerTlvError('truncated', 'length cut short', i);
    length = 0;
    for (let k = 0; k < count; k++) length = length * 256 + bytes[i++]!;
  }
  return { tag, length, headerLength: i - at };
}

/** The complete data object at `at`. */
export function readTlv(bytes: Uint8Array, at = 0): RawTlv {
  const h = readHeader(bytes, at);
  const end = at + h.headerLength + h.length;
  if (end > bytes.length) throw new BerTlvError('truncated', `value of ${h.tag.toString(16)} runs past the data`, at);
  return { tag: h.tag, raw: bytes.subarray(at, end), value: bytes.subarray(at + h.headerLength, end), headerLength: h.headerLength };
}

/** Exactly one data object filling `bytes`. */
export function readOnly(bytes: Uint8Array, tag?: number): RawTlv {
  const t = readTlv(bytes);
  if (t.raw.length !== bytes.length) throw new BerTlvError('trailing-bytes', `${bytes.length - t.raw.length} bytes after the data object`, t.raw.length);
  if (tag !== undefined && t.tag !== tag) throw new BerTlvError('bad-tag', `expected ${tag.toString(16)}, got ${t.tag.toString(16)}`);
  return t;
}

/** The data objects that fill `value`, back to back. */
export function rawChildren(value: Uint8Array): RawTlv[] {
  const out: RawTlv[] = [];
  for (let at = 0; at < value.length; ) {
    const t = readTlv(value, at);
    out.push(t);
    at += t.raw.length;
  }
  return out;
}

/** The first child with `tag`, or undefined. */
export function rawChild(parent: RawTlv, tag: number): RawTlv | undefined {
  return rawChildren(parent.value).find((c) => c.tag === tag);
}

export function requireRawChild(parent: RawTlv, tag: number): RawTlv {
  const c = rawChild(parent, tag);
  if (!c) throw new BerTlvError('missing-child', `${parent.tag.toString(16)} has no ${tag.toString(16)}`);
  return c;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** Tag and length of a data object whose value is `length` bytes long. */
export function header(tag: number, length: number): Uint8Array {
  return Uint8Array.from([...tagBytes(tag), ...lengthBytes(length)]);
}

/** `tag ‖ length ‖ values…` — wraps already-encoded parts without decoding them. */
export function wrap(tag: number, ...values: Uint8Array[]): Uint8Array {
  const body = concat(...values);
  return concat(header(tag, body.length), body);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** OBJECT IDENTIFIER content octets (X.690 §8.19) of a dotted string. */
export function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new BerTlvError('bad-value', `bad OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! > 39n)) throw new BerTlvError('bad-value', `bad OID ${dotted}`);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const group: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0 || (bytes[bytes.length - 1]! & 0x80) !== 0) throw new BerTlvError('bad-value', 'bad OID encoding');
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of bytes) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}
