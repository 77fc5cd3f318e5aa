/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1, §6.2.1.1) and
 * septet packing (§6.1.2.1.1). Pure; shared by the simulated network (which builds SMS-DELIVER
 * PDUs) and the agent (which reads them), and tested against published vectors, not each other.
 */

/** Code 0x00–0x7F of the default alphabet; 0x1B is the escape to the extension table. */
const DEFAULT_ALPHABET =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: escape (0x1B) followed by these codes. */
const EXTENSION: Readonly<Record<number, string>> = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };

export const GSM7_ESCAPE = 0x1b;

const TO_CODE = new Map<string, number>([...DEFAULT_ALPHABET].map((ch, i) => [ch, i]).filter(([ch]) => ch !== '\u001b') as [string, number][]);
const TO_EXTENSION = new Map<string, number>(Object.entries(EXTENSION).map(([code, ch]) => [ch, Number(code)]));

if (DEFAULT_ALPHABET.length !== 128) throw new Error('GSM 7-bit default alphabet must have 128 entries');

/** The septets of `text`, or undefined when a character has no GSM 7-bit code. */
export function textToSeptets(text: string): number[] | undefined {
  const out: number[] = [];
  for (const ch of text) {
    const code = TO_CODE.get(ch);
    if (code !== undefined) {
      out.push(code);
      continue;
    }
    const ext = TO_EXTENSION.get(ch);
    if (ext === undefined) return undefined;
    out.push(GSM7_ESCAPE, ext);
  }
  return out;
}

/**
 * Septets back to text. An escape followed by a code the extension table lacks shows the default
 * alphabet's character (§6.2.1.1: "the default character set shall be displayed"); a trailing
 * escape is dropped.
 */
export function septetsToText(septets: readonly number[]): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    if (s === GSM7_ESCAPE) {
      const next = septets[++i];
      if (next === undefined) break;
      out += EXTENSION[next & 0x7f] ?? DEFAULT_ALPHABET[next & 0x7f];
      continue;
    }
    out += DEFAULT_ALPHABET[s];
  }
  return out;
}

/** Whether every character of `text` is in the default alphabet or its extension. */
export const isGsm7 = (text: string): boolean => textToSeptets(text) !== undefined;

/**
 * Packs septets into octets, least significant bit first, starting `startBit` bits into a buffer
 * whose first `prefix.length` octets are `prefix` (a user data header: the septets then start at
 * the next septet boundary, after fill bits, TS 23.040 §9.2.3.24).
 */
export function packSeptets(septets: readonly number[], prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const headerBits = prefix.length * 8;
  const startBit = Math.ceil(headerBits / 7) * 7;
  const totalBits = startBit + septets.length * 7;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  out.set(prefix, 0);
  septets.forEach((s, i) => {
    const bit = startBit + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] = out[byte]! | ((s << shift) & 0xff);
    if (shift > 1) out[byte + 1] = out[byte + 1]! | (s >> (8 - shift));
  });
  return out;
}

/** Reads `count` septets starting at the septet boundary after a header of `headerOctets` octets. */
export function unpackSeptets(data: Uint8Array, count: number, headerOctets = 0): number[] {
  const startBit = Math.ceil((headerOctets * 8) / 7) * 7;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = startBit + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = (data[byte] ?? 0) >> shift;
    if (shift > 1) v |= (data[byte + 1] ?? 0) << (8 - shift);
    out.push(v & 0x7f);
  }
  return out;
}

/** Septets a user data header of `headerOctets` occupies (with its fill bits). */
export const headerSeptets = (headerOctets: number): number => Math.ceil((headerOctets * 8) / 7);
