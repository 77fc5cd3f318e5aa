import { describe, expect, it } from 'vitest';
import { decodeTlv, encodeTlv, findPath, fromHex, toHex, valueOf } from '../common/ber-tlv.js';
import { Euicc } from '../simulator/euicc/euicc.js';
import { verifyRaw } from '../common/rsp/ecdsa.js';
import { checkIssued } from '../common/rsp/x509.js';
import type { ApduTransport } from '../agent/lpa/apdu-transport.js';
import { decodeResponse, encodeRequest } from '../agent/lpa/es10-codec.js';
import { LpaError } from '../agent/lpa/errors.js';
import { LpaClient } from '../agent/lpa/lpa-client.js';
import { exchangeEs10 } from '../agent/lpa/store-data.js';

const EID = '89049032118427504800000000003654';
const ICCID_A = '8981100000000000001';
const ICCID_B = '8981100000000000019';

/** The simulated eUICC as an ApduTransport, the way a modem relays AT+CCHO / CGLA / CCHC; records the APDUs. */
class CardTransport implements ApduTransport {
  readonly sent: string[] = [];
  constructor(readonly card: Euicc) {}
  async open(aid: string): Promise<number> {
    const r = this.card.openChannel(aid);
    if ('sw' in r) throw new LpaError(r.sw === 0x6a82 ? 'LPA_ISDR_NOT_FOUND' : 'LPA_NO_FREE_CHANNEL', 'open failed', { sw: r.sw });
    return r.channel;
  }
  async transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array> {
    this.sent.push(toHex(apdu));
    return this.card.transmit(ch, apdu);
  }
  async close(ch: number): Promise<void> {
    if (!this.card.closeChannel(ch)) throw new LpaError('LPA_TRANSPORT', `channel ${ch} not open`);
  }
}

function setup(options: { segmentSize?: number; quirks?: ConstructorParameters<typeof Euicc>[0]['quirks']; extraProfiles?: number } = {}) {
  const card = new Euicc({
    eid: EID,
    quirks: options.quirks,
    profiles: [
      { iccid: ICCID_A, imsi: '440100000000001', enabled: true, profileName: 'Operational A', serviceProviderName: 'Carrier A' },
      { iccid: ICCID_B, imsi: '440100000000019', profileName: 'Operational B', serviceProviderName: 'Carrier B', nickname: 'backup' },
      ...Array.from({ length: options.extraProfiles ?? 0 }, (_, i) => ({
        iccid: `89811000000000010${String(i).padStart(2, '0')}`,
        imsi: `4401000000001${String(i).padStart(2, '0')}`,
        profileName: `Extra profile with a fairly long name #${i}`,
      })),
    ],
  });
  const transport = new CardTransport(card);
  const client = new LpaClient(transport, options.segmentSize ? { segmentSize: options.segmentSize } : {});
  return { card, transport, client };
}

