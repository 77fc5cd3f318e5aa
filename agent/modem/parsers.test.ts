import { describe, expect, it } from 'vitest';
import {
  isSessionLoss,
  normaliseIccid,
  parseAppPdp,
  parseAti,
  parseCeer,
  parseCereg,
  parseCesq,
  parseCgev,
  parseCgpaddr,
  parseCnact,
  parseCops,
  parseCpin,
  parseCsq,
  parseIdentity,
  parseQiact,
  parseQiurc,
} from './parsers.js';
import { splitFields } from './args.js';

describe('splitFields', () => {
  it('keeps commas inside quotes and marks empty fields', () => {
    expect(splitFields('1,"a,b",,7')).toEqual([
      { value: '1', quoted: false },
      { value: 'a,b', quoted: true },
      { value: '', quoted: false },
      { value: '7', quoted: false },
    ]);
  });
});

describe('parseCereg', () => {
  it.each([
    // URC forms (27.007 §10.1.22), as BG96 / SIM7080 print them.
    ['1', 'urc', { stat: 1 }],
    ['1,"1A2B","01A2D101",7', 'urc', { stat: 1, tac: 0x1a2b, cellId: 0x01a2d101, act: 7 }],
    ['5,"00C3","0A1B2C3D",9', 'urc', { stat: 5, tac: 0xc3, cellId: 0x0a1b2c3d, act: 9 }],
    ['2', 'urc', { stat: 2 }],
    ['3,,,,0,7', 'urc', { stat: 3, causeType: 0, rejectCause: 7 }],
    ['3,"1A2B","01A2D101",7,0,15', 'urc', { stat: 3, tac: 0x1a2b, cellId: 0x01a2d101, act: 7, causeType: 0, rejectCause: 15 }],
    // Read forms.
    ['2,1,"1A2B","01A2D101",8', 'read', { mode: 2, stat: 1, tac: 0x1a2b, cellId: 0x01a2d101, act: 8 }],
    ['0,4', 'read', { mode: 0, stat: 4 }],
    ['3,3,,,,0,11', 'read', { mode: 3, stat: 3, causeType: 0, rejectCause: 11 }],
  ] as const)('%s (%s)', (args, form, expected) => {
    expect(parseCereg(args, form)).toMatchObject({ domain: 'eps', ...expected });
    expect(parseCereg(args, 'auto')).toMatchObject(expected);
  });

  it('rejects nonsense, and keeps a <stat> 27.007 does not define (not registered)', () => {
    expect(parseCereg('x,y')).toBeUndefined();
    expect(parseCereg('')).toBeUndefined();
    expect(parseCereg('42')).toMatchObject({ stat: 42, state: 'unrecognised' });
  });
});

describe('parseCgev', () => {
  it.each([
    ['NW DETACH', 'nw-detach', undefined, true],
    ['ME DETACH', 'me-detach', undefined, true],
    ['NW PDN DEACT 1', 'nw-pdn-deact', 1, true],
    ['ME PDN DEACT 1', 'me-pdn-deact', 1, true],
    ['NW PDN DEACT 2', 'nw-pdn-deact', 2, false],
    ['NW DEACT "IP","10.10.0.5",1', 'nw-deact', 1, true],
    ['ME PDN ACT 1', 'me-pdn-act', 1, false],
    ['NW REACT "IP","10.1.2.3",1', 'nw-react', undefined, false],
    ['REJECT "IP","10.1.2.3"', 'reject', undefined, false],
  ] as const)('%s', (args, kind, cid, loss) => {
    const event = parseCgev(args);
    expect(event.kind).toBe(kind);
    if (cid !== undefined) expect(event.cid).toBe(cid);
    expect(isSessionLoss(event, 1)).toBe(loss);
  });
});

describe('signal quality', () => {
  it.each([
    ['20,99', { csq: 20, rssiDbm: -73 }],
    ['0,0', { csq: 0, rssiDbm: -113 }],
    ['31,99', { csq: 31, rssiDbm: -51 }],
    ['99,99', { csq: 99 }],
  ] as const)('+CSQ: %s', (args, expected) => {
    expect(parseCsq(args)).toEqual(expected);
  });
  it('+CESQ reads RSRQ and RSRP, and 255 as unknown', () => {
    expect(parseCesq('99,99,255,255,20,45')).toEqual({ rsrqDb: -10, rsrpDbm: -96 });
    expect(parseCesq('99,99,255,255,255,255')).toEqual({});
    expect(parseCesq('99,99')).toBeUndefined();
  });
});

