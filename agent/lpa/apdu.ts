/** Command APDU helpers (ISO/IEC 7816-4 §5.1, ETSI TS 102 221 §10.1.1). */

/**
 * The CLA for `base` (0x00 interindustry, 0x80 GlobalPlatform) on logical channel `ch`: channels
 * 0..3 in b1-b2 of the first interindustry class, 4..19 in b1-b4 of the further class (b7 set).
 * A channel number outside 0..19 (some modules hand out session ids) leaves the channel bits to
 * the modem.
 */
export function claForChannel(base: 0x00 | 0x80, ch: number): number {
  if (ch >= 0 && ch <= 3) return base | ch;
  if (ch >= 4 && ch <= 19) return base | 0x40 | (ch - 4);
  return base;
}

export function statusWordOf(response: Uint8Array): number {
  return response.length < 2 ? -1 : (response[response.length - 2]! << 8) | response[response.length - 1]!;
}

export function dataOf(response: Uint8Array): Uint8Array {
  return response.subarray(0, Math.max(0, response.length - 2));
}

/** A short command APDU: header, then Lc and data when there is data, then Le when given. */
export function commandApdu(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, le?: number): Uint8Array {
  const body = data && data.length > 0 ? [data.length, ...data] : [];
  return Uint8Array.from([cla, ins, p1, p2, ...body, ...(le === undefined ? [] : [le & 0xff])]);
}
