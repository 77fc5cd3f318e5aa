import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BerTlvError,
  constructed,
  decodeBitString,
  decodeInteger,
  decodeTlv,
  decodeTlvs,
  decodeUtf8,
  encodeBitString,
  encodeInteger,
  encodeTlv,
  findChild,
  findChildren,
  findPath,
  fromHex,
  isConstructed,
  primitive,
  requireChild,
  toHex,
  valueOf,
  type Tlv,
} from './ber-tlv.js';
import { decodeEid, decodeIccid, encodeIccid, parseActivationCode } from './es10.js';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof BerTlvError) return e.code;
    throw e;
  }
  return undefined;
}

describe('BER-TLV on real ES10 encodings', () => {
  it('decodes a GetEuiccData response (SGP.22 BF3E, two-byte tag) to the EID', () => {
    const tlv = decodeTlv(fromHex('BF3E125A1089049032118427504800000000003654'));
    expect(tlv.tag).toBe(0xbf3e);
    expect(decodeEid(valueOf(requireChild(tlv, 0x5a)))).toBe('89049032118427504800000000003654');
  });

  it('decodes a two-profile ProfileInfoListResponse read from a module over AT+CSIM', () => {
    const hex =
      'BF2D4BA049E32D5A0A980010325476981032149F700100921B47534D412054532E343820584F5220546573742050726F66696C65' +
      'E3185A0A988803070000156406669F70010192065477696C696F';
    const tlv = decodeTlv(fromHex(hex));
    const list = requireChild(tlv, 0xa0);
    const profiles = findChildren(list, 0xe3);
    expect(profiles).toHaveLength(2);
    expect(decodeIccid(valueOf(requireChild(profiles[0]!, 0x5a)))).toBe('89000123456789012341');
    expect(valueOf(requireChild(profiles[0]!, 0x9f70))).toEqual(Uint8Array.of(0));
    expect(decodeUtf8(valueOf(requireChild(profiles[0]!, 0x92)))).toBe('GSMA TS.48 XOR Test Profile');
    expect(valueOf(requireChild(profiles[1]!, 0x9f70))).toEqual(Uint8Array.of(1));
    expect(decodeUtf8(valueOf(requireChild(profiles[1]!, 0x92)))).toBe('Twilio');
    expect(toHex(encodeTlv(tlv))).toBe(hex);
  });

  it('re-encodes a profile with a profile-owner (B7) entry byte for byte', () => {
    const hex = 'BF2D25A023E3215A0A986800102030405060809F7001019105736D617274950102B705800364F007';
    const tlv = decodeTlv(fromHex(hex));
    expect(findPath(tlv, 0xa0, 0xe3, 0xb7, 0x80)).toEqual({ tag: 0x80, value: fromHex('64F007') });
    expect(toHex(encodeTlv(tlv))).toBe(hex);
  });

  it('builds the GetEuiccData request sent in STORE DATA', () => {
    const req = constructed(0xbf3e, [primitive(0x5c, [0x5a])]);
    expect(toHex(encodeTlv(req))).toBe('BF3E035C015A');
  });

  it('uses long-form lengths above 127 bytes and reads them back', () => {
    const big = primitive(0x94, new Uint8Array(300).fill(7));
    const bytes = encodeTlv(big);
    expect(toHex(bytes.slice(0, 4))).toBe('9482012C');
    expect(decodeTlv(bytes)).toEqual(big);
    expect(toHex(encodeTlv(primitive(0x04, new Uint8Array(200))).slice(0, 3))).toBe('0481C8');
  });

  it('accepts a non-minimal long-form length (BER, not DER)', () => {
    expect(decodeTlv(fromHex('5A8102ABCD'))).toEqual({ tag: 0x5a, value: fromHex('ABCD') });
  });
});

describe('BER-TLV strictness', () => {
  it.each([
    ['truncated value', 'BF2D05A003', 'truncated'],
    ['missing length', '9F70', 'truncated'],
    ['cut multi-byte tag', 'BF', 'truncated'],
    ['indefinite length', 'BF2D80A0000000', 'bad-length'],
    ['five length bytes', '5A850000000001AA', 'bad-length'],
    ['trailing bytes', '5A01AA00', 'trailing-bytes'],
    ['zero tag (padding)', '000100', 'bad-tag'],
    ['tag with leading zero group', '9F8001AA', 'bad-tag'],
    ['child overruns its parent', 'A0035A05AABBCCDDEE', 'truncated'],
    ['tag longer than four bytes', '9F8181817F00', 'bad-tag'],
  ])('rejects %s with a typed error', (_name, hex, code) => {
    expect(errorCode(() => decodeTlv(fromHex(hex)))).toBe(code);
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const depth = 40;
    let bytes = fromHex('8000');
    for (let i = 0; i < depth; i++) {
      const next = new Uint8Array(bytes.length + 2);
      next.set([0xa0, bytes.length]);
      next.set(bytes, 2);
      bytes = next;
    }
    expect(errorCode(() => decodeTlv(bytes))).toBe('too-deep');
  });

  it('refuses to encode a raw value under a constructed tag and children under a primitive one', () => {
    expect(errorCode(() => encodeTlv(primitive(0xa0, [1])))).toBe('bad-tag');
    expect(errorCode(() => encodeTlv(constructed(0x80, [])))).toBe('bad-tag');
  });

  it('reports a missing child and a primitive used as constructed', () => {
    const tlv = decodeTlv(fromHex('BF30038001 05'));
    expect(errorCode(() => requireChild(tlv, 0x81))).toBe('missing-child');
    expect(findChild(tlv, 0x81)).toBeUndefined();
    expect(errorCode(() => findChild(primitive(0x80, [1]), 0x80))).toBe('bad-value');
  });
});

