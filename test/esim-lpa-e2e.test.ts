import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationSink } from '../agent/lpa/index.js';
import { eventually } from './link-fixtures.js';
import { DEVICE, startEsimWorld, type EsimWorld } from './esim-support.js';

/**
 * SPEC §1.5 / §2 (LPA): real agent (AT channel, session, MQTT link with its SQLite outbox, LPA)
 * ↔ real simulated modem with an eUICC ↔ real broker ↔ platform hub applying notifications.
 */
describe('eSIM LPA end to end', () => {
  let world: EsimWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  }, 20_000);

  const state = async (w: EsimWorld, iccid: string) => (await w.profileState(iccid))?.state;
  const applications = (w: EsimWorld) => w.applied.filter((a) => !a.duplicate).map((a) => a.key);

  /** A gateway running profile A with every notification delivered. */
  async function runningOnA(w: EsimWorld): Promise<void> {
    const [a] = w.profiles;
    // A first-time device has no persistent session yet: a command sent before it subscribed is lost.
    await w.gateway.link.whenConnected();
    const result = await w.hub.sendCommand(DEVICE, { name: 'enable-profile', iccid: a!.iccid }, { timeoutMs: 15_000 });
    expect(result.status).toBe('ok');
    await eventually(async () => (await state(w, a!.iccid)) === 'activated' && w.euicc.notifications().length === 0, 10_000, 'A activated, card notifications removed');
  }

  it('enables B on a gateway running A: re-attach with B’s IMSI, A Deactivated / B Activated; delete A → Deleted and flagged', async () => {
    world = await startEsimWorld();
    const w = world;
    w.gateway = w.startGateway();
    const [a, b] = w.profiles as [(typeof w.profiles)[0], (typeof w.profiles)[0]];
    await runningOnA(w);
    expect(await state(w, b.iccid)).toBe('installed');
    await eventually(() => w.sim.modem.status().imsi === a.imsi && w.sim.modem.status().registration === 1, 5_000, 'attached on A');

    const result = await w.hub.sendCommand(DEVICE, { name: 'enable-profile', iccid: b.iccid }, { timeoutMs: 15_000 });
    expect(result.status).toBe('ok');
    expect(result.result).toMatchObject({ ok: true, iccid: b.iccid, imsi: b.imsi, attached: true });
    expect(w.sim.modem.status()).toMatchObject({ imsi: b.imsi, iccid: b.iccid, registration: 1 });
    await eventually(async () => (await state(w, a.iccid)) === 'deactivated' && (await state(w, b.iccid)) === 'activated', 10_000, 'A deactivated, B activated');
    await eventually(() => w.euicc.notifications().length === 0, 5_000, 'notifications removed from the card');

    const deleted = await w.hub.sendCommand(DEVICE, { name: 'delete-profile', iccid: a.iccid }, { timeoutMs: 15_000 });
    expect(deleted).toMatchObject({ status: 'ok', result: { ok: true, result: 'ok' } });
    await eventually(async () => (await state(w, a.iccid)) === 'deleted', 10_000, 'A deleted');
    expect(await w.profileState(a.iccid)).toMatchObject({ deletedButNotTerminated: true });
    expect(w.euicc.profiles().map((p) => p.iccid)).toEqual([b.iccid]);

    const listed = await w.hub.sendCommand(DEVICE, { name: 'list-profiles' }, { timeoutMs: 15_000 });
    expect(listed.result).toMatchObject({ profiles: [{ iccid: b.iccid, state: 'enabled' }] });
    // Every notification (2 installs, enable A, disable A, enable B, delete A) applied exactly once.
    expect(applications(w).sort()).toEqual([1, 2, 3, 4, 5, 6].map((seq) => `esim:${w.euicc.eid}:${seq}`).sort());
  }, 60_000);

  it('broker down during an operation: the notifications arrive once after it comes back', async () => {
    world = await startEsimWorld();
    const w = world;
    w.gateway = w.startGateway();
    const [a, b] = w.profiles as [(typeof w.profiles)[0], (typeof w.profiles)[0]];
    await runningOnA(w);
    await w.stopBroker();
    const outcome = await w.gateway.lpa.service.enable(b.iccid);
    expect(outcome).toMatchObject({ ok: true, imsi: b.imsi });
    await new Promise((r) => setTimeout(r, 500));
    // Nothing acknowledged yet: both notifications are still on the card and in the outbox.
    expect(w.euicc.notifications().map((n) => n.event)).toEqual(['disable', 'enable']);
    expect(w.gateway.outbox.size()).toBeGreaterThanOrEqual(2);
    await w.restartBroker();
    await eventually(() => w.euicc.notifications().length === 0, 15_000, 'notifications delivered and removed');
    expect(await state(w, a.iccid)).toBe('deactivated');
    expect(await state(w, b.iccid)).toBe('activated');
    const keys = applications(w);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(5);
  }, 60_000);

  it('agent killed between the platform’s ack and NotificationSent: the restart re-sends, nothing is applied twice', async () => {
    world = await startEsimWorld();
    const w = world;
    const [a] = w.profiles as [(typeof w.profiles)[0]];
    // The first agent loses every ack continuation, as if it died right after the ack arrived.
    const dying = (link: NotificationSink): NotificationSink => ({
      sendEsimNotification: (n) => link.sendEsimNotification(n),
      whenAcknowledged: (key) => link.whenAcknowledged(key).then(() => new Promise<void>(() => undefined)),
    });
    w.gateway = w.startGateway({ sink: dying as never });
    await w.gateway.link.whenConnected();
    const result = await w.hub.sendCommand(DEVICE, { name: 'enable-profile', iccid: a.iccid }, { timeoutMs: 15_000 });
    expect(result.status).toBe('ok');
    await eventually(() => applications(w).length === 3 && w.gateway.outbox.size() === 0, 10_000, 'three notifications applied and acked');
    expect(w.euicc.notifications()).toHaveLength(3);
    await w.gateway.stop();

    w.gateway = w.startGateway();
    await eventually(() => w.euicc.notifications().length === 0, 15_000, 'removed after the restart');
    expect(w.applied.filter((x) => x.duplicate).length).toBe(0);
    expect(applications(w)).toHaveLength(3);
    expect(await state(w, a.iccid)).toBe('activated');
  }, 60_000);

  it('falls back to A when B cannot attach (its SIM is terminated on the platform)', async () => {
    world = await startEsimWorld({ lpaConfig: { attachTimeoutMs: 1_500 } });
    const w = world;
    w.gateway = w.startGateway();
    const [a, b] = w.profiles as [(typeof w.profiles)[0], (typeof w.profiles)[0]];
    await runningOnA(w);
    for (const action of ['enable_termination', 'terminate']) {
      const res = await w.api.call('POST', `/v1/subscribers/${b.imsi}/${action}`, { auth: w.auth });
      expect(res.statusCode, res.body).toBe(200);
    }
    const result = await w.hub.sendCommand(DEVICE, { name: 'enable-profile', iccid: b.iccid }, { timeoutMs: 20_000 });
    expect(result.status).toBe('error');
    expect(result.result).toMatchObject({ ok: false, fellBackTo: a.iccid, reason: 'attach-timeout', iccid: a.iccid, imsi: a.imsi });
    await eventually(() => w.sim.modem.status().imsi === a.imsi && w.sim.modem.status().registration === 1, 5_000, 're-attached on A');
    expect(w.euicc.profiles().find((p) => p.state === 'enabled')?.iccid).toBe(a.iccid);
    await eventually(() => w.euicc.notifications().length === 0, 10_000, 'all four switch notifications delivered');
    expect(await state(w, a.iccid)).toBe('activated');
    expect(await state(w, b.iccid)).toBe('deactivated');
  }, 60_000);
});
