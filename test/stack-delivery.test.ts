/**
 * Nothing acknowledged is lost, nothing is applied twice: the agent's outbox across a restart of
 * the platform's broker (the whole platform, same data dir and port), over real TCP MQTT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './support/agent-harness.js';
import { deviceEvents, startStack, type Stack } from './support/stack-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('outbox delivery across a broker restart', () => {
  it('delivers what was recorded before, during and after the outage exactly once', async () => {
    stack = await startStack();
    stack.agent.start();
    await eventually(() => stack!.agent.status().online, 20_000, 'online');
    const link = await stack.agent.whenLinked();
    await link.whenConnected();
    const keys: string[] = [];
    for (let n = 0; n < 5; n++) keys.push(link.emitEvent('test.marker', { n }));
    await stack.restartPlatform(async () => {
      await eventually(() => link.state !== 'connected', 10_000, 'link down');
      for (let n = 5; n < 10; n++) keys.push(link.emitEvent('test.marker', { n }));
    });
    for (let n = 10; n < 15; n++) keys.push(link.emitEvent('test.marker', { n }));
    await eventually(() => link.state === 'connected', 15_000, 'link back');
    let markers: Array<{ key: string; data: Record<string, unknown> }> = [];
    await eventually(() => {
      void deviceEvents(stack!).then((all) => (markers = all.filter((e) => e.type === 'test.marker')));
      return markers.length >= 15;
    }, 20_000, 'all markers applied');
    await new Promise((r) => setTimeout(r, 1_500)); // any redelivery would land by now (ack timeout 500 ms)
    markers = (await deviceEvents(stack)).filter((e) => e.type === 'test.marker');
    expect(markers.map((m) => m.key).sort()).toEqual([...keys].sort());
    expect(new Set(markers.map((m) => m.data.n)).size).toBe(15);
    await eventually(() => stack!.agent.link !== undefined && (stack!.agent.health().link === 'connected'), 5_000, 'connected');
    const depth = (await stack.agent.metricsText()).match(/cellgate_agent_outbox_depth (\d+)/)?.[1];
    expect(depth).toBe('0');
  });
});
