import { createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../ber-tlv.js';
import { BspError, BspSession, MAX_SEGMENT_TLV } from './bsp.js';
import { aesCmac, cmacSubkeys } from './cmac.js';
import { derToRaw, generateP256, rawToDer, signRaw, verifyRaw } from './ecdsa.js';
import { ecka, generateOneTimeKeyPair } from './ecka.js';
import { deriveBspKeys, x963Kdf } from './kdf.js';
import { readOnly } from './der.js';

const hex = (s: string): Uint8Array => fromHex(s);

describe('AES-CMAC (RFC 4493 §4 test vectors)', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const m64 = hex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  it('derives the subkeys K1 and K2', () => {
    const { k1, k2 } = cmacSubkeys(key);
    expect(toHex(k1)).toBe('FBEED618357133667C85E08F7236A8DE');
    expect(toHex(k2)).toBe('F7DDAC306AE266CCF90BC11EE46D513B');
  });
  it.each([
    ['empty message', 0, 'BB1D6929E95937287FA37D129B756746'],
    ['16 bytes', 16, '070A16B46B4D4144F79BDD9DD04A287C'],
    ['40 bytes', 40, 'DFA66747DE9AE63030CA32611497C827'],
    ['64 bytes', 64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('%s', (_name, length, mac) => {
    expect(toHex(aesCmac(key, m64.subarray(0, length)))).toBe(mac);
  });
});

describe('X9.63 KDF with SHA-256', () => {
  // NIST CAVS ansx963_2001 (SHA-256) vectors, also reproduced with `openssl kdf … X963KDF`.
  it('without shared info', () => {
    expect(toHex(x963Kdf(hex('96c05619d56c328ab95fe84b18264b08725b85e33fd34f08'), 16))).toBe('443024C3DAE66B95E6F5670601558F71');
  });
  it('with shared info, over several hash blocks', () => {
    const out = x963Kdf(hex('22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d'), 128, hex('75eef81aa3041e33b80971203d2c0c52'));
    expect(toHex(out)).toBe(
      'C498AF77161CC59F2962B9A713E2B215152D139766CE34A776DF11866A69BF2E52A13D9C7C6FC878C50C5EA0BC7B00E0DA2447CFD874F6CF92F30D0097111485500C90C3AF8B487872D04685D14C8D1DC8D7FA08BEB0CE0ABABC11F0BD496269142D43525A78E5BC79A17F59676A5706DC54D54D4D1F0BD7E386128EC26AFC21',
    );
  });
  // SGP.22 §2.6.4.2 session keys; the vectors are the ones osmocom pySim checks its BSP against
  // (tests/unittests/test_esim_bsp.py, the second captured from a third-party SM-DP+).
  it('derives the BSP session keys: initial MCV, S-ENC, S-MAC', () => {
    const a = deriveBspKeys(hex('8902dca391bbb22570fe60c176076246f568b1941265dff1d729e63039658089'), 0x88, 16, new Uint8Array(8).fill(0x80), hex('89049032123451234512345678901335'));
    expect([toHex(a.initialMcv), toHex(a.sEnc), toHex(a.sMac)]).toEqual(['734BC93DDB10C71C5AD13D420DC08B5B', 'D782D575B22A38334556A3D9A1E2AE6B', 'A35ADDC192AE8F934E2932116C7E89E7']);
    const b = deriveBspKeys(hex('c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe'), 0x88, 16, new Uint8Array(8).fill(0x80), hex('89049032123451234512345678901235'));
    expect([toHex(b.initialMcv), toHex(b.sEnc), toHex(b.sMac)]).toEqual(['406D507B448A699E7A36A38494DEBBDE', '472F5BFADD97F21D34F3CE9B51B92751', '9EC07F5B36A13E12A991D66E294E6242']);
  });
});

describe('SCP03t / BSP segments', () => {
  const keys = { sEnc: hex('472f5bfadd97f21d34f3ce9b51b92751'), sMac: hex('9ec07f5b36a13e12a991d66e294e6242'), initialMcv: hex('406d507b448a699e7a36a38494debbde') };
  // Same source as above: a third-party SM-DP+'s ConfigureISDP, StoreMetadata and ReplaceSessionKeys segments.
  it('encrypts, MACs and chains like a third-party SM-DP+', () => {
    const s = new BspSession(keys);
    expect(toHex(s.encryptAndMac(0x87, hex('bf2400')))).toBe('8718F6FE031E4B9CFE87C8E1E62F3FDE85C49412D7722A6A2D89');
    expect(toHex(s.macOnly(0x88, hex('bf252d5a0a98001032547698103214910947534d415f54455354921147534d415f544553545f50524f46494c45950100')))).toBe(
      '8838BF252D5A0A98001032547698103214910947534D415F54455354921147534D415F544553545F50524F46494C459501008A62CC9ADBB5CCBC',
    );
    expect(toHex(s.encryptAndMac(0x87, hex('bf26368010000102030405060708090a0b0c0d0e0f8110010102030405060708090a0b0c0d0e0f8210020102030405060708090a0b0c0d0e0f')))).toBe(
      '8748A14C800A001992351CD46AD2945654674369701D82B7B46567652BC8FBED234939FC57FBA748015525FD6C651E9D3D1330652D42A0CFAD950E912122AF4EC5362D3C0BC535729C40',
    );
  });

  it('the card side undoes any split of any payload, and every segment stays within 1020 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 5000 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), (profile, metadata) => {
        const dp = new BspSession(keys);
        const card = new BspSession(keys);
        const md = dp.macOnlyAll(0x88, metadata);
        const pe = dp.encryptAndMacAll(0x86, profile);
        for (const seg of [...md, ...pe]) expect(seg.length).toBeLessThanOrEqual(MAX_SEGMENT_TLV);
        const gotMd = Buffer.concat(md.map((s) => card.verifyMacOnly(s, 0x88)));
        const gotPe = Buffer.concat(pe.map((s) => card.verifyAndDecrypt(s, 0x86)));
        expect(toHex(gotMd)).toBe(toHex(metadata));
        expect(toHex(gotPe)).toBe(toHex(profile));
      }),
      { numRuns: 60 },
    );
  });

  it('a flipped bit, a reordered or a replayed segment fails the MAC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.nat(), (profile, pick) => {
        const segs = new BspSession(keys).encryptAndMacAll(0x86, profile);
        const bad = segs.map((s) => Uint8Array.from(s));
        const i = pick % bad.length;
        const seg = bad[i]!;
        seg[seg.length - 1 - (pick % 8)]! ^= 0x01;
        const card = new BspSession(keys);
        expect(() => bad.forEach((s) => card.verifyAndDecrypt(s, 0x86))).toThrow(BspError);
      }),
      { numRuns: 40 },
    );
    const [a, b] = new BspSession(keys).encryptAndMacAll(0x86, new Uint8Array(2000));
    const card = new BspSession(keys);
    expect(() => card.verifyAndDecrypt(b!, 0x86)).toThrow(expect.objectContaining({ code: 'mac' }));
    const replay = new BspSession(keys);
    replay.verifyAndDecrypt(a!, 0x86);
    expect(() => replay.verifyAndDecrypt(a!, 0x86)).toThrow(BspError);
  });

  it('a segment that is not one TLV of the expected tag is a structure error', () => {
    const s = new BspSession(keys);
    expect(() => s.verifyAndDecrypt(hex('8702AABB'), 0x86)).toThrow(expect.objectContaining({ code: 'structure' }));
    expect(() => s.verifyAndDecrypt(hex('8605AABB'), 0x86)).toThrow(expect.objectContaining({ code: 'structure' }));
    expect(readOnly(new BspSession(keys).encryptAndMac(0x86, new Uint8Array(0))).value.length).toBe(16 + 8);
  });
});