describe('value helpers', () => {
  it('encodes INTEGER minimally in two’s complement', () => {
    expect(toHex(encodeInteger(0))).toBe('00');
    expect(toHex(encodeInteger(127))).toBe('7F');
    expect(toHex(encodeInteger(128))).toBe('0080');
    expect(toHex(encodeInteger(-1))).toBe('FF');
    expect(toHex(encodeInteger(300))).toBe('012C');
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (n) => decodeInteger(encodeInteger(n)) === n));
  });

  it('encodes NotificationEvent bits as SGP.22 BIT STRINGs', () => {
    expect(toHex(encodeBitString([0]))).toBe('0780'); // install
    expect(toHex(encodeBitString([1]))).toBe('0640'); // enable
    expect(toHex(encodeBitString([2]))).toBe('0520'); // disable
    expect(toHex(encodeBitString([3]))).toBe('0410'); // delete
    expect(decodeBitString(fromHex('0410'))).toEqual([3]);
    expect(errorCode(() => decodeBitString(fromHex('08FF')))).toBe('bad-value');
  });

  it('swaps ICCID nibbles and pads with F', () => {
    expect(toHex(encodeIccid('8988303000000123456'))).toBe('988803030000103254F6');
    expect(decodeIccid(encodeIccid('8988303000000123456'))).toBe('8988303000000123456');
    expect(decodeIccid(encodeIccid('89883030000001234567'))).toBe('89883030000001234567');
  });

  it('parses activation codes', () => {
    expect(parseActivationCode('LPA:1$smdp.example.com$ABC-123')).toEqual({ smdpAddress: 'smdp.example.com', matchingId: 'ABC-123', confirmationCodeRequired: false });
    expect(parseActivationCode('LPA:1$smdp.example.com:8443$ABC$1.2.3$1')).toEqual({ smdpAddress: 'smdp.example.com:8443', matchingId: 'ABC', smdpOid: '1.2.3', confirmationCodeRequired: true });
    expect(errorCode(() => parseActivationCode('LPA:1$x$a_b'))).toBe('bad-value');
    expect(errorCode(() => parseActivationCode('LPA:2$x$y'))).toBe('bad-value');
  });
});

const primitiveTag = fc.oneof(
  fc.integer({ min: 0x01, max: 0x1e }).chain((n) => fc.constantFrom(n, n | 0x40, n | 0x80, n | 0xc0)),
  fc.integer({ min: 0x1f, max: 0x7f }).map((n) => 0x9f00 | n),
  fc.integer({ min: 0x80, max: 0x3fff }).map((n) => 0x5f8000 | ((n >> 7) << 8) | (n & 0x7f)),
);

/** Sets b6 of a tag's first byte. */
function withConstructedBit(tag: number): number {
  const bytes = tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
  return tag | (0x20 * 256 ** (bytes - 1));
}

const tlvArb: fc.Arbitrary<Tlv> = fc.letrec<{ node: Tlv }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: primitiveTag, value: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({
      tag: primitiveTag.map(withConstructedBit),
      children: fc.array(tie('node'), { maxLength: 4 }),
    }),
  ),
})).node;

describe('BER-TLV properties', () => {
  it('decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(tlvArb, (tlv) => {
        expect(decodeTlv(encodeTlv(tlv))).toEqual(tlv);
      }),
      { numRuns: 500 },
    );
  });

  it('decodeTlvs round-trips a sequence', () => {
    fc.assert(
      fc.property(fc.array(tlvArb, { maxLength: 5 }), (tlvs) => {
        const bytes = Uint8Array.from(tlvs.flatMap((t) => [...encodeTlv(t)]));
        expect(decodeTlvs(bytes)).toEqual(tlvs);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes either decode or throw BerTlvError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          const tlvs = decodeTlvs(bytes);
          for (const t of tlvs) expect(isConstructed(t) || 'value' in t).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(BerTlvError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('mutating a valid encoding never throws anything but BerTlvError', () => {
    fc.assert(
      fc.property(tlvArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (tlv, pos, byte) => {
        const bytes = encodeTlv(tlv);
        if (bytes.length === 0) return;
        bytes[pos % bytes.length] = byte;
        try {
          decodeTlv(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(BerTlvError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
