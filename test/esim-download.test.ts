/**
 * The SGP.22 profile download end to end at the protocol level: the agent's LPA (downloadProfile,
 * its ES9+ client over real HTTPS trusting the platform's exported CI) between the simulated eUICC
 * (real certificate checks, ECDSA, ECKA, SCP03t) and the platform's SM-DP+ (startPlatform, SQLite,
 * profiles of a real eSIM order). The card is wired straight to the LPA here; the AT path and the
 * MQTT command are covered by esim-download-e2e.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { Es9Client } from '../agent/lpa/es9-client.js';
import { LpaClient } from '../agent/lpa/lpa-client.js';
import { downloadProfile, type DownloadRequest } from '../agent/lpa/profile-download.js';
import { getConfiguredAddresses, setDefaultDpAddress } from '../agent/lpa/es10b.js';
import { CardTransport } from './support/card-transport.js';
import { ApiClient } from '../cli/stack-provision.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { Euicc } from '../simulator/euicc/euicc.js';
import { generateTestPki } from '../common/rsp/pki.js';
import { ES9_PATHS } from '../common/rsp/es9.js';

let platform: RunningPlatform;
let api: ApiClient;
let es9: Es9Client;
let orderSeq = 0;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-dl-'));
  platform = await startPlatform({ dataDir, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 }, http: { port: 0 }, mqtt: false });
  api = new ApiClient(platform.url);
  api.use(await api.call('POST', '/v1/sandbox/init', { email: `dl-${process.pid}@cellgate.local`, password: 'Cg-download-test-1' }));
  es9 = new Es9Client({ ca: platform.smdp!.ciPem, clock: new RealClock(), retryDelayMs: 10, timeoutMs: 5_000 });
});
afterAll(async () => platform?.close());

async function orderProfiles(quantity: number): Promise<Array<{ iccid: string; imsi: string; activationCode: string; matchingId: string }>> {
  const { profileOrderId } = await api.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'plan01s', quantity });
  await api.call('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`);
  const deadline = performance.now() + 20_000;
  for (;;) {
    const listed = await api.call<Array<{ iccid: string; imsi: string; activationCode: string; matchingId: string }>>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`);
    if (listed.length === quantity) return listed;
    if (performance.now() > deadline) throw new Error('order not provisioned');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function statusOf(iccid: string): Promise<string> {
  const orders = await api.call<Array<{ profileOrderId: string }>>('GET', '/v1/sim_profile_orders');
  for (const o of orders) {
    const p = (await api.call<Array<{ iccid: string; profileStatus: string }>>('GET', `/v1/sim_profile_orders/${o.profileOrderId}/profiles`)).find((x) => x.iccid === iccid);
    if (p) return p.profileStatus;
  }
  throw new Error(`no profile ${iccid}`);
}

const eidOf = (n: number): string => `8904903200000000000000000000${String(1000 + n + orderSeq++).padStart(4, '0')}`;

function newCard(options: { maxProfiles?: number; foreign?: boolean } = {}): Euicc {
  const pki = options.foreign ? generateTestPki({ hosts: ['localhost'], now: Date.now() }) : platform.smdp!.service.pki;
  return new Euicc({ eid: eidOf(0), pki: { eum: pki.eum, trustedCis: [pki.ci.certificate] }, ...(options.maxProfiles !== undefined ? { maxProfiles: options.maxProfiles } : {}) });
}

function download(card: Euicc, request: DownloadRequest) {
  return new LpaClient(new CardTransport(card)).withSession((s) => downloadProfile(s.exchange, es9, request));
}

async function handleNotifications(card: Euicc): Promise<void> {
  const client = new LpaClient(new CardTransport(card));
  for (const n of await client.retrieveNotifications()) {
    await es9.call(platform.smdp!.address, 'handleNotification', { pendingNotification: n.base64 });
    await client.removeNotification(n.seqNumber);
  }
}

describe('SGP.22 profile download: agent LPA ↔ simulated eUICC ↔ platform SM-DP+', () => {
  it('downloads a profile of an order: the card installs it from the bound profile package, the platform shows it Installed', async () => {
    const [p] = await orderProfiles(1);
    expect(p!.activationCode).toBe(`LPA:1$${platform.smdp!.address}$${p!.matchingId}`);
    const card = newCard();
    const outcome = await download(card, { activationCode: p!.activationCode, imei: '359221090000042' });
    expect(outcome).toMatchObject({ ok: true, iccid: p!.iccid, smdpAddress: platform.smdp!.address, metadata: { serviceProviderName: 'cellgate' } });
    // The profile came out of the SCP03t-protected package: ICCID and IMSI as the order provisioned them.
    expect(card.profiles().find((x) => x.iccid === p!.iccid)).toMatchObject({ imsi: p!.imsi, state: 'disabled', notificationAddress: platform.smdp!.address, notificationEvents: ['enable', 'disable', 'delete'] });
    expect(card.notifications()).toEqual([expect.objectContaining({ event: 'install', iccid: p!.iccid, seqNumber: outcome.seqNumber })]);
    expect(card.downloadInProgress).toBe(false);
    expect(await platform.smdp!.service.downloadState(p!.iccid)).toMatchObject({ state: 'bound', eid: card.eid });
    expect(await statusOf(p!.iccid)).toBe('SUBSCRIBER_REGISTRATION_SUCCEEDED');

    // The signed ProfileInstallationResult, delivered with ES9+ HandleNotification, installs it.
    await handleNotifications(card);
    expect(await statusOf(p!.iccid)).toBe('INSTALLATION_SUCCEEDED');
    expect(await platform.smdp!.service.downloadState(p!.iccid)).toMatchObject({ state: 'installed' });

    // A matching ID is used once: a second download is refused, and the card's session is cancelled.
    const again = await download(newCard(), { activationCode: p!.activationCode });
    expect(again).toMatchObject({ ok: false, stage: 'authenticate-client', reason: 'matchingIdRefused', es9Status: { subjectCode: '8.2.6', reasonCode: '3.8' }, cancelled: 'undefinedReason' });
  });

  it('binds the package to the first EID: another card is refused, the same card may download again', async () => {
    const [p] = await orderProfiles(1);
    const first = newCard();
    // The first card gets the BPP but is reset (a SIM power cycle) before loading it: the LPA sees
    // the channel gone, nothing is installed, the card forgot the session.
    const failed = await new LpaClient(new CardTransport(first))
      .withSession(async (s) =>
        downloadProfile(async (req) => {
          if (req[0] === 0xbf && req[1] === 0x36) first.reset();
          return s.exchange(req);
        }, es9, { activationCode: p!.activationCode }),
      )
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'LPA_STATUS_WORD', sw: 0x6881 });
    expect(first.profiles()).toHaveLength(0);
    expect(first.downloadInProgress).toBe(false);
    expect(await platform.smdp!.service.downloadState(p!.iccid)).toMatchObject({ state: 'bound', eid: first.eid });
    const other = await download(newCard(), { activationCode: p!.activationCode });
    expect(other).toMatchObject({ ok: false, reason: 'eidMismatch', es9Status: { subjectCode: '8.1.1', reasonCode: '3.8' } });
    const resumed = await download(first, { activationCode: p!.activationCode });
    expect(resumed).toMatchObject({ ok: true, iccid: p!.iccid });
  });

  it('asks for the confirmation code, refuses a wrong one and locks the profile after three', async () => {
    const [p, q] = await orderProfiles(2);
    const withCode = await platform.smdp!.service.setConfirmationCode(await operatorOf(p!.iccid), p!.iccid, '1234');
    expect(withCode.activationCode).toBe(`${p!.activationCode}$$1`);
    const card = newCard();
    expect(await download(card, { activationCode: p!.activationCode })).toMatchObject({ ok: false, stage: 'authenticate-client', reason: 'the SM-DP+ requires a confirmation code', cancelled: 'postponed' });
    expect(await download(card, { activationCode: withCode.activationCode })).toMatchObject({ ok: false, stage: 'activation-code' });
    expect(await download(card, { activationCode: withCode.activationCode, confirmationCode: '9999' })).toMatchObject({ ok: false, stage: 'get-bound-profile-package', reason: 'confirmationCodeRefused' });
    expect(card.downloadInProgress).toBe(false);
    expect(await download(card, { activationCode: withCode.activationCode, confirmationCode: '1234' })).toMatchObject({ ok: true, iccid: p!.iccid });

    await platform.smdp!.service.setConfirmationCode(await operatorOf(q!.iccid), q!.iccid, 'secret');
    for (let i = 0; i < 2; i++) expect(await download(card, { activationCode: q!.activationCode, confirmationCode: 'nope' })).toMatchObject({ reason: 'confirmationCodeRefused' });
    expect(await download(card, { activationCode: q!.activationCode, confirmationCode: 'nope' })).toMatchObject({ reason: 'confirmationCodeRetriesExceeded' });
    expect(await download(card, { activationCode: q!.activationCode, confirmationCode: 'secret' })).toMatchObject({ reason: 'downloadRetriesExceeded', es9Status: { subjectCode: '8.8.5', reasonCode: '6.4' } });
  });

  it('a full card: refused by the SM-DP+ from EUICCInfo2, or — if it tries anyway — by the card with a signed failure result', async () => {
    const [p] = await orderProfiles(1);
    const full = newCard({ maxProfiles: 0 });
    expect(await download(full, { activationCode: p!.activationCode })).toMatchObject({ ok: false, reason: 'insufficientMemory', es9Status: { subjectCode: '8.1', reasonCode: '4.8' } });
    // Tell the SM-DP+ any free memory is enough: the card then fails ConfigureISDP itself.
    const service = platform.smdp!.service;
    const saved = service.config.requiredNvmBytes;
    service.config.requiredNvmBytes = 0;
    try {
      const outcome = await download(full, { activationCode: p!.activationCode });
      expect(outcome).toMatchObject({ ok: false, stage: 'load-bound-profile-package', installError: { bppCommandId: 'configureISDP', errorReason: 'installFailedDueToInsufficientMemoryForProfile' } });
      expect(outcome.cancelled).toBeUndefined();
    } finally {
      service.config.requiredNvmBytes = saved;
    }
    // The card keeps the signed failure as a notification; delivered, it releases the profile.
    const [failure] = full.notifications();
    expect(failure).toMatchObject({ event: 'install', notificationAddress: platform.smdp!.address });
    expect(failure!.iccid).toBeUndefined();
    await handleNotifications(full);
    expect(await statusOf(p!.iccid)).toBe('INSTALLATION_FAILED');
    expect(await service.downloadState(p!.iccid)).toMatchObject({ state: 'available' });
    expect(await download(newCard(), { activationCode: p!.activationCode })).toMatchObject({ ok: true });
  });

  it('a card of another CI, an unknown matching ID, a wrong SM-DP+ address: SGP.22 status codes, nothing installed', async () => {
    const [p] = await orderProfiles(1);
    expect(await download(newCard({ foreign: true }), { activationCode: p!.activationCode })).toMatchObject({ ok: false, stage: 'initiate-authentication', reason: 'unsupportedCiPkid' });
    const card = newCard();
    expect(await download(card, { activationCode: `LPA:1$${platform.smdp!.address}$NO-SUCH-ID` })).toMatchObject({ ok: false, reason: 'matchingIdRefused', cancelled: 'undefinedReason' });
    expect(card.downloadInProgress).toBe(false);
    const res = await fetch(`${platform.smdp!.url}${ES9_PATHS.initiateAuthentication}`, { method: 'POST' }).catch((e: Error) => e);
    expect(res).toBeInstanceOf(Error); // not trusted without the exported CI
    expect(card.profiles()).toHaveLength(0);
  });

  it('protects the profile elements under ReplaceSessionKeys when the SM-DP+ is set to', async () => {
    const [p] = await orderProfiles(1);
    platform.smdp!.service.config.replaceSessionKeys = true;
    try {
      const card = newCard();
      expect(await download(card, { activationCode: p!.activationCode })).toMatchObject({ ok: true, iccid: p!.iccid });
      expect(card.profiles()[0]).toMatchObject({ iccid: p!.iccid, imsi: p!.imsi });
    } finally {
      platform.smdp!.service.config.replaceSessionKeys = false;
    }
  });
});

async function operatorOf(iccid: string): Promise<string> {
  return platform.store.transaction(async (tx) => (await tx.get<{ operatorId: string }>('esim-profile', iccid))!.operatorId);
}

describe('download without an activation code: the default SM-DP+ address on the card (SGP.22 §3.1.3.2, ES10a)', () => {
  it('SetDefaultDpAddress, then a download with no activation code goes to that SM-DP+; ours has no EID-bound profile and refuses the empty matching ID cleanly', async () => {
    const card = newCard();
    const client = new LpaClient(new CardTransport(card));
    expect(await client.withSession((s) => setDefaultDpAddress(s.exchange, platform.smdp!.address))).toBe(0);
    expect(await client.withSession((s) => getConfiguredAddresses(s.exchange))).toMatchObject({ defaultDpAddress: platform.smdp!.address });
    const outcome = await download(card, { imei: '359221090000042' });
    // The address came from the card (nothing else named it): InitiateAuthentication and
    // AuthenticateClient reached our SM-DP+, which refuses an empty matching ID (8.2.6 / 3.8).
    expect(outcome).toMatchObject({ ok: false, smdpAddress: platform.smdp!.address, stage: 'authenticate-client', es9Status: { subjectCode: '8.2.6', reasonCode: '3.8' } });
    expect(outcome.cancelled).toBeDefined();
    expect(card.profiles()).toEqual([]);
    expect(card.downloadInProgress).toBe(false);
  });

  it('no activation code and no default address on the card: a clear refusal before any ES9+ call', async () => {
    const outcome = await download(newCard(), {});
    expect(outcome).toMatchObject({ ok: false, stage: 'activation-code', reason: expect.stringMatching(/no default SM-DP\+ address/) });
  });
});
