/**
 * End to end: losses the real simulator injects, and the real agent's recovery from each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startPair, type Dialect, type Exposure, type Pair } from './support/agent-harness.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

async function online(exposure: Exposure, dialect: Dialect): Promise<Pair> {
  pair = await startPair({ dialect, exposure });
  pair.agent.start();
  await eventually(() => pair!.agent.status().online, 20_000, 'first attach');
  return pair;
}

const onlineCount = (p: Pair): number => p.agent.metrics().online ?? 0;

describe('agent recovery against the simulator', () => {
  it.each([
    ['in-process', 'bg96'],
    ['tcp', 'sim7080'],
    ['in-process', 'generic'],
  ] as Array<[Exposure, Dialect]>)('network deactivates the PDP context (%s, %s) → a new session', async (exposure, dialect) => {
    const p = await online(exposure, dialect);
    const before = p.gate.listSessions()[0]!.sessionId;
    p.sim.modem.faults.deactivatePdp();
    await eventually(() => onlineCount(p) === 2, 20_000, 'second attach');
    expect(p.agent.metrics()['losses_pdp-deactivated'] ?? p.agent.metrics().losses_detached).toBeGreaterThanOrEqual(1);
    const sessions = p.gate.listSessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.sessionId).not.toBe(before);
  });

  it('module reboot (RDY) → the agent re-syncs and re-attaches', async () => {
    const p = await online('pty', 'bg96');
    p.sim.modem.faults.reboot();
    await eventually(() => onlineCount(p) === 2, 30_000, 're-attach after reboot');
    expect(p.agent.metrics()['losses_module-restarted']).toBe(1);
    expect(p.agent.status().online).toBe(true);
  });

  it.each(['in-process', 'pty'] as Exposure[])('port dropped and back (%s) → reopened and online', async (exposure) => {
    const p = await online(exposure, 'bg95');
    p.sim.modem.faults.dropPort(1_500);
    await eventually(() => (p.agent.metrics()['losses_port-closed'] ?? 0) >= 1, 10_000, 'port loss seen');
    await eventually(() => onlineCount(p) >= 2, 40_000, 'online after the port came back');
    expect(p.agent.metrics().port_opens).toBeGreaterThanOrEqual(2);
  });

  it('coverage lost → registration lost → back online when coverage returns', async () => {
    const p = await online('in-process', 'generic');
    p.sim.modem.faults.coverage(false);
    await eventually(() => !p.agent.status().online, 10_000, 'offline');
    p.sim.modem.faults.coverage(true);
    await eventually(() => p.agent.status().online, 60_000, 'online again');
    expect(p.agent.metrics()['losses_registration-lost'] ?? p.agent.metrics()['losses_pdp-deactivated']).toBeGreaterThanOrEqual(1);
  });

  it('SIM removed (+CPIN: NOT READY) → offline; SIM back → re-synced and online', async () => {
    const p = await online('in-process', 'bg96');
    p.sim.modem.faults.removeSim();
    await eventually(() => (p.agent.metrics()['losses_sim-removed'] ?? 0) === 1, 10_000, 'SIM loss seen');
    expect(p.agent.status().online).toBe(false);
    p.sim.modem.faults.insertSim();
    await eventually(() => onlineCount(p) >= 2, 60_000, 'online with the SIM back');
  });

  it('attaches through a line full of garbage', async () => {
    pair = await startPair({ dialect: 'sim7080', exposure: 'tcp' });
    const p = pair;
    p.sim.modem.faults.garbage('inject');
    p.agent.start();
    await eventually(() => p.agent.status().online, 30_000, 'online despite garbage');
    expect(p.gate.listSessions()).toHaveLength(1);
  });

  it('a module that stops answering is declared unresponsive by the liveness probe', async () => {
    pair = await startPair({
      dialect: 'bg96',
      exposure: 'in-process',
      configure: (c) => {
        c.session.liveness = { intervalMs: 200, timeoutMs: 200, maxMisses: 2 };
      },
    });
    const p = pair;
    p.agent.start();
    await eventually(() => p.agent.status().online, 20_000, 'online');
    p.sim.modem.faults.mute();
    await eventually(() => (p.agent.metrics().losses_unresponsive ?? 0) === 1, 10_000, 'unresponsive');
    p.sim.modem.faults.unmute();
    await eventually(() => onlineCount(p) >= 2, 60_000, 'online after the module answers again');
  });
});
