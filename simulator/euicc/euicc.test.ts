import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constructed, decodeTlv, encodeTlv, findChildren, findPath, fromHex, primitive, requireChild, toHex, valueOf, type Tlv } from '../../common/ber-tlv.js';
import { decodeIccid, encodeIccid, ISD_R_AID } from '../../common/es10.js';
import { Euicc, EuiccError } from './euicc.js';
import { EuiccStateError, MemoryEuiccStore } from './euicc-state.js';

const EID = '89049032118427504800000000003654';
const ICCID_A = '8981100000000000001';
const ICCID_B = '8981100000000000019';

function card(extra: Partial<ConstructorParameters<typeof Euicc>[0]> = {}): Euicc {
  return new Euicc({
    eid: EID,
    profiles: [
      { iccid: ICCID_A, imsi: '440100000000001', enabled: true, profileName: 'Operational A', serviceProviderName: 'Carrier A' },
      { iccid: ICCID_B, imsi: '440100000000019', profileName: 'Operational B', serviceProviderName: 'Carrier B', nickname: 'backup' },
    ],
    ...extra,
  });
}

function openIsdR(c: Euicc): number {
  const opened = c.openChannel(ISD_R_AID);
  if (!('channel' in opened)) throw new Error(`open failed ${opened.sw.toString(16)}`);
  return opened.channel;
}

/** One ES10 request as a single STORE DATA block on channel 1..3 (CLA 0x80 | ch). */
function storeData(c: Euicc, ch: number, requestHex: string): string {
  const req = fromHex(requestHex);
  return toHex(c.transmit(ch, Uint8Array.from([0x80 | ch, 0xe2, 0x91, 0x00, req.length, ...req, 0x00])));
}

/** STORE DATA, then GET RESPONSE while the card answers 61xx: the whole response, status word stripped. */
function storeDataAll(c: Euicc, ch: number, requestHex: string): string {
  let sw = storeData(c, ch, requestHex);
  let data = '';
  while (sw.slice(-4).startsWith('61')) {
    data += sw.slice(0, -4);
    sw = toHex(c.transmit(ch, Uint8Array.of(0x80 | ch, 0xc0, 0, 0, parseInt(sw.slice(-2), 16))));
  }
  expect(sw.slice(-4)).toBe('9000');
  return data + sw.slice(0, -4);
}

const iccidTlv = (iccid: string): Tlv => primitive(0x5a, encodeIccid(iccid));
const aidTlv = (aid: string): Tlv => primitive(0x4f, fromHex(aid));
const hexOf = (tlv: Tlv): string => toHex(encodeTlv(tlv));
/** BF31 / BF32 { A0 { id }, 81 refreshFlag } */
const switchReq = (tag: 0xbf31 | 0xbf32, id: Tlv, refresh = true): string =>
  hexOf(constructed(tag, [constructed(0xa0, [id]), primitive(0x81, [refresh ? 0xff : 0x00])]));
const deleteReq = (id: Tlv): string => hexOf(constructed(0xbf33, [id]));
const AID_A = 'A0000005591010FFFFFFFF8900001000';
const AID_B = 'A0000005591010FFFFFFFF8900001100';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'euicc-'));
  dirs.push(d);
  return d;
};

describe('ISD-R selection', () => {
  it('opens a channel on the ISD-R and refuses any other AID with 6A82', () => {
    const c = card();
    expect(c.openChannel(ISD_R_AID)).toEqual({ channel: 1 });
    expect(c.openChannel('A0000000871002FF33FF018900000100')).toEqual({ sw: 0x6a82 });
    expect(c.openChannel(ISD_R_AID)).toEqual({ channel: 2 });
    expect(c.closeChannel(1)).toBe(true);
    expect(c.closeChannel(1)).toBe(false);
  });

  it('runs out of channels after 19 with 6A81', () => {
    const c = card();
    for (let i = 0; i < 19; i++) openIsdR(c);
    expect(c.openChannel(ISD_R_AID)).toEqual({ sw: 0x6a81 });
  });

  it('answers raw MANAGE CHANNEL and SELECT on the basic channel as AT+CSIM sends them', () => {
    const c = card();
    expect(toHex(c.transmit(0, fromHex('0070000001')))).toBe('019000');
    expect(toHex(c.transmit(0, fromHex(`01A4040010${ISD_R_AID}`)))).toBe(`6F128410${ISD_R_AID}9000`);
    expect(toHex(c.transmit(0, fromHex('81E2910006BF3E035C015A')))).toBe(`BF3E125A10${EID}9000`);
    expect(toHex(c.transmit(0, fromHex('0070800100')))).toBe('9000');
    expect(toHex(c.transmit(0, fromHex('81E2910006BF3E035C015A')))).toBe('6881');
  });

  it('refuses STORE DATA before the ISD-R is selected', () => {
    const c = card();
    expect(toHex(c.transmit(0, fromHex('0070000001')))).toBe('019000');
    expect(toHex(c.transmit(0, fromHex('81E2910006BF3E035C015A')))).toBe('6985');
  });
});

