/**
 * End to end: the real agent attaches a real simulated modem to online over each transport, and
 * closes its data session politely on stop (the network gate sees the session come and go).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startPair, type Dialect, type Exposure, type Pair } from './support/agent-harness.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe.each([
  ['pty', 'bg96'],
  ['tcp', 'sim7080'],
  ['in-process', 'generic'],
  ['in-process', 'bg95'],
] as Array<[Exposure, Dialect]>)('agent over %s with a %s module', (exposure, dialect) => {
  it('attaches to online with an address the network granted, then detaches on stop', async () => {
    pair = await startPair({ dialect, exposure });
    pair.agent.start();
    await eventually(() => pair!.agent.status().online, 20_000, 'online');
    const status = pair.agent.status();
    expect(status.dialect).toBe(dialect);
    const sessions = pair.gate.listSessions();
    expect(sessions).toHaveLength(1);
    expect(status.ip).toBe(sessions[0]!.ueIpAddress);
    expect(status.imsi).toBe(sessions[0]!.imsi);
    expect(status.imei).toBe(pair.sim.modem.status().imei);
    expect(status.iccid).toBe(pair.sim.modem.status().iccid);
    expect(status.registration?.stat === 1 || status.registration?.stat === 5).toBe(true);
    await pair.agent.stop();
    expect(pair.gate.listSessions()).toHaveLength(0);
  });
});
