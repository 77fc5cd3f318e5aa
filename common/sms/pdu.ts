/**
 * SMS-DELIVER TPDUs as a modem shows them in PDU mode (3GPP TS 23.040 §9.2.2.1, with the SMSC
 * address of TS 27.005 §3.1 in front): encode (the simulated network's SMSC) and decode (the
 * agent). Data coding: GSM 7-bit default alphabet, 8-bit data, UCS2 (TS 23.038 §4). Concatenated
 * messages carry a user data header with IEI 0x00 (8-bit reference) or 0x08 (16-bit reference)
 * (TS 23.040 §9.2.3.24.1, §9.2.3.24.8). Pure.
 */
import { headerSeptets, packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';

export type SmsEncoding = 'gsm7' | 'ucs2' | '8bit';

export interface SmsAddress {
  /** Digits, with a leading `+` for an international number (type of address 0x91). */
  number: string;
}

/** Part `seq` of `total` of the long message `ref` from one originator. */
export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
}

export interface SmsDeliver {
  /** Service centre address (`+` international); absent → length 0 (the modem's default). */
  smsc?: string;
  originator: string;
  encoding: SmsEncoding;
  /** Text of this PDU (for `8bit`, each char is one octet 0..255). */
  text: string;
  /** Service centre time stamp, ms since the epoch. */
  timestamp: number;
  /** The time zone of the stamp in minutes east of UTC (a multiple of 15). */
  utcOffsetMinutes: number;
  concat?: ConcatInfo;
  /** TP-PID (default 0, a plain short message). */
  pid?: number;
  /** TP-MMS inverted: true when the SMSC has more messages waiting. */
  moreMessages?: boolean;
}

