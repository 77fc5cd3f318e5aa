/** Vendor session lines from real modules, each with its source (notation as in registration.test.ts). */
import { describe, expect, it } from 'vitest';
import { parseSgact, parseUpsnd, parseUupsda, parseUupsdd } from './vendor-parsers.js';

describe('u-blox PSD profiles', () => {
  it.each([
    ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md (SARA)', '0,"100.92.188.77"', { profile: 0, address: '100.92.188.77' }],
    ['vshymanskyy/TinyGSM#296 (SARA-G450)', '0,"100.89.183.48"', { profile: 0, address: '100.89.183.48' }],
    ['khoih-prog/GSM_Generic#7 (LARA-R2)', '0,"10.174.88.81"', { profile: 0, address: '10.174.88.81' }],
  ] as const)('%s: +UUPSDA: %s', (_source, args, expected) => {
    expect(parseUupsda(args)).toEqual(expected);
  });
  it('+UUPSDD: 0 (FactbirdHQ/ublox-cellular-rs emnify_reset_connectivity.md; vshymanskyy/TinyGSM#296)', () => {
    expect(parseUupsdd('0')).toBe(0);
    expect(parseUupsdd('')).toBeUndefined();
  });
  it.each([
    ['khoih-prog/GSM_Generic#7 (LARA-R2, up)', '0,8,1', { profile: 0, tag: 8, value: '1' }],
    ['vshymanskyy/TinyGSM#296 (SARA-G450, not yet)', '0,8,0', { profile: 0, tag: 8, value: '0' }],
    ['khoih-prog/GSM_Generic#7 (address)', '0,0,"100.64.80.24"', { profile: 0, tag: 0, value: '100.64.80.24' }],
  ] as const)('%s: +UPSND: %s', (_source, args, expected) => {
    expect(parseUpsnd(args)).toEqual(expected);
  });
});

describe('Telit #SGACT', () => {
  it('pastebin.com/UYDQzQ5u (Telit): the activation answers the address', () => {
    expect(parseSgact('10.141.2.165')).toEqual({ address: '10.141.2.165' });
  });
  it('the read form lists <cid>,<stat> (Telit AT reference, #SGACT?)', () => {
    expect(parseSgact('1,1')).toEqual({ cid: 1, active: true });
    expect(parseSgact('1,0')).toEqual({ cid: 1, active: false });
    expect(parseSgact('x')).toBeUndefined();
  });
});
