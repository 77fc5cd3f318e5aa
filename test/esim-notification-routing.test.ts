import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../cli/stack-provision.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { EID, startEsimStack, until, type EsimStack } from './support/esim-stack.js';

/**
 * SGP.22 §3.5 (ES9+ HandleNotification): a notification goes to the SM-DP+ its
 * notificationAddress names. The agent (createAgent, MQTT link, durable outbox) is configured with
 * its platform's SM-DP+ (`lpa.platformSmdp`); a profile from a second SM-DP+ — the platform's
 * SM-DP+ service started as another server, on another address, sharing the test CI the card
 * trusts — has its notifications handed to that server over HTTPS and never to the platform over
 * MQTT, and they leave the card only once that server accepted them.
 */
describe('notifications to the SM-DP+ each one names', () => {
  let stack: EsimStack | undefined;
  let other: RunningPlatform | undefined;
  let otherDir: string | undefined;
  let dead: Server | undefined;
  afterEach(async () => {
    await stack?.close();
    await other?.close();
    dead?.close();
    if (otherDir) rmSync(otherDir, { recursive: true, force: true });
    stack = other = dead = otherDir = undefined;
  }, 30_000);

  const startOther = (dataDir: string, smdpPort = 0): Promise<RunningPlatform> =>
    startPlatform({ dataDir, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 }, http: { port: 0 }, mqtt: false, smdp: { port: smdpPort } });

  it('ours over MQTT; another SM-DP+ gets its install and delete by ES9+; a dead one keeps it on the card until it is back', async () => {
    stack = await startEsimStack({ shortcut: false });
    const s = stack;
    const [a] = s.profiles;
    // The second SM-DP+: same test PKI (the card trusts one CI), its own data, its own address.
    otherDir = mkdtempSync(join(tmpdir(), 'cellgate-smdp2-'));
    cpSync(join(dirname(s.agentDataDir), 'smdp'), join(otherDir, 'smdp'), { recursive: true });
    other = await startOther(otherDir);
    const otherAddress = other.smdp!.address;
    expect(otherAddress).not.toBe(s.platform.smdp!.address);
    const email = `smdp2-${process.pid}@cellgate.local`;
    const password = 'Cg-second-smdp-1';
    const api2 = new ApiClient(other.url);
    api2.use(await api2.call('POST', '/v1/sandbox/init', { email, password }));
    const { profileOrderId } = await api2.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'planX1', quantity: 1 });
    await api2.call('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`);
    type Listed = Array<{ iccid: string; activationCode: string; profileStatus: string }>;
    let listed: Listed = [];
    await until(async () => (listed = await api2.call('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`)).length === 1, 10_000, 'the second SM-DP+ provisioned its order');
    const f = listed[0]!;
    expect(f.activationCode).toContain(`$${otherAddress}$`);
    const otherStatus = async (): Promise<string> => {
      const client = new ApiClient(other!.url);
      client.use(await client.call('POST', '/v1/auth', { email, password }));
      return (await client.call<Listed>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`))[0]!.profileStatus;
    };
    const otherApplied = async (): Promise<string[]> =>
      (await other!.store.transaction((tx) => tx.list<{ event: string }>('esim-notification', { partition: EID }))).map((n) => n.event);
    const mqttIccids = async (): Promise<Array<string | null>> => (await s.esimRecords()).map((r) => r.iccid);

    s.startAgent();
    await s.whenGatewayReported();
    // Ours: the install notification goes to the platform over MQTT, as before.
    expect(await s.command({ name: 'esim.download', activationCode: a.activationCode }, 30_000)).toMatchObject({ status: 'ok', result: { ok: true, iccid: a.iccid } });
    await until(async () => (await s.profileStatuses())[a.iccid] === 'INSTALLATION_SUCCEEDED' && s.euicc.notifications().length === 0, 15_000, 'A installed, its notification removed');
    expect(await mqttIccids()).toContain(a.iccid);

    // Another SM-DP+ (the platform relays the activation code): installed, notified there only.
    expect(await s.command({ name: 'esim.download', activationCode: f.activationCode }, 30_000)).toMatchObject({ status: 'ok', result: { ok: true, iccid: f.iccid, smdpAddress: otherAddress } });
    await until(async () => (await otherStatus()) === 'INSTALLATION_SUCCEEDED' && s.euicc.notifications().length === 0, 15_000, 'F installed at the second SM-DP+, its notification removed from the card');
    expect(await otherApplied()).toEqual(['install']);

    // The second SM-DP+ dies (its port answers with a reset): the delete notification stays on the card.
    const smdpPort = Number(new URL(other.smdp!.url).port);
    await other.close();
    other = undefined;
    let attempts = 0;
    dead = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dead!.listen(smdpPort, '127.0.0.1', resolve));
    expect(await s.command({ name: 'delete-profile', iccid: f.iccid }, 30_000)).toMatchObject({ status: 'ok' });
    await until(() => attempts >= 2, 20_000, 'the agent tried the dead SM-DP+ and retried');
    expect(s.euicc.profiles().map((p) => p.iccid)).toEqual([a.iccid]);
    expect(s.euicc.notifications().map((n) => ({ event: n.event, iccid: n.iccid }))).toEqual([{ event: 'delete', iccid: f.iccid }]);

    // Back (same address): the retry delivers it, and only then does it leave the card.
    await new Promise<void>((resolve) => dead!.close(() => resolve()));
    dead = undefined;
    other = await startOther(otherDir, smdpPort);
    await until(async () => s.euicc.notifications().length === 0, 30_000, 'the delete notification delivered to the revived SM-DP+ and removed');
    expect(await otherStatus()).toBe('DELETION_SUCCEEDED');
    expect(await otherApplied()).toEqual(['install', 'delete']);
    // The platform (MQTT) never saw F's notifications, and A's status is untouched.
    expect(await mqttIccids()).not.toContain(f.iccid);
    expect((await s.profileStatuses())[a.iccid]).toBe('INSTALLATION_SUCCEEDED');
  }, 120_000);
});