describe('LpaClient against the simulated eUICC', () => {
  it('reads the EID and the profile list', async () => {
    const { client } = setup();
    expect(await client.getEid()).toBe(EID);
    expect(await client.listProfiles()).toEqual([
      { iccid: ICCID_A, isdpAid: 'A0000005591010FFFFFFFF8900001000', state: 'enabled', serviceProviderName: 'Carrier A', profileName: 'Operational A', profileClass: 'operational' },
      { iccid: ICCID_B, isdpAid: 'A0000005591010FFFFFFFF8900001100', state: 'disabled', nickname: 'backup', serviceProviderName: 'Carrier B', profileName: 'Operational B', profileClass: 'operational' },
    ]);
  });

  it('sends the GetEuiccData request a real LPA sends', async () => {
    const { client, transport } = setup();
    await client.getEid();
    expect(transport.sent).toEqual(['81E2910006BF3E035C015A00']);
  });

  it('switches profiles and names every result code', async () => {
    const { client, card } = setup();
    expect(await client.enableProfile({ iccid: ICCID_B })).toEqual({ ok: true, code: 0, result: 'ok' });
    expect(card.iccid).toBe(ICCID_B);
    expect(await client.enableProfile({ iccid: ICCID_B })).toEqual({ ok: false, code: 2, result: 'profileNotInDisabledState' });
    expect(await client.enableProfile({ iccid: '8981100000000000027' })).toEqual({ ok: false, code: 1, result: 'iccidOrAidNotFound' });
    expect(await client.disableProfile({ aid: 'A0000005591010FFFFFFFF8900001000' })).toEqual({ ok: false, code: 2, result: 'profileNotInEnabledState' });
    expect(await client.deleteProfile({ iccid: ICCID_B })).toEqual({ ok: false, code: 2, result: 'profileNotInDisabledState' });
    expect(await client.disableProfile({ iccid: ICCID_B })).toEqual({ ok: true, code: 0, result: 'ok' });
    expect(await client.deleteProfile({ iccid: ICCID_B })).toEqual({ ok: true, code: 0, result: 'ok' });
    expect((await client.listProfiles()).map((p) => p.iccid)).toEqual([ICCID_A]);
    card.quirks.catBusy = true;
    expect(await client.enableProfile({ iccid: ICCID_A })).toEqual({ ok: false, code: 5, result: 'catBusy' });
  });

  it('sets a nickname', async () => {
    const { client } = setup();
    expect(await client.setNickname(ICCID_B, 'Reserve ✓')).toMatchObject({ ok: true });
    expect((await client.listProfiles())[1]!.nickname).toBe('Reserve ✓');
    expect(await client.setNickname('8981100000000000027', 'x')).toEqual({ ok: false, code: 1, result: 'iccidNotFound' });
    await expect(client.setNickname(ICCID_B, 'x'.repeat(65))).rejects.toMatchObject({ code: 'LPA_BAD_REQUEST' });
  });

  it('lists, retrieves and removes notifications; a notification stays until removed', async () => {
    const { client, card } = setup();
    await client.enableProfile({ iccid: ICCID_B });
    expect(await client.listNotifications()).toEqual([
      { seqNumber: 1, event: 'disable', notificationAddress: 'smdp.cellgate.invalid', iccid: ICCID_A },
      { seqNumber: 2, event: 'enable', notificationAddress: 'smdp.cellgate.invalid', iccid: ICCID_B },
    ]);
    expect(await client.listNotifications(['enable'])).toHaveLength(1);
    const all = await client.retrieveNotifications();
    expect(all.map((n) => n.seqNumber)).toEqual([1, 2]);
    const [second] = await client.retrieveNotifications(2);
    expect(second).toMatchObject({ seqNumber: 2, event: 'enable', iccid: ICCID_B });
    // The delivered object is the OtherSignedNotification (SGP.22 §5.7.10): an ECDSA signature by the
    // card's key over the metadata, and the card's certificate chain (eUICC → EUM → CI) to check it with.
    const tlv = decodeTlv(second!.encoded);
    const metadata = findPath(tlv, 0xbf2f)!;
    const id = card.identity;
    expect(verifyRaw(id.certificate.publicKey, valueOf(findPath(tlv, 0x5f37)!), encodeTlv(metadata))).toBe(true);
    expect(checkIssued(id.certificate, id.eum, Date.now(), 'euicc')).toBeUndefined();
    expect(id.certificate.subjectSerialNumber).toBe(EID);
    expect(Buffer.from(second!.base64, 'base64')).toEqual(Buffer.from(second!.encoded));

    expect(await client.removeNotification(1)).toEqual({ ok: true, code: 0, result: 'ok' });
    expect(await client.removeNotification(1)).toEqual({ ok: false, code: 1, result: 'nothingToDelete' });
    expect(await client.retrieveNotifications(1)).toEqual([]);
    expect((await client.listNotifications()).map((n) => n.seqNumber)).toEqual([2]);
  });

  it('retrieves the install notification of a profile provisioned by activation code', async () => {
    const { client, card } = setup();
    card.installFromActivationCode('LPA:1$smdp.example.com$MATCH', { iccid: '8942310000000000019', imsi: '295050000000019' });
    const [n] = await client.retrieveNotifications();
    expect(n).toMatchObject({ seqNumber: 1, event: 'install', notificationAddress: 'smdp.example.com', iccid: '8942310000000000019' });
    expect(n!.encoded[0]).toBe(0xbf);
    expect(n!.encoded[1]).toBe(0x37);
  });

  it.each([6, 7, 16, 120, 255])('segments requests into blocks of at most %i bytes that the card reassembles', async (segmentSize) => {
    const { client, transport } = setup({ segmentSize });
    const nickname = 'n'.repeat(60);
    expect(await client.setNickname(ICCID_B, nickname)).toMatchObject({ ok: true });
    const blocks = transport.sent.filter((a) => a.slice(2, 4) === 'E2');
    for (const [i, block] of blocks.entries()) {
      expect(block.slice(4, 6)).toBe(i === blocks.length - 1 ? '91' : '11');
      expect(parseInt(block.slice(6, 8), 16)).toBe(i);
      expect(parseInt(block.slice(8, 10), 16)).toBeLessThanOrEqual(segmentSize);
    }
    expect(blocks.length).toBe(Math.ceil(encodeRequest.setNickname(ICCID_B, nickname).length / segmentSize));
    expect((await client.listProfiles())[1]!.nickname).toBe(nickname);
  });

  it('collects a long response through GET RESPONSE', async () => {
    const { client, transport } = setup({ extraProfiles: 8 });
    expect(await client.listProfiles()).toHaveLength(10);
    expect(transport.sent.filter((a) => a.slice(2, 4) === 'C0').length).toBeGreaterThan(0);
  });

  it('fetches with GET RESPONSE even short answers when the card insists (61xx)', async () => {
    const { client, transport } = setup({ quirks: { alwaysGetResponse: true } });
    expect(await client.getEid()).toBe(EID);
    expect(transport.sent).toEqual(['81E2910006BF3E035C015A00', '81C0000015']);
  });

  it('refuses a segment size outside 6..255', () => {
    const { transport } = setup();
    expect(() => new LpaClient(transport, { segmentSize: 5 })).toThrow(LpaError);
    expect(() => new LpaClient(transport, { segmentSize: 256 })).toThrow(LpaError);
  });

  it('serialises concurrent operations so STORE DATA sequences never interleave', async () => {
    const { client } = setup({ segmentSize: 6 });
    const results = await Promise.all([client.setNickname(ICCID_A, 'first nickname'), client.getEid(), client.setNickname(ICCID_B, 'second nickname')]);
    expect(results[1]).toBe(EID);
    expect((await client.listProfiles()).map((p) => p.nickname)).toEqual(['first nickname', 'second nickname']);
  });

  it('closes its channel after each operation, even a failing one', async () => {
    const { client, card } = setup();
    await client.getEid();
    await client.listProfiles();
    expect(card.openChannel('A0000005591010FFFFFFFF8900000100')).toEqual({ channel: 1 });
  });

  it('reports a status word from the card as LPA_STATUS_WORD', async () => {
    const { card, transport } = setup();
    const ch = await transport.open('A0000005591010FFFFFFFF8900000100');
    // A request the ISD-R does not know: 6A88.
    await expect(exchangeEs10(transport, ch, fromHex('BF7F00'))).rejects.toMatchObject({ code: 'LPA_STATUS_WORD', sw: 0x6a88 });
    card.closeChannel(ch);
  });

  it('reports an ISD-R that cannot be selected', async () => {
    const { card } = setup();
    const client = new LpaClient(new CardTransport(card), { isdRAid: 'A0000000871002FF33FF018900000100' });
    await expect(client.getEid()).rejects.toMatchObject({ code: 'LPA_ISDR_NOT_FOUND' });
  });
});