describe('ES10 over STORE DATA', () => {
  it('answers GetEuiccData with the EID exactly as a real card does', () => {
    const c = card();
    const ch = openIsdR(c);
    expect(storeData(c, ch, 'BF3E035C015A')).toBe(`BF3E125A10${EID}9000`);
  });

  it('reassembles a request sent in several blocks and checks the block numbers', () => {
    const c = card();
    const ch = openIsdR(c);
    const req = fromHex('BF3E035C015A');
    expect(toHex(c.transmit(ch, Uint8Array.from([0x81, 0xe2, 0x11, 0x00, 3, ...req.subarray(0, 3)])))).toBe('9000');
    expect(toHex(c.transmit(ch, Uint8Array.from([0x81, 0xe2, 0x91, 0x01, 3, ...req.subarray(3)])))).toBe(`BF3E125A10${EID}9000`);
    expect(toHex(c.transmit(ch, Uint8Array.from([0x81, 0xe2, 0x11, 0x00, 3, ...req.subarray(0, 3)])))).toBe('9000');
    expect(toHex(c.transmit(ch, Uint8Array.from([0x81, 0xe2, 0x91, 0x05, 3, ...req.subarray(3)])))).toBe('6A86');
  });

  it('lists profiles with ICCID, ISD-P AID, state, nickname, provider, name and class', () => {
    const c = card();
    const response = storeData(c, openIsdR(c), 'BF2D00');
    expect(response.endsWith('9000')).toBe(true);
    const tlv = decodeTlv(fromHex(response.slice(0, -4)));
    const profiles = findChildren(requireChild(tlv, 0xa0), 0xe3);
    expect(profiles.map((p) => decodeIccid(valueOf(requireChild(p, 0x5a))))).toEqual([ICCID_A, ICCID_B]);
    expect(profiles.map((p) => toHex(valueOf(requireChild(p, 0x9f70))))).toEqual(['01', '00']);
    expect(toHex(valueOf(requireChild(profiles[0]!, 0x4f)))).toBe('A0000005591010FFFFFFFF8900001000');
    expect(Buffer.from(valueOf(requireChild(profiles[1]!, 0x90))).toString()).toBe('backup');
    expect(toHex(valueOf(requireChild(profiles[0]!, 0x95)))).toBe('02');
  });

  it('filters the profile list by ICCID and by tag list', () => {
    const c = card();
    const ch = openIsdR(c);
    // searchCriteria A0 { 5A iccid(B) }, tagList 5C { 5A 9F70 }
    const request = hexOf(constructed(0xbf2d, [constructed(0xa0, [iccidTlv(ICCID_B)]), primitive(0x5c, fromHex('5A9F70'))]));
    const response = storeData(c, ch, request);
    const tlv = decodeTlv(fromHex(response.slice(0, -4)));
    const [only] = findChildren(requireChild(tlv, 0xa0), 0xe3);
    expect(only && 'children' in only ? only.children.map((x) => x.tag) : []).toEqual([0x5a, 0x9f70]);
    expect(decodeIccid(valueOf(requireChild(only!, 0x5a)))).toBe(ICCID_B);
  });

  it('enables by ICCID, implicitly disabling the other profile, and notifies both', () => {
    const c = card();
    // BF31 { A0 { 5A iccid(B) }, 81 FF }
    expect(storeData(c, openIsdR(c), switchReq(0xbf31, iccidTlv(ICCID_B)))).toBe('BF31038001009000');
    expect(c.profiles().map((p) => p.state)).toEqual(['disabled', 'enabled']);
    expect(c.notifications().map((n) => [n.seqNumber, n.event, n.iccid])).toEqual([
      [1, 'disable', ICCID_A],
      [2, 'enable', ICCID_B],
    ]);
  });

  it('answers the SGP.22 result codes', () => {
    const c = card();
    const ch = openIsdR(c);
    expect(storeData(c, ch, switchReq(0xbf31, aidTlv('A0000005591010FFFFFFFF8900009900')))).toBe('BF31038001019000'); // iccidOrAidNotFound
    expect(storeData(c, ch, switchReq(0xbf31, aidTlv(AID_A)))).toBe('BF31038001029000'); // profileNotInDisabledState
    expect(storeData(c, ch, switchReq(0xbf32, aidTlv(AID_B)))).toBe('BF32038001029000'); // profileNotInEnabledState
    expect(storeData(c, ch, switchReq(0xbf32, iccidTlv('8981100000000000027')))).toBe('BF32038001019000');
    expect(storeData(c, ch, deleteReq(iccidTlv(ICCID_B)))).toBe('BF33038001009000');
    expect(storeData(c, ch, deleteReq(iccidTlv(ICCID_B)))).toBe('BF33038001019000');
    expect(storeData(c, ch, hexOf(constructed(0xbf29, [iccidTlv(ICCID_A), primitive(0x90, [0x41])])))).toBe('BF29038001009000');
    expect(storeData(c, ch, hexOf(constructed(0xbf29, [iccidTlv(ICCID_B), primitive(0x90, [0x41])])))).toBe('BF29038001019000');
    expect(c.profiles()[0]!.nickname).toBe('A');
  });

  it('refuses to delete the enabled profile (profileNotInDisabledState)', () => {
    const c = card();
    expect(storeData(c, openIsdR(c), deleteReq(aidTlv(AID_A)))).toBe('BF33038001029000');
    expect(c.profiles()).toHaveLength(2);
  });

  it('answers catBusy and disallowedByPolicy', () => {
    const c = card();
    const ch = openIsdR(c);
    c.quirks.catBusy = true;
    expect(storeData(c, ch, switchReq(0xbf31, aidTlv(AID_B)))).toBe('BF31038001059000');
    c.quirks.catBusy = false;
    const locked = new Euicc({ eid: EID, profiles: [{ iccid: ICCID_A, imsi: '440100000000001', enabled: true, policy: { disableNotAllowed: true } }] });
    expect(storeData(locked, openIsdR(locked), switchReq(0xbf32, aidTlv(AID_A)))).toBe('BF32038001039000');
  });

  it('rejects garbage with 6A80, an unknown ES10 tag with 6A88, an unknown INS with 6D00', () => {
    const c = card();
    const ch = openIsdR(c);
    expect(storeData(c, ch, 'BF2D05A003')).toBe('6A80');
    expect(storeData(c, ch, 'BF7F00')).toBe('6A88');
    expect(toHex(c.transmit(ch, fromHex('81CA00FF00')))).toBe('6D00');
    expect(toHex(c.transmit(ch, fromHex('81')))).toBe('6700');
  });

  it('serves a response longer than 256 bytes through 61xx and GET RESPONSE', () => {
    const c = new Euicc({
      eid: EID,
      profiles: Array.from({ length: 6 }, (_, i) => ({ iccid: `898110000000000010${i}`, imsi: `44010000000010${i}`, profileName: 'A long profile name '.repeat(2) })),
    });
    const ch = openIsdR(c);
    const first = storeData(c, ch, 'BF2D00');
    expect(first).toBe('6100');
    let collected = '';
    let sw = first;
    while (sw.startsWith('61')) {
      const r = toHex(c.transmit(ch, fromHex(`81C00000${sw.slice(2)}`)));
      collected += r.slice(0, -4);
      sw = r.slice(-4);
    }
    expect(sw).toBe('9000');
    expect(collected.length / 2).toBeGreaterThan(256);
    expect(findChildren(requireChild(decodeTlv(fromHex(collected)), 0xa0), 0xe3)).toHaveLength(6);
  });

  it('with alwaysGetResponse, even the EID comes through GET RESPONSE (ISO class CLA accepted too)', () => {
    const c = card({ quirks: { alwaysGetResponse: true } });
    const ch = openIsdR(c);
    expect(storeData(c, ch, 'BF3E035C015A')).toBe('6115');
    expect(toHex(c.transmit(ch, fromHex('01C0000015')))).toBe(`BF3E125A10${EID}9000`);
  });
});