/** Thrown on a PDU that does not parse; the message says where. */
export class SmsPduError extends Error {
  override name = 'SmsPduError';
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** Address value digits as semi-octets, low nibble first, `F` filling an odd count (§9.1.2.3). */
function swapDigits(digits: string): number[] {
  const padded = digits.length % 2 ? `${digits}F` : digits;
  const out: number[] = [];
  for (let i = 0; i < padded.length; i += 2) out.push(parseInt(`${padded[i + 1]}${padded[i]}`, 16));
  return out;
}

function unswapDigits(bytes: Uint8Array, count: number): string {
  let out = '';
  for (const b of bytes) out += (b & 0x0f).toString(16) + (b >> 4).toString(16);
  return out.slice(0, count).toUpperCase();
}

function typeOfAddress(number: string): number {
  // 0x91: international, ISDN plan; 0x81: unknown type (short codes, national numbers).
  return number.startsWith('+') ? 0x91 : 0x81;
}

function encodeAddressDigits(number: string): { digits: string; toa: number } {
  const digits = number.replace(/^\+/, '');
  if (!/^[0-9*#]{1,20}$/.test(digits)) throw new SmsPduError(`address "${number}" must be 1 to 20 digits, optionally after +`);
  return { digits: digits.replace(/\*/g, 'A').replace(/#/g, 'B'), toa: typeOfAddress(number) };
}

/** TP-OA / TP-DA: length in semi-octets, type, digits (§9.1.2.5). */
function encodeTpAddress(number: string): number[] {
  const { digits, toa } = encodeAddressDigits(number);
  return [digits.length, toa, ...swapDigits(digits)];
}

/** The SMSC address of 27.005 PDUs: length in octets (type included), type, digits. */
function encodeSmscAddress(number: string | undefined): number[] {
  if (!number) return [0];
  const { digits, toa } = encodeAddressDigits(number);
  const value = swapDigits(digits);
  return [value.length + 1, toa, ...value];
}

const bcd = (n: number): number => (((n % 10) << 4) | Math.floor(n / 10)) & 0xff;
const unbcd = (b: number): number => (b & 0x0f) * 10 + (b >> 4);

/** TP-SCTS: year…second as swapped BCD in local time, then the zone in quarter hours (§9.2.3.11). */
function encodeTimestamp(ms: number, offsetMinutes: number): number[] {
  const local = new Date(ms + offsetMinutes * 60_000);
  const quarters = Math.round(Math.abs(offsetMinutes) / 15);
  const tz = bcd(quarters) | (offsetMinutes < 0 ? 0x08 : 0);
  return [local.getUTCFullYear() % 100, local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()].map(bcd).concat(tz);
}

function decodeTimestamp(b: Uint8Array): { timestamp: number; utcOffsetMinutes: number } {
  const [yy, mo, dd, hh, mi, ss] = [...b.subarray(0, 6)].map(unbcd) as [number, number, number, number, number, number];
  const tzByte = b[6]!;
  const negative = (tzByte & 0x08) !== 0;
  const quarters = unbcd(tzByte & 0xf7);
  const utcOffsetMinutes = (negative ? -1 : 1) * quarters * 15;
  // [choice] Two-digit years are 2000–2099 (a modem's SCTS has no century).
  const localAsUtc = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  return { timestamp: localAsUtc - utcOffsetMinutes * 60_000, utcOffsetMinutes };
}

const DCS: Record<SmsEncoding, number> = { gsm7: 0x00, '8bit': 0x04, ucs2: 0x08 };

function encodingOfDcs(dcs: number): SmsEncoding {
  // General data coding (00xx xxxx) and message waiting / class groups (1111 xxxx): bits 3..2.
  const group = dcs >> 4;
  if (group <= 0x07 || group === 0x0f) {
    const alphabet = group === 0x0f ? (dcs >> 2) & 0x01 : (dcs >> 2) & 0x03;
    if (group !== 0x0f && (dcs & 0x20) !== 0) throw new SmsPduError(`DCS 0x${dcs.toString(16)}: compressed text is not supported`);
    return alphabet === 0 ? 'gsm7' : alphabet === 1 ? '8bit' : 'ucs2';
  }
  if (group === 0x0c || group === 0x0d) return 'gsm7';
  if (group === 0x0e) return 'ucs2';
  throw new SmsPduError(`DCS 0x${dcs.toString(16)} is reserved`);
}

function udhOf(concat: ConcatInfo | undefined): Uint8Array {
  if (!concat) return new Uint8Array(0);
  if (concat.ref > 0xff) return Uint8Array.from([6, 0x08, 4, concat.ref >> 8, concat.ref & 0xff, concat.total, concat.seq]);
  return Uint8Array.from([5, 0x00, 3, concat.ref, concat.total, concat.seq]);
}

function ucs2Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/** Encodes an SMS-DELIVER with its SMSC address, as `AT+CMGR` shows it in PDU mode. */
export function encodeDeliver(m: SmsDeliver): { pdu: string; tpduLength: number } {
  const udh = udhOf(m.concat);
  let ud: Uint8Array;
  let udl: number;
  if (m.encoding === 'gsm7') {
    const septets = textToSeptets(m.text);
    if (!septets) throw new SmsPduError('the text has characters outside the GSM 7-bit alphabet');
    ud = packSeptets(septets, udh);
    udl = (udh.length ? headerSeptets(udh.length) : 0) + septets.length;
  } else {
    const body = m.encoding === 'ucs2' ? ucs2Bytes(m.text) : Uint8Array.from([...m.text].map((c) => c.charCodeAt(0) & 0xff));
    ud = new Uint8Array([...udh, ...body]);
    udl = ud.length;
  }
  if (ud.length > 140) throw new SmsPduError(`user data is ${ud.length} octets; one SMS carries at most 140`);
  const firstOctet = 0x00 | (m.moreMessages ? 0 : 0x04) | (udh.length ? 0x40 : 0);
  const tpdu = [firstOctet, ...encodeTpAddress(m.originator), m.pid ?? 0, DCS[m.encoding], ...encodeTimestamp(m.timestamp, m.utcOffsetMinutes), udl, ...ud];
  const all = Uint8Array.from([...encodeSmscAddress(m.smsc), ...tpdu]);
  return { pdu: hex(all), tpduLength: tpdu.length };
}

/** Decodes a PDU-mode SMS-DELIVER (SMSC address first); throws `SmsPduError` when malformed. */
export function decodeDeliver(pduHex: string): SmsDeliver {
  const text = pduHex.trim();
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(text)) throw new SmsPduError('a PDU is an even number of hex digits');
  const b = Uint8Array.from(Buffer.from(text, 'hex'));
  let p = 0;
  const need = (n: number, what: string): void => {
    if (p + n > b.length) throw new SmsPduError(`PDU ends inside ${what} (octet ${p})`);
  };
  need(1, 'the SMSC length');
  const smscLength = b[p++]!;
  need(smscLength, 'the SMSC address');
  let smsc: string | undefined;
  if (smscLength > 0) {
    const toa = b[p]!;
    const digits = unswapDigits(b.subarray(p + 1, p + smscLength), (smscLength - 1) * 2).replace(/F$/, '');
    smsc = `${(toa & 0x70) === 0x10 ? '+' : ''}${digits}`;
  }
  p += smscLength;
  need(1, 'the first octet');
  const first = b[p++]!;
  if ((first & 0x03) !== 0x00) throw new SmsPduError(`message type ${first & 0x03} is not SMS-DELIVER`);
  need(2, 'the originating address');
  const oaDigits = b[p++]!;
  const oaType = b[p++]!;
  const oaOctets = Math.ceil(oaDigits / 2);
  need(oaOctets, 'the originating address');
  let originator: string;
  if ((oaType & 0x70) === 0x50) {
    // Alphanumeric (TON 101): GSM 7-bit packed, `oaDigits` semi-octets long (§9.1.2.5).
    originator = septetsToText(unpackSeptets(b.subarray(p, p + oaOctets), Math.floor((oaDigits * 4) / 7)));
  } else {
    const digits = unswapDigits(b.subarray(p, p + oaOctets), oaDigits).replace(/A/g, '*').replace(/B/g, '#');
    originator = `${(oaType & 0x70) === 0x10 ? '+' : ''}${digits}`;
  }
  p += oaOctets;
  need(9, 'PID, DCS and the time stamp');
  const pid = b[p++]!;
  const encoding = encodingOfDcs(b[p++]!);
  const { timestamp, utcOffsetMinutes } = decodeTimestamp(b.subarray(p, p + 7));
  p += 7;
  need(1, 'the user data length');
  const udl = b[p++]!;
  const ud = b.subarray(p);
  const udhi = (first & 0x40) !== 0;
  const udhOctets = udhi ? (ud[0] ?? 0) + 1 : 0;
  if (udhOctets > ud.length) throw new SmsPduError('the user data header is longer than the user data');
  let concat: ConcatInfo | undefined;
  for (let i = 1; i < udhOctets; ) {
    const iei = ud[i]!;
    const len = ud[i + 1] ?? 0;
    const v = ud.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) concat = { ref: v[0]!, total: v[1]!, seq: v[2]! };
    if (iei === 0x08 && len === 4) concat = { ref: (v[0]! << 8) | v[1]!, total: v[2]!, seq: v[3]! };
    i += 2 + len;
  }
  let body: string;
  if (encoding === 'gsm7') {
    const count = udl - (udhi ? headerSeptets(udhOctets) : 0);
    if (count < 0 || Math.ceil(((udhi ? headerSeptets(udhOctets) : 0) + count) * 7 / 8) > ud.length) throw new SmsPduError('the user data is shorter than its length says');
    body = septetsToText(unpackSeptets(ud, count, udhOctets));
  } else {
    if (udl > ud.length) throw new SmsPduError('the user data is shorter than its length says');
    const bytes = ud.subarray(udhOctets, udl);
    if (encoding === 'ucs2') {
      let s = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
      body = s;
    } else body = String.fromCharCode(...bytes);
  }
  return {
    ...(smsc !== undefined ? { smsc } : {}),
    originator,
    encoding,
    text: body,
    timestamp,
    utcOffsetMinutes,
    pid,
    moreMessages: (first & 0x04) === 0,
    ...(concat ? { concat } : {}),
  };
}

/** [choice] Septets / UCS2 characters per part of a concatenated message (8-bit reference UDH). */
export const PART_CAPACITY = { gsm7: { single: 160, part: 153 }, ucs2: { single: 70, part: 67 } } as const;

/**
 * Splits a text into the parts one SMS each carries (TS 23.040 §9.2.3.24.1): one part when it
 * fits, else 153 septets / 67 UCS2 characters per part; an escape pair never straddles parts.
 */
export function splitText(text: string, encoding: 'gsm7' | 'ucs2'): string[] {
  const cap = PART_CAPACITY[encoding];
  const units = encoding === 'gsm7' ? [...text].map((ch) => ({ ch, size: textToSeptets(ch)?.length ?? 1 })) : [...text].map((ch) => ({ ch, size: ch.length }));
  const total = units.reduce((n, u) => n + u.size, 0);
  if (total <= cap.single) return [text];
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const u of units) {
    if (size + u.size > cap.part) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += u.ch;
    size += u.size;
  }
  if (current) parts.push(current);
  return parts;
}

/** Length of a text in septets (GSM 7-bit, escapes count 2) or UTF-16 units (UCS2); undefined if not encodable. */
export function smsLength(text: string, encoding: 'gsm7' | 'ucs2'): number | undefined {
  return encoding === 'gsm7' ? textToSeptets(text)?.length : text.length;
}
