/**
 * End to end over real sockets: the agent attaches a simulated modem through the platform's
 * network gate, reports over MQTT to the platform, answers commands sent through the HTTP API,
 * survives an operator's delete_session, and reads the metadata service from its session IP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './support/agent-harness.js';
import { deviceEvents, sessionEvents, startStack, type Stack } from './support/stack-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('the local stack, real clock', () => {
  it('takes a ready SIM online: active on the platform, status and events over MQTT, health and metrics', async () => {
    stack = await startStack();
    stack.agent.start();
    await stack.agent.ready();
    await eventually(() => stack!.agent.status().online, 20_000, 'online');
    const subscriber = await stack.api.call<{ status: string; sessionStatus: { online: boolean; ueIpAddress: string } }>('GET', `/v1/subscribers/${stack.gateway.imsi}`);
    expect(subscriber.status).toBe('active');
    expect(subscriber.sessionStatus.online).toBe(true);
    expect(subscriber.sessionStatus.ueIpAddress).toBe(stack.agent.status().ip);

    let device: { status: { online: boolean; session?: { state: string; ipAddress?: string }; sim?: { imsi?: string } } | null } | undefined;
    await eventually(() => {
      void stack!.api.call<typeof device>('GET', `/_cellgate/devices/${stack!.gateway.deviceId}`).then((d) => (device = d));
      return device?.status?.session?.state === 'up';
    }, 10_000, 'device status up');
    expect(device!.status!.online).toBe(true);
    expect(device!.status!.sim?.imsi).toBe(stack.gateway.imsi);

    let types: string[] = [];
    await eventually(() => {
      void deviceEvents(stack!).then((events) => (types = events.map((e) => e.type)));
      return types.includes('session.online');
    }, 10_000, 'session.online event');

    const healthz = await fetch(`${stack.agent.healthUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({ healthy: true, state: 'online', link: 'connected', deviceId: stack.gateway.deviceId });
    const metrics = await (await fetch(`${stack.agent.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/cellgate_agent_session_state\{state="online"\} 1/);
    expect(metrics).toMatch(/cellgate_agent_link_state\{state="connected"\} 1/);
    expect(metrics).toMatch(/cellgate_agent_attach_attempts_total 1/);
    expect(metrics).toMatch(/cellgate_agent_outbox_depth \d/);

    const metadata = (await stack.agent.metadata()) as { imsi: string };
    expect(metadata.imsi).toBe(stack.gateway.imsi);
  });

  it('answers a reconnect command sent through the HTTP API, with a new session on the platform', async () => {
    stack = await startStack();
    stack.agent.start();
    await eventually(() => stack!.agent.status().online, 20_000, 'online');
    await stack.agent.link!.whenConnected();
    const before = (await sessionEvents(stack)).length;
    const result = await stack.api.call<{ status: string; command: string; result: { online: boolean; state: string } }>(
      'POST',
      `/_cellgate/devices/${stack.gateway.deviceId}/commands`,
      { command: { name: 'reconnect' }, timeoutMs: 30_000 },
    );
    expect(result).toMatchObject({ command: 'reconnect', status: 'ok', result: { online: true, state: 'online' } });
    const events = (await sessionEvents(stack)).slice(before).map((e) => e.event);
    expect(events).toEqual(['Deleted', 'Created']);
    expect(stack.agent.metrics().losses_requested).toBe(1);
  });

  it('after delete_session through the API: Deleted then Created, and the agent reconnects by itself', async () => {
    stack = await startStack();
    stack.agent.start();
    await eventually(() => stack!.agent.status().online, 20_000, 'online');
    const before = (await sessionEvents(stack)).length;
    await stack.api.call('POST', `/v1/subscribers/${stack.gateway.imsi}/delete_session`);
    await eventually(() => (stack!.agent.metrics().online ?? 0) >= 2, 20_000, 'back online');
    expect(stack.agent.status().online).toBe(true);
    let events: string[] = [];
    await eventually(() => {
      void sessionEvents(stack!).then((all) => (events = all.slice(before).map((e) => e.event)));
      return events.length >= 2;
    }, 10_000, 'session events');
    expect(events).toEqual(['Deleted', 'Created']);
    let types: string[] = [];
    await eventually(() => {
      void deviceEvents(stack!).then((all) => (types = all.map((e) => e.type)));
      return types.includes('session.reconnected');
    }, 10_000, 'session.reconnected event');
    const reconnected = (await deviceEvents(stack)).find((e) => e.type === 'session.reconnected')!;
    expect(reconnected.data.cause).toBe('pdp-deactivated');
  });
});