describe('ECDSA in the SGP.22 encoding (r ‖ s)', () => {
  // RFC 6979 §A.2.5: P-256, SHA-256, message "sample".
  const d = hex('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721');
  const ux = hex('60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6');
  const uy = hex('7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299');
  const r = 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716';
  const s = 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8';
  const jwk = { kty: 'EC', crv: 'P-256', x: Buffer.from(ux).toString('base64url'), y: Buffer.from(uy).toString('base64url') };
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  const sample = new TextEncoder().encode('sample');

  it('verifies the RFC 6979 signature given as r ‖ s', () => {
    expect(verifyRaw(publicKey, hex(r + s), sample)).toBe(true);
    expect(verifyRaw(publicKey, hex(r + s), new TextEncoder().encode('test'))).toBe(false);
    expect(verifyRaw(publicKey, hex(r), sample)).toBe(false);
  });

  it('converts between DER and r ‖ s, INTEGER sign bytes included', () => {
    const der = rawToDer(hex(r + s));
    // Both r and s have the high bit set: each INTEGER needs a leading 00.
    expect(toHex(der)).toBe(`3046022100${r}022100${s}`);
    expect(toHex(derToRaw(der))).toBe(r + s);
    const small = rawToDer(hex('00'.repeat(31) + '01' + '7F' + '00'.repeat(31)));
    expect(toHex(small)).toBe(`30250201010220${'7F' + '00'.repeat(31)}`);
    expect(toHex(derToRaw(small))).toBe('00'.repeat(31) + '01' + '7F' + '00'.repeat(31));
    expect(() => derToRaw(hex('3006020101020101FF'))).toThrow(RangeError);
  });

  it('signs what it verifies, with a key pair it generates or one loaded from the RFC', () => {
    const pair = generateP256();
    const sig = signRaw(pair.privateKey, sample);
    expect(sig.length).toBe(64);
    expect(verifyRaw(pair.publicKey, sig, sample)).toBe(true);
    const rfcKey = createPrivateKey({ key: { ...jwk, d: Buffer.from(d).toString('base64url') }, format: 'jwk' });
    expect(verifyRaw(publicKey, signRaw(rfcKey, new TextEncoder().encode('sam'), new TextEncoder().encode('ple')), sample)).toBe(true);
  });
});

describe('ECKA', () => {
  it('both sides reach the same 32-byte secret; a point off the curve is refused', () => {
    const a = generateOneTimeKeyPair();
    const b = generateOneTimeKeyPair();
    expect(a.publicKey.length).toBe(65);
    expect(toHex(ecka(a.privateKey, b.publicKey))).toBe(toHex(ecka(b.privateKey, a.publicKey)));
    expect(ecka(a.privateKey, b.publicKey).length).toBe(32);
    const off = Uint8Array.from(b.publicKey);
    off[64]! ^= 1;
    expect(() => ecka(a.privateKey, off)).toThrow(RangeError);
  });
});
