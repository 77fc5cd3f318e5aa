/**
 * The agent process SIGKILLed mid-stream (compiled CLI, three processes over real sockets):
 * events it accepted into its durable outbox — some already applied by the platform whose acks
 * were lost, some never sent because the broker was unreachable — all reach the platform after
 * a restart on the same data dir, each exactly once (deduplicated by idempotency key).
 */
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allDeviceEvents, builtCli, killAllCellgate, LossyRelay, sessionEventsOf, startProcessStack, until, untilOnline, type ProcessStack } from './support/process-stack.js';

let relay: LossyRelay | undefined;
afterEach(async () => {
  await killAllCellgate();
  await relay?.close();
  relay = undefined;
});

/** Keys of the events still pending in the agent's outbox file (read after the process died). */
function pendingEventKeys(agentDir: string): string[] {
  const file = readdirSync(agentDir).find((name) => /^outbox-.*\.sqlite$/.test(name));
  if (!file) throw new Error(`no outbox in ${agentDir}`);
  const db = new Database(join(agentDir, file), { readonly: true });
  try {
    return (db.prepare("SELECT key FROM outbox WHERE kind = 'event' ORDER BY seq").all() as Array<{ key: string }>).map((r) => r.key);
  } finally {
    db.close();
  }
}

/** Drops the SIM's session through the API and waits until the agent is back online (events recorded). */
async function bounceSession(s: ProcessStack, sessionsBefore: number): Promise<number> {
  const from = s.agent.output().length;
  await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/delete_session`);
  await s.agent.waitFor(/session online → lost/, 10_000, from);
  await s.agent.waitFor(/→ online"/, 15_000, from);
  return until(async () => {
    const n = (await sessionEventsOf(s.api, s.gateway)).length;
    return n >= sessionsBefore + 2 ? n : undefined;
  }, 10_000, 'the new session on the platform');
}

describe.skipIf(!builtCli)('agent SIGKILLed with events in its outbox', () => {
  it('delivers every accepted event exactly once after a restart on the same data dir', async () => {
    const s = await startProcessStack({
      agentMqttUrl: async (platform) => {
        const { hostname, port } = new URL(platform.mqttUrl);
        relay = await LossyRelay.start({ host: hostname, port: Number(port) });
        return relay.url;
      },
    });
    await untilOnline(s.api, s.gateway, 20_000);
    let sessions = (await sessionEventsOf(s.api, s.gateway)).length;

    // 1. The platform applies the events but its acks are lost: they stay in the outbox.
    relay!.dropDownstream = true;
    for (let n = 0; n < 3; n++) sessions = await bounceSession(s, sessions);
    const appliedUnacked = await until(async () => {
      const reconnects = (await allDeviceEvents(s.api, s.gateway)).filter((e) => e.type === 'session.reconnected');
      return reconnects.length >= 3 ? reconnects : undefined;
    }, 10_000, 'the events applied while their acks are lost');

    // 2. The broker becomes unreachable: events pile up unsent.
    relay!.cut();
    for (let n = 0; n < 2; n++) sessions = await bounceSession(s, sessions);

    expect(await s.agent.stop('SIGKILL')).toBeNull();
    const pending = pendingEventKeys(s.agentDir);
    // 3 × (offline, online, reconnected) applied with lost acks + 2 × 3 never sent.
    expect(pending.length).toBeGreaterThanOrEqual(15);
    for (const event of appliedUnacked) expect(pending).toContain(event.key);
    const appliedBefore = new Set((await allDeviceEvents(s.api, s.gateway)).map((e) => e.key));
    // Events recorded while the broker was unreachable, never seen by the platform: at least one
    // bounce's worth (the last bounce's final event may not be written before the kill).
    expect(pending.filter((key) => !appliedBefore.has(key)).length).toBeGreaterThanOrEqual(3);

    relay!.restore();
    await s.startAgent();
    await untilOnline(s.api, s.gateway, 20_000);
    await until(async () => (await fetch(`${s.agent.healthUrl}/metrics`).then((r) => r.text())).match(/cellgate_agent_outbox_depth 0\b/) !== null, 15_000, 'the outbox drained');

    const events = await allDeviceEvents(s.api, s.gateway);
    const countByKey = new Map<string, number>();
    for (const event of events) countByKey.set(event.key, (countByKey.get(event.key) ?? 0) + 1);
    for (const key of pending) expect(countByKey.get(key), key).toBe(1);
    for (const key of appliedBefore) expect(countByKey.get(key), key).toBe(1);
    expect([...countByKey.values()].every((n) => n === 1)).toBe(true);
    expect(events.filter((e) => e.type === 'session.reconnected').length).toBeGreaterThanOrEqual(5);
    expect(await s.agent.stop('SIGTERM')).toBe(0);
  });
});

