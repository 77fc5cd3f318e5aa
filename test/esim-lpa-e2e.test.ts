import { afterEach, describe, expect, it } from 'vitest';
import { EID, startEsimStack, until, type EsimStack } from './support/esim-stack.js';

/**
 * SPEC §1.5 / §2 (LPA), end to end over real sockets: the platform (`startPlatform`, its embedded
 * broker, `devices.register`) ↔ the agent as `createAgent` composes it (MQTT link, durable outbox,
 * LPA extension) ↔ a simulated BG96 with an eUICC holding two profiles ordered through
 * `/v1/sim_profile_orders`. Commands go through `POST /_cellgate/devices/{id}/commands`; every
 * outcome is read back the way an operator sees it (ordered profiles, CSV, subscribers, sessions).
 */
describe('eSIM LPA end to end', () => {
  let stack: EsimStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  }, 20_000);

  const key = (seq: number) => `esim:${EID}:${seq}`;

  /** A gateway running profile A, every notification so far delivered and removed from the card. */
  async function runningOnA(s: EsimStack): Promise<void> {
    const [a] = s.profiles;
    s.startAgent();
    // A first-time device has no persistent session yet: wait until it subscribed (it reports after).
    await s.whenGatewayReported();
    const result = await s.command({ name: 'enable-profile', iccid: a.iccid });
    expect(result).toMatchObject({ status: 'ok', result: { ok: true, iccid: a.iccid, imsi: a.imsi, attached: true } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED' && s.euicc.notifications().length === 0, 10_000, 'A activated, card notifications removed');
    await until(async () => (await s.subscriber(a.imsi)).sessionStatus?.online === true, 10_000, 'A’s session online');
  }

  /** Sends enable B and checks the gateway now runs B (as the platform sees it). */
  async function switchToB(s: EsimStack): Promise<void> {
    const [a, b] = s.profiles;
    const result = await s.command({ name: 'enable-profile', iccid: b.iccid });
    expect(result.status).toBe('ok');
    expect(result.result).toMatchObject({ ok: true, iccid: b.iccid, imsi: b.imsi, attached: true });
    await until(async () => (await s.subscriber(b.imsi)).sessionStatus?.online === true, 10_000, 'B’s session online');
    await until(async () => (await s.subscriber(a.imsi)).sessionStatus?.online === false, 10_000, 'A’s session closed');
    await until(async () => {
      const statuses = await s.profileStatuses();
      return statuses[a.iccid] === 'INACTIVATION_SUCCEEDED' && statuses[b.iccid] === 'ACTIVATION_SUCCEEDED';
    }, 10_000, 'A deactivated, B activated');
    await until(() => s.euicc.notifications().length === 0, 10_000, 'switch notifications removed from the card');
  }

  it('enables B on a gateway running A: it re-attaches with B’s IMSI, the platform shows A Deactivated and B Activated', async () => {
    stack = await startEsimStack();
    const s = stack;
    const [a, b] = s.profiles;
    await runningOnA(s);
    expect((await s.profileStatuses())[b.iccid]).toBe('INSTALLATION_SUCCEEDED');
    expect((await s.subscriber(b.imsi)).sessionStatus?.online ?? false).toBe(false);

    await switchToB(s);
    expect(await s.csvStatuses()).toMatchObject({ [a.iccid]: 'INACTIVATION_SUCCEEDED', [b.iccid]: 'ACTIVATION_SUCCEEDED' });
    expect((await s.sessionEvents(b.imsi)).map((e) => e.event)).toContain('Created');
    expect((await s.sessionEvents(a.imsi)).at(-1)?.event).toBe('Deleted');
    // The modem really changed identity: what the platform saw is what the radio did.
    expect(s.sim.modem.status()).toMatchObject({ imsi: b.imsi, iccid: b.iccid, registration: 1 });
    // install A, install B, enable A, disable A, enable B: each applied once.
    const records = await s.esimRecords();
    expect(records.map((r) => [r.key, r.operation, r.outcome])).toEqual([
      [key(1), 'install', 'applied'],
      [key(2), 'install', 'applied'],
      [key(3), 'enable', 'applied'],
      [key(4), 'disable', 'applied'],
      [key(5), 'enable', 'applied'],
    ]);
  }, 60_000);

  it('deletes A: the platform shows it Deleted and flags its SIM as deleted but not terminated', async () => {
    stack = await startEsimStack();
    const s = stack;
    const [a, b] = s.profiles;
    await runningOnA(s);
    await switchToB(s);

    const deleted = await s.command({ name: 'delete-profile', iccid: a.iccid });
    expect(deleted).toMatchObject({ status: 'ok', result: { ok: true, result: 'ok', iccid: a.iccid } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'DELETION_SUCCEEDED', 10_000, 'A deleted');
    expect((await s.csvStatuses())[a.iccid]).toBe('DELETION_SUCCEEDED');
    // A's SIM still bills: not terminated, and the platform raised the flag for it.
    expect((await s.subscriber(a.imsi)).status).not.toBe('terminated');
    expect(s.domainEvents.filter((e) => e.type === 'esim-profile-deleted-sim-not-terminated').map((e) => e.imsi)).toEqual([a.imsi]);
    const flagged = await s.api.call<Array<{ iccid: string; imsi: string; deletedButNotTerminated: boolean }>>('GET', '/_cellgate/esim/deleted_profiles');
    expect(flagged.map((p) => [p.iccid, p.imsi, p.deletedButNotTerminated])).toEqual([[a.iccid, a.imsi, true]]);
    // Terminating the SIM clears the flag: it no longer bills.
    await s.api.call('POST', `/v1/subscribers/${a.imsi}/enable_termination`);
    await s.api.call('POST', `/v1/subscribers/${a.imsi}/terminate`);
    expect(await s.api.call('GET', '/_cellgate/esim/deleted_profiles')).toEqual([]);
    await until(() => s.euicc.notifications().length === 0, 10_000, 'delete notification removed from the card');

    const listed = await s.command({ name: 'list-profiles' });
    expect(listed).toMatchObject({ status: 'ok', result: { eid: EID, profiles: [{ iccid: b.iccid, state: 'enabled' }] } });
    expect((await s.esimRecords()).at(-1)).toMatchObject({ key: key(6), operation: 'delete', iccid: a.iccid, outcome: 'applied' });
  }, 60_000);

  it('platform (and its broker) down during a switch: the notifications arrive exactly once after it comes back', async () => {
    stack = await startEsimStack();
    const s = stack;
    const [a, b] = s.profiles;
    await runningOnA(s);
    // Slow APDUs leave a window between the command's answer and the delivery pass reading the card.
    s.sim.modem.quirks.slowApduMs = 300;
    const result = await s.command({ name: 'enable-profile', iccid: b.iccid });
    expect(result.result).toMatchObject({ ok: true, imsi: b.imsi, attached: true });
    let downAt = 0;
    let upAt = 0;
    await s.restartPlatform(async () => {
      downAt = Date.now();
      // While the broker is gone the agent reads both notifications and keeps them in its outbox.
      await until(() => [key(4), key(5)].every((k) => s.outboxKeys().includes(k)), 10_000, 'both notifications queued in the outbox');
      expect(s.euicc.notifications().map((n) => n.event)).toEqual(['disable', 'enable']);
      await new Promise((r) => setTimeout(r, 300));
      upAt = Date.now();
    });
    s.sim.modem.quirks.slowApduMs = 0;
    await until(() => s.euicc.notifications().length === 0, 15_000, 'notifications delivered and removed');
    await new Promise((r) => setTimeout(r, 1_000)); // a redelivery (ack timeout 500 ms) would land by now
    const late = (await s.esimRecords()).filter((r) => r.seqNumber >= 4);
    expect(late.map((r) => [r.key, r.operation, r.iccid, r.outcome])).toEqual([
      [key(4), 'disable', a.iccid, 'applied'],
      [key(5), 'enable', b.iccid, 'applied'],
    ]);
    // Produced by the agent while the platform was down, applied after it came back.
    for (const r of late) {
      expect(r.createdAt).toBeGreaterThanOrEqual(downAt);
      expect(r.createdAt).toBeLessThan(upAt);
      expect(r.receivedAt).toBeGreaterThanOrEqual(upAt);
    }
    expect(await s.profileStatuses()).toMatchObject({ [a.iccid]: 'INACTIVATION_SUCCEEDED', [b.iccid]: 'ACTIVATION_SUCCEEDED' });
    expect((await s.subscriber(b.imsi)).sessionStatus?.online).toBe(true);
  }, 60_000);

  it('falls back to A when B cannot attach (its SIM is terminated), and the command result says so', async () => {
    stack = await startEsimStack({ lpa: { attachTimeoutMs: 1_500 } });
    const s = stack;
    const [a, b] = s.profiles;
    await runningOnA(s);
    await s.api.call('POST', `/v1/subscribers/${b.imsi}/enable_termination`);
    await s.api.call('POST', `/v1/subscribers/${b.imsi}/terminate`);
    expect((await s.subscriber(b.imsi)).status).toBe('terminated');

    const result = await s.command({ name: 'enable-profile', iccid: b.iccid }, 20_000);
    expect(result.status).toBe('error');
    expect(result.result).toMatchObject({ ok: false, attached: false, fellBackTo: a.iccid, reason: 'attach-timeout', iccid: a.iccid, imsi: a.imsi });
    await until(async () => (await s.subscriber(a.imsi)).sessionStatus?.online === true, 10_000, 'back online on A');
    expect((await s.subscriber(b.imsi)).sessionStatus?.online ?? false).toBe(false);
    await until(() => s.euicc.notifications().length === 0, 10_000, 'the four switch notifications delivered');
    expect(await s.profileStatuses()).toMatchObject({ [a.iccid]: 'ACTIVATION_SUCCEEDED', [b.iccid]: 'INACTIVATION_SUCCEEDED' });
    expect((await s.esimRecords()).slice(3).map((r) => [r.operation, r.iccid])).toEqual([
      ['disable', a.iccid],
      ['enable', b.iccid],
      ['disable', b.iccid],
      ['enable', a.iccid],
    ]);
  }, 60_000);
});