describe('notifications', () => {
  it('lists metadata, retrieves signed notifications, and removes one only by NotificationSent', () => {
    const c = card();
    const ch = openIsdR(c);
    storeData(c, ch, switchReq(0xbf31, iccidTlv(ICCID_B)));
    const list = decodeTlv(fromHex(storeData(c, ch, 'BF2800').slice(0, -4)));
    const metas = findChildren(requireChild(list, 0xa0), 0xbf2f);
    expect(metas.map((m) => toHex(valueOf(requireChild(m, 0x80))))).toEqual(['01', '02']);
    expect(metas.map((m) => toHex(valueOf(requireChild(m, 0x81))))).toEqual(['0520', '0640']);
    expect(Buffer.from(valueOf(requireChild(metas[0]!, 0x0c))).toString()).toBe('smdp.cellgate.invalid');

    // OtherSignedNotification: metadata, a 64-byte r ‖ s ECDSA signature, the eUICC and EUM certificates.
    const one = decodeTlv(fromHex(storeDataAll(c, ch, 'BF2B05A003800102')));
    const pending = requireChild(requireChild(one, 0xa0), 0x30);
    expect(toHex(valueOf(findPath(pending, 0xbf2f, 0x80)!))).toBe('02');
    expect(valueOf(requireChild(pending, 0x5f37))).toHaveLength(64);
    expect(findChildren(pending, 0x30)).toHaveLength(2);

    expect(storeData(c, ch, 'BF3003800101')).toBe('BF30038001009000');
    expect(storeData(c, ch, 'BF3003800101')).toBe('BF30038001019000');
    expect(c.notifications().map((n) => n.seqNumber)).toEqual([2]);
    expect(storeData(c, ch, 'BF2B05A003800101')).toBe('BF2B038101019000');
  });

  it('filters ListNotification by event', () => {
    const c = card();
    const ch = openIsdR(c);
    storeData(c, ch, switchReq(0xbf31, iccidTlv(ICCID_B)));
    const list = decodeTlv(fromHex(storeData(c, ch, 'BF280481020640').slice(0, -4)));
    expect(findChildren(requireChild(list, 0xa0), 0xbf2f)).toHaveLength(1);
  });

  it('keeps sequence numbers growing after removals', () => {
    const c = card();
    const ch = openIsdR(c);
    storeData(c, ch, switchReq(0xbf31, iccidTlv(ICCID_B))); // 1, 2
    storeData(c, ch, 'BF3003800101');
    storeData(c, ch, 'BF3003800102');
    const reopened = openIsdR(c);
    storeData(c, reopened, switchReq(0xbf31, iccidTlv(ICCID_A), false)); // back to A: 3, 4
    expect(c.notifications().map((n) => n.seqNumber)).toEqual([3, 4]);
  });
});

