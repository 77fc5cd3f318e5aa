/**
 * The stack as a user runs it on separate hosts: `cellgate platform`, `cellgate sim --platform`
 * and `cellgate agent` as three processes of the compiled CLI, over real sockets; and
 * `cellgate up --gateways 3` as one. `npm test` builds `dist/` first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  allDeviceEvents,
  builtCli,
  deviceOf,
  killAllCellgate,
  sessionEventsOf,
  spawnCellgate,
  startProcessStack,
  tempDir,
  until,
  untilOnline,
} from './support/process-stack.js';

afterEach(killAllCellgate);

describe.skipIf(!builtCli)('three processes: platform, simulator, agent (from dist/)', () => {
  it('goes online, survives delete_session through the API, and every process exits cleanly on SIGTERM', async () => {
    const s = await startProcessStack();
    const online = await untilOnline(s.api, s.gateway, 20_000);
    expect(online.status!.session!.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const subscriber = await s.api.call<{ status: string; sessionStatus: { online: boolean; imei: string; ueIpAddress: string } }>('GET', `/v1/subscribers/${s.gateway.imsi}`);
    expect(subscriber.status).toBe('active');
    expect(subscriber.sessionStatus).toMatchObject({ online: true, imei: s.gateway.imei, ueIpAddress: online.status!.session!.ipAddress });
    const health = (await (await fetch(`${s.agent.healthUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ healthy: true, state: 'online', link: 'connected', deviceId: s.gateway.deviceId });

    const before = (await sessionEventsOf(s.api, s.gateway)).length;
    const logFrom = s.agent.output().length;
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/delete_session`);
    // The simulator hears it from the gate (SSE) and deactivates the PDP context; the agent sees the loss and re-attaches.
    await s.agent.waitFor(/session online → lost/, 10_000, logFrom);
    await s.agent.waitFor(/→ online"/, 15_000, logFrom);
    const sessions = await until(async () => {
      const all = (await sessionEventsOf(s.api, s.gateway)).slice(before);
      return all.length >= 2 ? all : undefined;
    }, 10_000, 'session events after delete_session');
    expect(sessions).toEqual(['Deleted', 'Created']);
    const reconnected = await until(async () => (await allDeviceEvents(s.api, s.gateway)).find((e) => e.type === 'session.reconnected'), 10_000, 'session.reconnected event');
    expect(reconnected.data.cause).toBe('pdp-deactivated');
    await untilOnline(s.api, s.gateway, 10_000);

    expect(await s.agent.stop('SIGTERM')).toBe(0);
    expect(s.agent.output()).toMatch(/"msg":"outbox drained"/);
    // A clean stop publishes the retained status offline (not left to the broker's last will).
    await until(async () => (await deviceOf(s.api, s.gateway)).status?.online === false, 5_000, 'the retained status offline');
    expect(await s.sim.stop('SIGTERM')).toBe(0);
    expect(await s.platform.stop('SIGTERM')).toBe(0);
  });
});

describe.skipIf(!builtCli)('cellgate up --gateways 3 (from dist/)', () => {
  it('brings three gateways online and exits 0 on SIGINT', async () => {
    const up = spawnCellgate(['up', '--data-dir', tempDir('up3'), '--port', '0', '--mqtt-port', '0', '--speed', '0', '--gateways', '3']);
    for (const n of [1, 2, 3]) await up.waitFor(new RegExp(`gateway ${n}: activating → online`), 30_000);
    const imsis = [...up.output().matchAll(/gateway \d: device \S+\s+IMSI (\d+)/g)].map((m) => m[1]);
    expect(new Set(imsis).size).toBe(3);
    expect(await up.stop('SIGINT')).toBe(0);
    expect(up.output().match(/online → stopping/g)?.length).toBe(3);
  });
});
