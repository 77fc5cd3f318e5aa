/**
 * SM-DS discovery at the protocol level (SGP.22 §3.6.2 event retrieval, ES11 §5.8 / §6.5.2.6–7,
 * ES12 §5.9): the agent's LPA (retrieveEvents, downloadProfile, the ES11/ES9+ client over real
 * HTTPS trusting the platform's exported CI) between the simulated eUICC (it verifies the SM-DS's
 * own CERT.DS.AUTH) and the platform's SM-DS and SM-DP+ (startPlatform, SQLite, a real eSIM order
 * whose profile the operator binds to the card's EID). The AT path and the MQTT command are
 * covered by esim-discovery-e2e.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../agent/lpa-cli.js';
import { LocalNetworkGate, startSimulatedModem } from '../simulator/index.js';
import { RealClock } from '../common/clock.js';
import { Es9Client } from '../agent/lpa/es9-client.js';
import { LpaClient } from '../agent/lpa/lpa-client.js';
import { retrieveEvents } from '../agent/lpa/event-discovery.js';
import { downloadProfile } from '../agent/lpa/profile-download.js';
import { ApiClient } from '../cli/stack-provision.js';
import { generateTestPki } from '../common/rsp/pki.js';
import { wrap } from '../common/rsp/der.js';
import { decodePrepareDownloadResponse, DownloadErrorCode, encodePrepareDownloadRequest, encodeSmdpSigned2 } from '../common/rsp/messages.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { Euicc } from '../simulator/euicc/euicc.js';
import { CardTransport } from './support/card-transport.js';

let platform: RunningPlatform;
let api: ApiClient;
let client: Es9Client;
let seq = 0;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-ds-'));
  platform = await startPlatform({ dataDir, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 }, http: { port: 0 }, mqtt: false });
  api = new ApiClient(platform.url);
  api.use(await api.call('POST', '/v1/sandbox/init', { email: `ds-${process.pid}@cellgate.local`, password: 'Cg-discovery-test-1' }));
  client = new Es9Client({ ca: platform.smdp!.ciPem, clock: new RealClock(), retryDelayMs: 10, timeoutMs: 5_000 });
});
afterAll(async () => platform?.close());

async function orderProfile(): Promise<{ iccid: string; imsi: string; activationCode: string; matchingId: string }> {
  const { profileOrderId } = await api.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'plan01s', quantity: 1 });
  await api.call('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`);
  const deadline = performance.now() + 20_000;
  for (;;) {
    const listed = await api.call<Array<{ iccid: string; imsi: string; activationCode: string; matchingId: string }>>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`);
    if (listed.length === 1) return listed[0]!;
    if (performance.now() > deadline) throw new Error('order not provisioned');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const newCard = (options: { foreign?: boolean } = {}): Euicc => {
  const pki = options.foreign ? generateTestPki({ hosts: ['localhost'], now: Date.now() }) : platform.smdp!.service.pki;
  return new Euicc({ eid: `89049032000000000000000000${String(100_000 + seq++).padStart(6, '0')}`, pki: { eum: pki.eum, trustedCis: [pki.ci.certificate] }, rootDsAddress: platform.smds!.address });
};
const lpa = (card: Euicc) => new LpaClient(new CardTransport(card));
const discover = (card: Euicc, smdsAddress?: string) => lpa(card).withSession((s) => retrieveEvents(s.exchange, client, smdsAddress ? { smdsAddress } : {}));
const bind = (iccid: string, eid: string) => api.call<{ eid: string; eventId?: string; smdsAddress?: string; state: string }>('PUT', `/_cellgate/esim/profiles/${iccid}/eid`, { eid });

async function deliverNotifications(card: Euicc): Promise<void> {
  const c = lpa(card);
  for (const n of await c.retrieveNotifications()) {
    await client.call(platform.smdp!.address, 'handleNotification', { pendingNotification: n.base64 });
    await c.removeNotification(n.seqNumber);
  }
}

describe('SM-DS discovery: agent LPA ↔ simulated eUICC ↔ platform SM-DS (ES11) and SM-DP+ (ES9+, ES12)', () => {
  it('finds the event of a profile bound to the card’s EID, downloads it with the event ID as matching ID, and the event is deleted once installed', async () => {
    const p = await orderProfile();
    const card = newCard();
    // No binding yet: the SM-DS has nothing for this eUICC.
    expect(await discover(card)).toEqual({ ok: true, smdsAddress: platform.smds!.address, events: [] });

    const binding = await bind(p.iccid, card.eid);
    expect(binding).toMatchObject({ eid: card.eid, eventId: expect.stringMatching(/^EV[0-9A-F]{24}$/), smdsAddress: platform.smds!.address, state: 'available' });
    // The root SM-DS address comes from the card (ES10a GetEuiccConfiguredAddresses), the SM-DS authenticated with CERT.DS.AUTH.
    const found = await discover(card);
    expect(found).toEqual({ ok: true, smdsAddress: platform.smds!.address, events: [{ eventId: binding.eventId, rspServerAddress: platform.smdp!.address }] });
    expect(card.downloadInProgress).toBe(false);

    // SGP.22 §3.6.2 step 9: the download from the event's SM-DP+ with the EventID as MatchingID.
    const outcome = await lpa(card).withSession((s) => downloadProfile(s.exchange, client, { activationCode: `LPA:1$${found.events[0]!.rspServerAddress}$${found.events[0]!.eventId}` }));
    expect(outcome).toMatchObject({ ok: true, iccid: p.iccid });
    expect(card.profiles().map((x) => x.iccid)).toEqual([p.iccid]);
    // Until the card reports the result, the event stays (an interrupted download is found again).
    expect((await discover(card)).events).toHaveLength(1);
    await deliverNotifications(card);
    // ES12.DeleteEvent with the install: nothing more to discover, and the binding shows no event.
    expect(await discover(card)).toMatchObject({ ok: true, events: [] });
    expect(await api.call('GET', `/_cellgate/esim/profiles/${p.iccid}/eid`)).toEqual({ iccid: p.iccid, eid: card.eid, state: 'installed' });
    expect(await platform.smds!.service.events(card.eid)).toEqual([]);
  });

  it('an event is for its EID only: another card finds nothing, and the event ID or the activation code from another card is refused 8.1.1 / 3.8', async () => {
    const p = await orderProfile();
    const owner = newCard();
    const other = newCard();
    const { eventId } = await bind(p.iccid, owner.eid);
    expect(await discover(other)).toMatchObject({ ok: true, events: [] });
    const byEvent = await lpa(other).withSession((s) => downloadProfile(s.exchange, client, { activationCode: `LPA:1$${platform.smdp!.address}$${eventId}` }));
    expect(byEvent).toMatchObject({ ok: false, stage: 'authenticate-client', reason: 'eidMismatch', es9Status: { subjectCode: '8.1.1', reasonCode: '3.8' }, cancelled: 'undefinedReason' });
    const byCode = await lpa(other).withSession((s) => downloadProfile(s.exchange, client, { activationCode: p.activationCode }));
    expect(byCode).toMatchObject({ ok: false, reason: 'eidMismatch', es9Status: { subjectCode: '8.1.1', reasonCode: '3.8' } });
    expect(other.profiles()).toEqual([]);
    expect(other.downloadInProgress).toBe(false);
    // An event ID nobody registered is refused as a matching ID (8.2.6 / 3.8).
    const unknown = await lpa(owner).withSession((s) => downloadProfile(s.exchange, client, { activationCode: `LPA:1$${platform.smdp!.address}$EV000000000000000000000000` }));
    expect(unknown).toMatchObject({ ok: false, reason: 'matchingIdRefused', es9Status: { subjectCode: '8.2.6', reasonCode: '3.8' } });
    // The owner's card downloads it by the event.
    expect(await lpa(owner).withSession((s) => downloadProfile(s.exchange, client, { activationCode: `LPA:1$${platform.smdp!.address}$${eventId}` }))).toMatchObject({ ok: true, iccid: p.iccid });
  });

  it('rebinding moves the event, unbinding deletes it (ES12.DeleteEvent); an installed profile cannot be bound', async () => {
    const p = await orderProfile();
    const a = newCard();
    const b = newCard();
    const first = await bind(p.iccid, a.eid);
    const second = await bind(p.iccid, b.eid);
    expect(second.eventId).not.toBe(first.eventId);
    expect((await discover(a)).events).toEqual([]);
    expect((await discover(b)).events).toEqual([{ eventId: second.eventId, rspServerAddress: platform.smdp!.address }]);
    expect(await api.call('DELETE', `/_cellgate/esim/profiles/${p.iccid}/eid`)).toEqual({ iccid: p.iccid, eid: null, state: 'available' });
    expect((await discover(b)).events).toEqual([]);
    // Unbound, the activation code works for any card again.
    const card = newCard();
    expect(await lpa(card).withSession((s) => downloadProfile(s.exchange, client, { activationCode: p.activationCode }))).toMatchObject({ ok: true });
    await deliverNotifications(card);
    await expect(bind(p.iccid, b.eid)).rejects.toThrow(/CGW0006/);
    await expect(bind(p.iccid, '1234')).rejects.toThrow(/400|eid/i);
  });

  it('terminating the SIM of a bound profile deletes its event: nothing to discover, and its download is refused 8.8.5 / 4.1', async () => {
    const p = await orderProfile();
    const card = newCard();
    const { eventId } = await bind(p.iccid, card.eid);
    expect((await discover(card)).events).toHaveLength(1);
    await api.call('POST', `/v1/subscribers/${p.imsi}/enable_termination`);
    await api.call('POST', `/v1/subscribers/${p.imsi}/terminate`);
    expect(await discover(card)).toMatchObject({ ok: true, events: [] });
    expect(await api.call('GET', `/_cellgate/esim/profiles/${p.iccid}/eid`)).toEqual({ iccid: p.iccid, eid: card.eid, state: 'available' });
    const late = await lpa(card).withSession((s) => downloadProfile(s.exchange, client, { activationCode: p.activationCode }));
    expect(late).toMatchObject({ ok: false, es9Status: { subjectCode: '8.8.5', reasonCode: '4.1' } });
    // The event ID is no matching ID any more.
    const byEvent = await lpa(card).withSession((s) => downloadProfile(s.exchange, client, { activationCode: `LPA:1$${platform.smdp!.address}$${eventId}` }));
    expect(byEvent).toMatchObject({ ok: false, es9Status: { subjectCode: '8.2.6', reasonCode: '3.8' } });
  });

  it('SM-DS refusals carry SGP.22 codes: a wrong SM-DS address (8.9.1 / 3.8), a card of an untrusted CI (8.8.2 / 3.1), a replayed transaction (8.10.1 / 3.9)', async () => {
    const card = newCard();
    expect(await discover(card, 'smds.example.com')).toMatchObject({ ok: false, stage: 'initiate-authentication' });
    const wrongAddress = await client.callEs11(platform.smds!.address, 'initiateAuthentication', { smdsAddress: 'other.example.com', euiccChallenge: Buffer.alloc(16).toString('base64'), euiccInfo1: 'vyAA' }).catch((e: unknown) => e);
    expect(wrongAddress).toMatchObject({ kind: 'failed', status: { subjectCode: '8.9.1', reasonCode: '3.8' } });
    const foreign = await discover(newCard({ foreign: true }));
    expect(foreign).toMatchObject({ ok: false, stage: 'initiate-authentication', es9Status: { subjectCode: '8.8.2', reasonCode: '3.1' } });

    // A transaction is used once: replaying the card's signed answer gets 8.10.1 / 3.9.
    let replay: Record<string, unknown> | undefined;
    const recording: Pick<Es9Client, 'callEs11'> = {
      callEs11: async (address, fn, body) => {
        if (fn === 'authenticateClient') replay = body;
        return client.callEs11(address, fn, body);
      },
    };
    expect(await lpa(card).withSession((s) => retrieveEvents(s.exchange, recording, {}))).toMatchObject({ ok: true });
    expect(await client.callEs11(platform.smds!.address, 'authenticateClient', replay!).catch((e: unknown) => e)).toMatchObject({ kind: 'failed', status: { subjectCode: '8.10.1', reasonCode: '3.9' } });
  });

  it('the card treats an SM-DS session as authentication only: a PrepareDownload after it is refused (noSessionContext, SGP.22 §5.7.5)', async () => {
    const card = newCard();
    const answer = await lpa(card).withSession(async (s) => {
      let transactionId = new Uint8Array(16);
      const keep: Pick<Es9Client, 'callEs11'> = {
        callEs11: async (address, fn, body) => {
          const r = await client.callEs11(address, fn, body);
          if (fn === 'initiateAuthentication') transactionId = Buffer.from(String(r.transactionId), 'hex');
          // Stop before the card's session is cancelled: AuthenticateClient "fails".
          if (fn === 'authenticateClient') throw new Error('stop here');
          return r;
        },
      };
      await retrieveEvents(s.exchange, keep, {}).catch(() => undefined);
      const smdpSigned2 = encodeSmdpSigned2({ transactionId, ccRequired: false });
      return decodePrepareDownloadResponse(await s.exchange(encodePrepareDownloadRequest({ smdpSigned2, smdpSignature2: wrap(0x5f37, new Uint8Array(64)), smdpCertificate: platform.smdp!.service.pki.dpPb.certificate })));
    });
    expect(answer).toMatchObject({ ok: false, error: DownloadErrorCode.noSessionContext });
  });

  it('cellgate lpa discover over AT (simulated BG96 on a TCP serial port): lists the event, --download installs it, then nothing is left', async () => {
    const p = await orderProfile();
    const card = newCard();
    const sim = await startSimulatedModem({ dialect: 'bg96', imei: '359221090000055', sim: card, gate: new LocalNetworkGate(), latency: 'zero', expose: { tcp: { port: 0 } } });
    const caFile = join(mkdtempSync(join(tmpdir(), 'cellgate-ds-ca-')), 'ci.pem');
    writeFileSync(caFile, platform.smdp!.ciPem);
    const cli = async (...args: string[]): Promise<{ code: number; out: string }> => {
      const out: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
      vi.spyOn(console, 'error').mockImplementation((line: unknown) => void out.push(String(line)));
      const code = await run(['--port', sim.tcpUrl!, '--ca-file', caFile, ...args]);
      vi.restoreAllMocks();
      await sim.whenTcpIdle!();
      return { code, out: out.join('\n') };
    };
    try {
      expect(await cli('discover')).toEqual({ code: 0, out: `no events at ${platform.smds!.address}` });
      const { eventId } = await bind(p.iccid, card.eid);
      const listed = await cli('discover');
      expect(listed).toEqual({ code: 0, out: `1 event(s) at ${platform.smds!.address}:\n  ${eventId}  ${platform.smdp!.address}` });
      expect(card.profiles()).toEqual([]);
      const installed = await cli('--json', 'discover', '--download');
      expect(installed.code).toBe(0);
      expect(JSON.parse(installed.out)).toMatchObject({ ok: true, events: [{ eventId }], downloads: [{ eventId, ok: true, iccid: p.iccid }] });
      expect(card.profiles().map((x) => x.iccid)).toEqual([p.iccid]);
      expect(card.openChannels()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