describe('refresh and power cycle', () => {
  it('fires onRefresh after an enable with refreshFlag, closes the channels, and shows the new IMSI', async () => {
    const c = card();
    const refreshed = vi.fn();
    c.onRefresh(refreshed);
    const ch = openIsdR(c);
    expect(c.imsi).toBe('440100000000001');
    storeData(c, ch, switchReq(0xbf31, iccidTlv(ICCID_B)));
    await Promise.resolve();
    expect(refreshed).toHaveBeenCalledTimes(1);
    expect(c.imsi).toBe('440100000000019');
    expect(c.iccid).toBe(ICCID_B);
    expect(toHex(c.transmit(ch, fromHex('81E2910006BF3E035C015A')))).toBe('6881');
  });

  it('without refreshFlag, or with needsSimPowerCycle, the terminal keeps the old profile until reset()', async () => {
    const c = card({ quirks: { needsSimPowerCycle: true } });
    const refreshed = vi.fn();
    c.onRefresh(refreshed);
    storeData(c, openIsdR(c), switchReq(0xbf31, iccidTlv(ICCID_B)));
    await Promise.resolve();
    expect(refreshed).not.toHaveBeenCalled();
    expect(c.iccid).toBe(ICCID_A);
    c.reset();
    expect(c.iccid).toBe(ICCID_B);
  });

  it('after disabling the only enabled profile the terminal sees no ICCID', async () => {
    const c = card();
    storeData(c, openIsdR(c), switchReq(0xbf32, iccidTlv(ICCID_A)));
    await Promise.resolve();
    expect(c.iccid).toBeUndefined();
    expect(c.imsi).toBeUndefined();
  });
});

