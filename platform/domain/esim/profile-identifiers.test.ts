import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activationCode, iccidFromPayload, isValidIccid, luhnCheckDigit, newMatchingId } from './profile-identifiers.js';

describe('profile identifiers', () => {
  it('computes the Luhn check digit of the textbook example', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(isValidIccid('89014103211118510720')).toBe(true); // a published ICCID example
    expect(isValidIccid('89014103211118510721')).toBe(false);
  });

  it('appends a check digit that any single-digit typo breaks', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), fc.integer({ min: 2, max: 19 }), fc.integer({ min: 1, max: 9 }), (serial, pos, delta) => {
        const iccid = iccidFromPayload(`89${serial}`);
        expect(iccid).toHaveLength(20);
        expect(isValidIccid(iccid)).toBe(true);
        const typo = iccid.slice(0, pos) + String((Number(iccid[pos]) + delta) % 10) + iccid.slice(pos + 1);
        expect(isValidIccid(typo)).toBe(false);
      }),
    );
    expect(() => iccidFromPayload('12345')).toThrow(/19 digits/);
  });

  it('makes matching IDs of 40 base32 characters in groups, and the LPA activation code', () => {
    const id = newMatchingId((n) => new Uint8Array(n).fill(0xff));
    expect(id).toBe('77777777-77777777-77777777-77777777-77777777');
    expect(newMatchingId((n) => Uint8Array.from({ length: n }, (_, i) => i))).toMatch(/^[A-Z2-7]{8}(-[A-Z2-7]{8}){4}$/);
    expect(activationCode('smdp.example.com', id)).toBe('LPA:1$smdp.example.com$77777777-77777777-77777777-77777777-77777777');
  });
});
