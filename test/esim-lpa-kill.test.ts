import { afterEach, describe, expect, it } from 'vitest';
import { EID, startEsimStack, until, type EsimStack } from './support/esim-stack.js';

/**
 * SPEC §2 (LPA, nothing lost / nothing applied twice) with a real crash: `cellgate agent`
 * (compiled `dist/`, `npm run build` first) runs in a child process against the simulated modem's
 * TCP serial port and is SIGKILLed after the platform acknowledged the eUICC's notifications but
 * before it sent NotificationSent. The eUICC lives in this process; the agent's outbox is its file.
 */
describe('eSIM LPA: agent killed between delivery and removal', () => {
  let stack: EsimStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  }, 20_000);

  it('the restarted agent re-sends the same notifications, the platform applies them once, and they leave the card', async () => {
    // The default delivery retry (60 s): the agent must deliver at start without waiting for it,
    // though the card has no enabled profile yet and the session never comes online.
    stack = await startEsimStack({ tcp: true, lpa: { deliveryRetryMs: 60_000 } });
    const s = stack;
    const [a, b] = s.profiles;
    const keys = [1, 2].map((seq) => `esim:${EID}:${seq}`);
    // Slow APDUs (300 ms each) widen the gap between the platform's ack and NotificationSent,
    // which needs a RetrieveNotificationsList and a NotificationSent on the card.
    s.sim.modem.quirks.slowApduMs = 300;
    expect(s.euicc.notifications().map((n) => n.seqNumber)).toEqual([1, 2]);

    const first = s.spawnAgent();
    // The agent delivers both install notifications at start; kill it once the platform applied
    // both and the agent logged the first ack (its next step is NotificationSent on the card).
    const acked = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.msg === 'eSIM notification acknowledged by the platform').map((l) => l.key);
    const deadline = Date.now() + 20_000;
    while ((await s.esimRecords()).length < 2 || acked(first.logs).length === 0) {
      if (Date.now() > deadline) throw new Error(`no notification applied and acknowledged; agent log:\n${JSON.stringify(first.logs.slice(-20), null, 1)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await first.kill('SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');
    // Killed in the window: applied by the platform, still on the card.
    expect(s.euicc.notifications().map((n) => n.seqNumber)).toEqual([1, 2]);
    expect(first.logs.filter((l) => l.msg === 'notification removed from the eUICC')).toEqual([]);
    expect(await s.profileStatuses()).toEqual({ [a.iccid]: 'INSTALLATION_SUCCEEDED', [b.iccid]: 'INSTALLATION_SUCCEEDED' });

    s.sim.modem.quirks.slowApduMs = 0;
    const second = s.spawnAgent();
    const removed = () => second.logs.filter((l) => l.msg === 'notification removed from the eUICC').map((l) => l.seqNumber);
    // (The card changes before the child's log line about it reaches this process.)
    await until(() => s.euicc.notifications().length === 0 && removed().length >= 2, 20_000, 'notifications removed after the restart');
    expect(removed().sort()).toEqual([1, 2]);
    // The new process read the same seqs from the card, re-sent them under the same keys, got acks.
    expect([...new Set(acked(second.logs))].sort()).toEqual(keys);
    // Applied exactly once each; the profiles show one installation.
    const records = await s.esimRecords();
    expect(records.map((r) => [r.key, r.operation, r.outcome])).toEqual([
      [keys[0], 'install', 'applied'],
      [keys[1], 'install', 'applied'],
    ]);
    expect(await s.profileStatuses()).toEqual({ [a.iccid]: 'INSTALLATION_SUCCEEDED', [b.iccid]: 'INSTALLATION_SUCCEEDED' });

    // The restarted gateway is fully usable: enable A through the platform.
    await s.whenGatewayReported();
    const result = await s.command({ name: 'enable-profile', iccid: a.iccid });
    expect(result).toMatchObject({ status: 'ok', result: { ok: true, imsi: a.imsi, attached: true } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED', 10_000, 'A activated');
    await second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