describe('provisioning shortcut', () => {
  it('installs a disabled profile from an activation code and queues an install notification', () => {
    const c = card();
    const p = c.installFromActivationCode('LPA:1$smdp.example.com$MATCH-1', { iccid: '8942310000000000019', imsi: '295050000000019' });
    expect(p).toMatchObject({ state: 'disabled', notificationAddress: 'smdp.example.com', isdpAid: 'A0000005591010FFFFFFFF8900001200' });
    const n = c.notifications().at(-1)!;
    expect(n).toMatchObject({ seqNumber: 1, event: 'install', notificationAddress: 'smdp.example.com', iccid: '8942310000000000019' });
    const ch = openIsdR(c);
    const pending = decodeTlv(fromHex(storeData(c, ch, 'BF2B05A003800101').slice(0, -4)));
    const pir = requireChild(requireChild(pending, 0xa0), 0xbf37);
    expect(toHex(valueOf(findPath(pir, 0xbf27, 0xbf2f, 0x81)!))).toBe('0780');
    expect(toHex(valueOf(findPath(pir, 0xbf27, 0xa2, 0xa0, 0x4f)!))).toBe(p.isdpAid);
  });

  it('refuses a second install of the same ICCID and a malformed activation code', () => {
    const c = card();
    expect(() => c.installFromActivationCode('LPA:1$smdp.example.com$X', { iccid: ICCID_A, imsi: '440100000000001' })).toThrow(EuiccError);
    expect(() => c.installFromActivationCode('LPA:9$smdp$X', { iccid: '8942310000000000019', imsi: '295050000000019' })).toThrow(/activation code/);
  });
});

describe('persistence', () => {
  it('survives a process restart through the state file, written atomically', () => {
    const dir = tempDir();
    const first = card({ stateDir: dir });
    storeData(first, openIsdR(first), switchReq(0xbf31, iccidTlv(ICCID_B)));
    first.installFromActivationCode('LPA:1$smdp.example.com$M', { iccid: '8942310000000000019', imsi: '295050000000019' });
    expect(readdirSync(dir)).toEqual([`euicc-${EID}.json`]);

    const second = new Euicc({ eid: EID, stateDir: dir, profiles: [] });
    expect(second.profiles().map((p) => [p.iccid, p.state])).toEqual([
      [ICCID_A, 'disabled'],
      [ICCID_B, 'enabled'],
      ['8942310000000000019', 'disabled'],
    ]);
    expect(second.notifications().map((n) => n.seqNumber)).toEqual([1, 2, 3]);
    expect(second.iccid).toBe(ICCID_B);
  });

  it('refuses a corrupt state file with a clear error and leaves it untouched', () => {
    const dir = tempDir();
    const path = join(dir, `euicc-${EID}.json`);
    writeFileSync(path, '{"version":1,"eid":');
    expect(() => card({ stateDir: dir })).toThrow(EuiccStateError);
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"eid":');
  });

  it('a shared memory store carries the state to a new instance (module reboot in-process)', () => {
    const store = new MemoryEuiccStore();
    const first = card({ store });
    first.installFromActivationCode('LPA:1$smdp.example.com$M', { iccid: '8942310000000000019', imsi: '295050000000019' });
    expect(card({ store }).profiles()).toHaveLength(3);
  });
});