describe('ES10 codec on SGP.22 encodings', () => {
  it('encodes requests byte for byte', () => {
    expect(toHex(encodeRequest.getEuiccData())).toBe('BF3E035C015A');
    expect(toHex(encodeRequest.profileInfoList())).toBe('BF2D00');
    expect(toHex(encodeRequest.enableProfile({ iccid: '89000123456789012341' }, true))).toBe('BF3111A00C5A0A980010325476981032148101FF');
    expect(toHex(encodeRequest.disableProfile({ aid: 'A0000005591010FFFFFFFF8900001100' }, false))).toBe('BF3217A0124F10A0000005591010FFFFFFFF8900001100810100');
    expect(toHex(encodeRequest.deleteProfile({ iccid: '89000123456789012341' }))).toBe('BF330C5A0A98001032547698103214');
    expect(toHex(encodeRequest.listNotification())).toBe('BF2800');
    expect(toHex(encodeRequest.listNotification(['install']))).toBe('BF280481020780');
    expect(toHex(encodeRequest.retrieveNotificationsList(5))).toBe('BF2B05A003800105');
    expect(toHex(encodeRequest.notificationSent(300))).toBe('BF300480' + '02012C');
    expect(toHex(encodeRequest.euiccInfo2())).toBe('BF2200');
  });

  it('decodes a profile list read from a real module', () => {
    const hex =
      'BF2D4BA049E32D5A0A980010325476981032149F700100921B47534D412054532E343820584F5220546573742050726F66696C65' +
      'E3185A0A988803070000156406669F70010192065477696C696F';
    expect(decodeResponse.profileInfoList(fromHex(hex))).toEqual([
      { iccid: '89000123456789012341', isdpAid: '', state: 'disabled', profileName: 'GSMA TS.48 XOR Test Profile', profileClass: 'operational' },
      { iccid: '89883070000051466066', isdpAid: '', state: 'enabled', profileName: 'Twilio', profileClass: 'operational' },
    ]);
  });

  it('turns a malformed or mistagged response into LPA_BAD_RESPONSE', () => {
    expect(() => decodeResponse.getEuiccData(fromHex('BF3E035A01'))).toThrow(expect.objectContaining({ code: 'LPA_BAD_RESPONSE' }));
    expect(() => decodeResponse.enableProfile(fromHex('BF32038001 00'))).toThrow(expect.objectContaining({ code: 'LPA_BAD_RESPONSE' }));
    expect(() => decodeResponse.enableProfile(fromHex('BF3100'))).toThrow(expect.objectContaining({ code: 'LPA_BAD_RESPONSE' }));
    expect(() => decodeResponse.profileInfoList(fromHex('BF2D03810101'))).toThrow(expect.objectContaining({ code: 'LPA_BAD_RESPONSE' }));
  });

  it('names an unknown result code instead of failing', () => {
    expect(decodeResponse.enableProfile(fromHex('BF3103800109'))).toEqual({ ok: false, code: 9, result: 'unknown(9)' });
  });

  it('reads EUICCInfo2 from the simulated card', async () => {
    const { client, card } = setup();
    const info = await client.getEuiccInfo2();
    // The CI key identifiers are those of the CIs the card trusts (its identity), not a constant.
    expect(info).toMatchObject({ svn: '2.2.2', installedApplications: 2, ciPkIdsForVerification: card.identity.verificationPkids.map((p) => toHex(p)) });
    expect((await client.getEuiccInfo1()).svn).toBe('2.2.2');
  });
});