describe('+CPIN', () => {
  it.each([
    ['READY', 'ready'],
    ['SIM PIN', 'sim-pin'],
    ['SIM PUK', 'sim-puk'],
    ['NOT READY', 'not-ready'],
    ['NOT INSERTED', 'not-inserted'],
    ['PH-SIM PIN', 'other'],
  ] as const)('%s', (args, expected) => {
    expect(parseCpin(args)).toBe(expected);
  });
});

describe('addresses', () => {
  it('+CGPADDR with and without quotes, IPv6 second, none', () => {
    expect(parseCgpaddr('1,"10.160.23.7"')).toEqual({ cid: 1, address: '10.160.23.7' });
    expect(parseCgpaddr('1,10.160.23.7')).toEqual({ cid: 1, address: '10.160.23.7' });
    expect(parseCgpaddr('1,"0.0.0.0","2001:db8::1"')).toEqual({ cid: 1, address: '2001:db8::1' });
    expect(parseCgpaddr('1')).toEqual({ cid: 1 });
    expect(parseCgpaddr('"x"')).toBeUndefined();
  });
  it('+QIACT (Quectel TCP/IP manual)', () => {
    expect(parseQiact('1,1,1,"10.7.157.1"')).toEqual({ cid: 1, active: true, address: '10.7.157.1' });
    expect(parseQiact('1,0,1')).toEqual({ cid: 1, active: false });
  });
  it('+CNACT (SIM7080)', () => {
    expect(parseCnact('0,1,"10.94.136.72"')).toEqual({ cid: 0, active: true, address: '10.94.136.72' });
    expect(parseCnact('1,0,"0.0.0.0"')).toEqual({ cid: 1, active: false });
  });
  it('+APP PDP and +QIURC', () => {
    expect(parseAppPdp('0,ACTIVE')).toEqual({ cid: 0, active: true });
    expect(parseAppPdp('0,DEACTIVE')).toEqual({ cid: 0, active: false });
    expect(parseAppPdp('0,MAYBE')).toBeUndefined();
    expect(parseQiurc('"pdpdeact",1')).toEqual({ kind: 'pdpdeact', cid: 1 });
    expect(parseQiurc('"closed",0')).toEqual({ kind: 'closed', cid: 0 });
  });
});

describe('+CEER', () => {
  it.each([
    ['"No cause information available"', undefined],
    ['EMM cause #7', 7],
    ['ESM cause 33', 33],
    ['33,"requested service option not subscribed"', 33],
    ['"Requested service option not subscribed"', 33],
    ['User authentication failed', 29],
    ['"Insufficient resources"', 26],
    ['No cause', undefined],
    ['ESM cause 33,requested service option not subscribed', 33],
    ['"EMM cause",7,"EPS services not allowed"', 7],
  ] as const)('%s', (args, cause) => {
    expect(parseCeer(args).cause).toBe(cause);
  });
});

describe('+COPS and identification', () => {
  it('reads operator and AcT', () => {
    expect(parseCops('0,0,"NTT DOCOMO",7')).toEqual({ mode: 0, format: 0, name: 'NTT DOCOMO', act: 7 });
    expect(parseCops('0')).toEqual({ mode: 0 });
  });
  it('reads bare and prefixed identities', () => {
    expect(parseIdentity(['866425030000001'])).toBe('866425030000001');
    expect(parseIdentity(['+CGSN: "866425030000001"'])).toBe('866425030000001');
    expect(parseIdentity(['+QCCID: 89811000000000000017'])).toBe('89811000000000000017');
    expect(parseIdentity([])).toBeUndefined();
    expect(normaliseIccid('8981100000000000001F')).toBe('8981100000000000001');
    expect(normaliseIccid('ERROR')).toBeUndefined();
  });
  it('reads ATI of Quectel and SIMCom', () => {
    expect(parseAti(['Quectel', 'BG96', 'Revision: BG96MAR02A07M1G'])).toEqual({ manufacturer: 'Quectel', model: 'BG96', revision: 'BG96MAR02A07M1G' });
    expect(parseAti(['SIM7080 R1951.03'])).toEqual({ model: 'SIM7080', revision: 'R1951.03' });
    expect(parseAti(['Manufacturer: SIMCOM_Ltd', 'Model: SIMCOM_SIM7080G', 'Revision: 1951B04SIM7080', 'IMEI: 860000000000001'])).toEqual({
      manufacturer: 'SIMCOM_Ltd',
      model: 'SIMCOM_SIM7080G',
      revision: '1951B04SIM7080',
    });
  });
});
