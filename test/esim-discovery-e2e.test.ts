import { afterEach, describe, expect, it } from 'vitest';
import { EID, startEsimStack, until, type EsimStack } from './support/esim-stack.js';

/**
 * SM-DS discovery end to end with the real composition over real sockets (SGP.22 §3.6.2): an
 * eSIM order → the operator binds a profile to the card's EID (the SM-DP+ registers an event at
 * the platform's SM-DS, ES12) → the agent (createAgent: MQTT link, durable outbox, LPA extension)
 * starts on a simulated BG96 whose eUICC has the platform's SM-DS as root SM-DS → it retrieves the
 * event over ES11 HTTPS, downloads with the event ID as matching ID over ES9+ HTTPS, installs and
 * enables over AT → the platform shows Installed then Activated, the event is gone, and a second
 * discovery finds nothing. Nobody sent a command.
 */
describe('SM-DS discovery end to end (agent start, esim.discover over MQTT)', () => {
  let stack: EsimStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  }, 30_000);

  const bind = (s: EsimStack, iccid: string, eid: string) => s.api.call<{ eventId: string }>('PUT', `/_cellgate/esim/profiles/${iccid}/eid`, { eid });

  it('a gateway that powers up after its profile was bound to its EID gets it without a command: Installed, Activated, event deleted', async () => {
    stack = await startEsimStack({ shortcut: false, rootDs: true });
    const s = stack;
    const [a] = s.profiles;
    const { eventId } = await bind(s, a.iccid, EID);
    expect(await s.platform.smds!.service.events(EID)).toEqual([expect.objectContaining({ eventId, rspServerAddress: s.platform.smdp!.address })]);
    expect(s.euicc.profiles()).toEqual([]);
    s.startAgent();
    await until(async () => (await s.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED' && s.euicc.notifications().length === 0, 30_000, 'A discovered, installed and activated');
    expect(s.euicc.profiles()).toEqual([expect.objectContaining({ iccid: a.iccid, imsi: a.imsi, state: 'enabled' })]);
    await until(async () => (await s.subscriber(a.imsi)).sessionStatus?.online === true, 15_000, 'A online');
    expect(s.sim.modem.status()).toMatchObject({ imsi: a.imsi, iccid: a.iccid });
    // ES12.DeleteEvent once installed; the binding keeps the EID.
    expect(await s.platform.smds!.service.events(EID)).toEqual([]);
    expect(await s.api.call('GET', `/_cellgate/esim/profiles/${a.iccid}/eid`)).toEqual({ iccid: a.iccid, eid: EID, state: 'installed' });

    // A second discovery (the platform command) finds nothing and changes nothing.
    const again = await s.command({ name: 'esim.discover' }, 30_000);
    expect(again).toMatchObject({ status: 'ok', result: { ok: true, smdsAddress: s.platform.smds!.address, events: [], downloads: [] } });
    expect(s.euicc.profiles()).toHaveLength(1);
    expect(s.euicc.downloadInProgress).toBe(false);
    expect(s.euicc.openChannels()).toEqual([]);
    const applied = await s.platform.store.transaction((tx) => tx.list<{ event: string }>('esim-notification', { partition: EID }));
    expect(applied.map((n) => n.event).sort()).toEqual(['enable', 'install']);
  }, 90_000);

  it('esim.discover installs a profile bound while the gateway runs; a profile bound to another EID is neither found nor downloadable', async () => {
    stack = await startEsimStack({ shortcut: false, rootDs: true, discovery: 'off' });
    const s = stack;
    const [a, b] = s.profiles;
    s.startAgent();
    await s.whenGatewayReported();
    const otherEid = '89049032000000000000000000009999';
    const { eventId: otherEvent } = await bind(s, b.iccid, otherEid);
    // Only B is bound, to another card: nothing for this one.
    expect(await s.command({ name: 'esim.discover' }, 30_000)).toMatchObject({ status: 'ok', result: { ok: true, events: [], downloads: [] } });
    // Its event ID as matching ID, or its activation code, from this card: 8.1.1 / 3.8, session cancelled, nothing installed.
    const stolen = await s.command({ name: 'esim.download', activationCode: `LPA:1$${s.platform.smdp!.address}$${otherEvent}` }, 30_000);
    expect(stolen).toMatchObject({ status: 'error', result: { ok: false, stage: 'authenticate-client', reason: 'eidMismatch', es9Status: { subjectCode: '8.1.1', reasonCode: '3.8' }, cancelled: 'undefinedReason' } });
    const byCode = await s.command({ name: 'esim.download', activationCode: b.activationCode }, 30_000);
    expect(byCode).toMatchObject({ status: 'error', result: { reason: 'eidMismatch' } });
    expect(s.euicc.profiles()).toEqual([]);
    expect(s.euicc.downloadInProgress).toBe(false);
    expect(await s.platform.smds!.service.events(otherEid)).toHaveLength(1);

    // A bound to this card while it runs: the platform's command discovers and installs it.
    const { eventId } = await bind(s, a.iccid, EID);
    const found = await s.command({ name: 'esim.discover', enable: true }, 30_000);
    expect(found).toMatchObject({ status: 'ok', result: { ok: true, events: [{ eventId, rspServerAddress: s.platform.smdp!.address }], downloads: [{ eventId, ok: true, iccid: a.iccid, enabled: { ok: true, imsi: a.imsi } }] } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED', 20_000, 'A activated');
    expect((await s.profileStatuses())[b.iccid]).toBe('SUBSCRIBER_REGISTRATION_SUCCEEDED');
    expect(await s.platform.smds!.service.events(EID)).toEqual([]);
  }, 90_000);
});
