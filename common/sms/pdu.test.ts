import { describe, expect, it } from 'vitest';
import { isGsm7, packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';
import { SmsPduError, decodeDeliver, encodeDeliver, splitText } from './pdu.js';

/**
 * Vectors from outside the project:
 * - "hellohello" → E8329BFD4697D9EC37: the classic 7-bit packing example of the SMS PDU
 *   tutorials (dreamfabric.com "SMS and the PDU format"), reproduced by many codecs.
 * - A DELIVER received from a real network, as a Rust modem tool's test records it
 *   (0791448720003023240C9144775810065000009160421133128 0 0A…).
 * - `AT+CMGR` / `AT+CMGL` answers and the three UD parts of a 350-character concatenated message
 *   ('hello' × 70) from the test suite of the lua-gsmmodem library (moteus/lua-gsmmodem).
 */
const CONCAT_UD = [
  '050003010301D06536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9',
  '050003010302D86F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD1',
  '050003010303CA6CF61B5D66B3DFE8329BFD4697D9EC37BACC66BFD16536FB8D2EB3D96F7499CD7EA3CB6CF61B',
];
const CONCAT_UDL = [0xa0, 0xa0, 0x33];

describe('GSM 7-bit alphabet', () => {
  it('packs and unpacks the textbook vector', () => {
    const septets = textToSeptets('hellohello')!;
    expect(Buffer.from(packSeptets(septets)).toString('hex').toUpperCase()).toBe('E8329BFD4697D9EC37');
    expect(septetsToText(unpackSeptets(Buffer.from('E8329BFD4697D9EC37', 'hex'), 10))).toBe('hellohello');
  });

  it('maps the default alphabet and the extension table, and refuses what neither has', () => {
    expect(textToSeptets('@£$¥\nΔ_ÄÖÑÜ§¿àäöñü')).toEqual([0x00, 0x01, 0x02, 0x03, 0x0a, 0x10, 0x11, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x7f, 0x7b, 0x7c, 0x7d, 0x7e]);
    expect(textToSeptets('€[]{}|\\^~')).toEqual([0x1b, 0x65, 0x1b, 0x3c, 0x1b, 0x3e, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x40, 0x1b, 0x2f, 0x1b, 0x14, 0x1b, 0x3d]);
    expect(septetsToText(textToSeptets('Price: 5€ [ok]')!)).toBe('Price: 5€ [ok]');
    expect(isGsm7('テスト')).toBe(false);
    expect(isGsm7('`')).toBe(false);
  });
});

describe('SMS-DELIVER PDUs', () => {
  it('decodes a DELIVER received from a live network', () => {
    const m = decodeDeliver('0791448720003023240C914477581006500000916042113312800AE8329BFD4697D9EC37');
    expect(m).toMatchObject({ smsc: '+447802000332', originator: '+447785016005', encoding: 'gsm7', text: 'hellohello', utcOffsetMinutes: 120, moreMessages: false, pid: 0 });
    expect(new Date(m.timestamp).toISOString()).toBe('2019-06-24T09:33:21.000Z');
  });

  it('decodes the +CMGR / +CMGL answers of real modules (UTC+3 stamps, TPDU length 26)', () => {
    const m = decodeDeliver('07919761989901F0240B917777777777F70000514042314545210720A83C6D2FD301');
    expect(m).toMatchObject({ smsc: '+79168999100', originator: '+77777777777', text: ' Privet', utcOffsetMinutes: 180 });
    expect(new Date(m.timestamp).toISOString()).toBe('2015-04-24T10:54:54.000Z');
    // Re-encoded (our first octet sets no status-report indication: 0x04 where that network sent 0x24).
    const again = encodeDeliver({ ...m, smsc: '+79168999100' });
    expect(again).toEqual({ pdu: '07919761989901F0040B917777777777F70000514042314545210720A83C6D2FD301', tpduLength: 26 });
  });

  it('encodes a DELIVER that decodes to itself, GSM 7-bit and UCS2, with a negative zone', () => {
    const at = Date.UTC(2026, 0, 26, 20, 0, 5);
    for (const [encoding, text] of [['gsm7', 'reconnect'], ['ucs2', '再接続してください']] as const) {
      const { pdu } = encodeDeliver({ smsc: '+999000000000', originator: '900100', encoding, text, timestamp: at, utcOffsetMinutes: -300 });
      expect(decodeDeliver(pdu)).toMatchObject({ smsc: '+999000000000', originator: '900100', encoding, text, timestamp: at, utcOffsetMinutes: -300 });
    }
    expect(encodeDeliver({ originator: '900100', encoding: 'ucs2', text: 'テスト', timestamp: at, utcOffsetMinutes: 540 }).pdu).toMatch(/^00040681091000000862/);
    expect(encodeDeliver({ originator: '900100', encoding: 'ucs2', text: 'テスト', timestamp: at, utcOffsetMinutes: 540 }).pdu.endsWith('0630C630B930C8')).toBe(true);
  });

  it('reads and writes a concatenated message part by part (UDH IEI 00, fill bits)', () => {
    const header = (udl: number) => `00440B917777777777F7000051502251636421${udl.toString(16).padStart(2, '0').toUpperCase()}`;
    const parts = CONCAT_UD.map((ud, i) => decodeDeliver(`${header(CONCAT_UDL[i]!)}${ud}`));
    expect(parts.map((p) => p.concat)).toEqual([1, 2, 3].map((seq) => ({ ref: 1, total: 3, seq })));
    expect(parts.map((p) => p.text).join('')).toBe('hello'.repeat(70));
    const split = splitText('hello'.repeat(70), 'gsm7');
    expect(split.map((s) => s.length)).toEqual([153, 153, 44]);
    split.forEach((text, i) => {
      const { pdu } = encodeDeliver({ originator: '+77777777777', encoding: 'gsm7', text, timestamp: parts[0]!.timestamp, utcOffsetMinutes: 180, concat: { ref: 1, total: 3, seq: i + 1 } });
      expect(pdu.endsWith(CONCAT_UD[i]!)).toBe(true);
    });
  });

  it('splits UCS2 at 67 characters and never splits a GSM escape pair', () => {
    expect(splitText('あ'.repeat(70), 'ucs2')).toHaveLength(1);
    expect(splitText('あ'.repeat(71), 'ucs2').map((s) => s.length)).toEqual([67, 4]);
    const parts = splitText(`${'a'.repeat(152)}€b${'c'.repeat(10)}`, 'gsm7');
    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1]!.startsWith('€b')).toBe(true);
  });

  it('refuses what is not an SMS-DELIVER, clearly', () => {
    expect(() => decodeDeliver('07919761989901F0')).toThrow(SmsPduError);
    expect(() => decodeDeliver('0011000B916407281553F80000AA0AE8329BFD4697D9EC37')).toThrow(/not SMS-DELIVER/);
    expect(() => decodeDeliver('07919761989901F0240B917777777777F700005150225163642108AE30F9AC')).toThrow(/shorter/);
    expect(() => decodeDeliver('xyz')).toThrow(/hex/);
    expect(() => encodeDeliver({ originator: '+1', encoding: 'gsm7', text: 'x'.repeat(161), timestamp: 0, utcOffsetMinutes: 0 })).toThrow(/140/);
  });
});
