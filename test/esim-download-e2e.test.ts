import { afterEach, describe, expect, it } from 'vitest';
import { EID, startEsimStack, until, type EsimStack } from './support/esim-stack.js';

/**
 * Issue 12 "Done means", end to end with the real composition over real sockets: a platform eSIM
 * order → its activation code → the MQTT command `esim.download` → the agent (createAgent: MQTT
 * link, durable outbox, LPA extension) downloads over ES9+ HTTPS (trusting the platform's exported
 * CI) into the simulated eUICC of a simulated BG96 over AT → installs, enables, re-attaches with
 * the new IMSI → the platform shows Installed, then Activated. And each failure ends cleanly.
 */
describe('SGP.22 download end to end (esim.download over MQTT)', () => {
  let stack: EsimStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  }, 30_000);

  const statusChanges = (s: EsimStack, imsi: string): string[] =>
    s.domainEvents.filter((e) => e.type === 'esim-profile-status-changed' && e.imsi === imsi).map((e) => (e as unknown as { toStatus: string }).toStatus);

  it('downloads, installs, enables and re-attaches: Installed then Activated, each notification applied once', async () => {
    stack = await startEsimStack({ shortcut: false });
    const s = stack;
    const [a] = s.profiles;
    expect(s.euicc.profiles()).toEqual([]);
    s.startAgent();
    await s.whenGatewayReported();
    const result = await s.command({ name: 'esim.download', activationCode: a.activationCode, enable: true }, 30_000);
    expect(result).toMatchObject({ status: 'ok', result: { ok: true, iccid: a.iccid, smdpAddress: s.platform.smdp!.address, enabled: { ok: true, iccid: a.iccid, imsi: a.imsi, attached: true } } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED' && s.euicc.notifications().length === 0, 15_000, 'A activated, notifications removed from the card');
    expect(statusChanges(s, a.imsi)).toEqual(['INSTALLATION_SUCCEEDED', 'ACTIVATION_SUCCEEDED']);
    await until(async () => (await s.subscriber(a.imsi)).sessionStatus?.online === true, 10_000, 'A online');
    expect(s.sim.modem.status()).toMatchObject({ imsi: a.imsi, iccid: a.iccid, registration: 1 });
    // Install (by ES9+ HandleNotification and by MQTT) and enable: each applied exactly once.
    const applied = await s.platform.store.transaction((tx) => tx.list<{ seqNumber: number; event: string }>('esim-notification', { partition: EID }));
    expect(applied.map((n) => n.event).sort()).toEqual(['enable', 'install']);
    expect((await s.esimRecords()).filter((r) => r.outcome === 'applied').map((r) => r.operation)).toEqual(expect.arrayContaining(['enable']));
  });

  it('refusals end in a clean state: a reused matching ID, a wrong confirmation code, a card out of memory', async () => {
    stack = await startEsimStack({ shortcut: false });
    const s = stack;
    const [a, b] = s.profiles;
    s.startAgent();
    await s.whenGatewayReported();
    expect(await s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000)).toMatchObject({ status: 'ok', result: { ok: true, iccid: a.iccid } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'INSTALLATION_SUCCEEDED', 10_000, 'A installed');

    const reused = await s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000);
    expect(reused).toMatchObject({ status: 'error', result: { ok: false, stage: 'authenticate-client', reason: 'matchingIdRefused', es9Status: { subjectCode: '8.2.6', reasonCode: '3.8' }, cancelled: 'undefinedReason' } });

    const operatorId = (await s.api.call<Array<{ operatorId: string }>>('GET', '/v1/subscribers'))[0]!.operatorId;
    const coded = await s.platform.smdp!.service.setConfirmationCode(operatorId, b.iccid, '2468');
    const wrong = await s.command({ name: 'esim.download', activationCode: coded.activationCode, confirmationCode: '1111' }, 30_000);
    expect(wrong).toMatchObject({ status: 'error', result: { ok: false, stage: 'get-bound-profile-package', reason: 'confirmationCodeRefused', es9Status: { subjectCode: '8.2.7', reasonCode: '3.8' }, cancelled: 'undefinedReason' } });

    // The right code, but the card's memory is full: the SM-DP+ reads EUICCInfo2 and refuses.
    s.euicc.maxProfiles = 1;
    const full = await s.command({ name: 'esim.download', activationCode: coded.activationCode, confirmationCode: '2468' }, 30_000);
    expect(full).toMatchObject({ status: 'error', result: { ok: false, reason: 'insufficientMemory', es9Status: { subjectCode: '8.1', reasonCode: '4.8' } } });
    expect(s.euicc.profiles().map((p) => p.iccid)).toEqual([a.iccid]);
    expect(s.euicc.downloadInProgress).toBe(false);
    expect(s.euicc.openChannels()).toEqual([]);
    expect((await s.profileStatuses())[b.iccid]).toBe('SUBSCRIBER_REGISTRATION_SUCCEEDED');
    expect(await s.platform.smdp!.service.downloadState(b.iccid)).toMatchObject({ state: 'available' });
    // Each refusal left a state the next attempt resumes from: with room again, B downloads.
    s.euicc.maxProfiles = 8;
    expect(await s.command({ name: 'esim.download', activationCode: coded.activationCode, confirmationCode: '2468' }, 30_000)).toMatchObject({ status: 'ok', result: { ok: true, iccid: b.iccid } });
  });

  it('the platform and its broker go down mid-download: the download completes, its result and notification arrive once after', async () => {
    stack = await startEsimStack({ shortcut: false });
    const s = stack;
    const [a] = s.profiles;
    s.startAgent();
    await s.whenGatewayReported();
    s.sim.modem.quirks.slowApduMs = 40;
    const answer = s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000).catch((e: unknown) => e);
    // The card is loading the bound profile package when the platform (SM-DP+, broker) goes down.
    await until(async () => (await s.platform.smdp!.service.downloadState(a.iccid))?.state === 'bound', 20_000, 'the BPP delivered to the card');
    await s.restartPlatform(() => new Promise((r) => setTimeout(r, 300)));
    // The command's HTTP call died with the platform; the load went on over AT, its result and
    // the install notification wait in the agent's outbox until the broker is back.
    await answer;
    await until(async () => (await s.profileStatuses())[a.iccid] === 'INSTALLATION_SUCCEEDED' && s.euicc.notifications().length === 0, 30_000, 'A installed once the platform is back');
    expect(s.euicc.profiles().map((p) => p.iccid)).toEqual([a.iccid]);
    const applied = await s.platform.store.transaction((tx) => tx.list<{ event: string }>('esim-notification', { partition: EID }));
    expect(applied.map((n) => n.event)).toEqual(['install']);
  }, 90_000);

  it('the agent is killed mid-download: nothing half-installed; the restarted agent downloads it again', async () => {
    stack = await startEsimStack({ shortcut: false, tcp: true });
    const s = stack;
    const [a] = s.profiles;
    const first = s.spawnAgent();
    await s.whenGatewayReported(20_000);
    s.sim.modem.quirks.slowApduMs = 60;
    const pending = s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000).catch((e: unknown) => e);
    await until(() => s.euicc.downloadInProgress, 20_000, 'the download started on the card');
    await until(async () => (await s.platform.smdp!.service.downloadState(a.iccid))?.state === 'bound', 20_000, 'the BPP delivered to the card');
    await first.kill('SIGKILL');
    await pending;
    expect(s.euicc.profiles()).toEqual([]);
    s.sim.modem.quirks.slowApduMs = 0;
    s.spawnAgent();
    await until(async () => {
      const r = await s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000).catch(() => undefined);
      return r?.status === 'ok';
    }, 40_000, 'the restarted agent downloads A');
    expect(s.euicc.profiles().map((p) => p.iccid)).toEqual([a.iccid]);
    await until(async () => (await s.profileStatuses())[a.iccid] === 'INSTALLATION_SUCCEEDED' && s.euicc.notifications().length === 0, 20_000, 'A installed, notifications delivered');
    const applied = await s.platform.store.transaction((tx) => tx.list<{ event: string; failed?: string }>('esim-notification', { partition: EID }));
    // The interrupted load (if the card had created the ISD-P) left a signed failure; the retry's success follows it. Each once.
    expect(applied.filter((n) => !n.failed).map((n) => n.event)).toEqual(['install']);
    expect(applied.filter((n) => n.failed).every((n) => /installFailedDueToInterruption/.test(n.failed!))).toBe(true);
  }, 120_000);
});
