/**
 * End to end, per module added from real captures: the real agent against the real simulator
 * speaking that module's dialect — it identifies the module, attaches the way the module wants
 * (docs/modems.md), notices the module's own loss signal, and recovers from a reset.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startPair, type Dialect, type Pair } from './support/agent-harness.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const onlineCount = (p: Pair): number => p.agent.metrics().online ?? 0;

async function online(dialect: Dialect, configure?: Parameters<typeof startPair>[0]['configure']): Promise<Pair> {
  pair = await startPair({ dialect, exposure: 'in-process', ...(configure ? { configure } : {}) });
  pair.agent.start();
  await eventually(() => pair!.agent.status().online, 20_000, `${dialect} online`);
  return pair;
}

const cases: Array<[Dialect, { dialect: string; model: RegExp; pdpCid: number }]> = [
  ['ec25', { dialect: 'ec25', model: /EG25/, pdpCid: 1 }],
  ['sim7600', { dialect: 'sim7600', model: /SIM7600/, pdpCid: 1 }],
  ['sara-r4', { dialect: 'sara-r4', model: /SARA-R412M/, pdpCid: 1 }],
  ['sara-r5', { dialect: 'sara-r5', model: /SARA-R510/, pdpCid: 1 }],
  ['me910', { dialect: 'me910', model: /ME910/, pdpCid: 1 }],
  ['nrf91', { dialect: 'nrf91', model: /nRF9160/, pdpCid: 0 }],
];

describe.each(cases)('%s end to end', (dialect, expected) => {
  it('identifies the module and attaches its way', async () => {
    const p = await online(dialect);
    const status = p.agent.status();
    expect(status.dialect).toBe(expected.dialect);
    expect(status.model).toMatch(expected.model);
    expect(status.ip).toMatch(/^10\.\d+\.\d+\.\d+$/);
    const sessions = p.gate.listSessions();
    expect(sessions).toHaveLength(1);
    expect(p.sim.modem.status().sessions[0]!.cid).toBe(expected.pdpCid);
  });

  it('the network drops the session → the agent sees it and attaches again', async () => {
    const p = await online(dialect);
    const before = p.gate.listSessions()[0]!.sessionId;
    p.sim.modem.faults.deactivatePdp();
    await eventually(() => onlineCount(p) === 2, 30_000, 'second attach');
    const m = p.agent.metrics();
    expect((m['losses_pdp-deactivated'] ?? 0) + (m.losses_detached ?? 0) + (m['losses_registration-lost'] ?? 0)).toBeGreaterThanOrEqual(1);
    expect(p.gate.listSessions()[0]!.sessionId).not.toBe(before);
  });

  it('the module reboots → the agent notices (boot URC, or the echo coming back) and is online again', async () => {
    const p = await online(dialect, (c) => {
      // A silent reboot (no boot URC) is noticed on the next command: let the liveness probe send one soon.
      c.session.liveness = { intervalMs: 300, timeoutMs: 2_000, maxMisses: 3 };
    });
    p.sim.modem.faults.reboot();
    await eventually(() => onlineCount(p) >= 2, 40_000, 're-attach after the reboot');
    expect(p.agent.metrics()['losses_module-restarted']).toBeGreaterThanOrEqual(1);
  });

  it('a requested module reset uses the module\'s own reset and comes back online', async () => {
    const p = await online(dialect);
    expect(p.agent.driver.requestReconnect('reset')).toBe(true);
    await eventually(() => onlineCount(p) >= 2, 40_000, 'online after the reset');
    expect(p.agent.metrics().module_resets).toBe(1);
  });
});

describe('3G fallback (+CGREG decides when +CEREG says 0)', () => {
  it.each(['ec25', 'sim7600', 'sara-r4'] as Dialect[])('%s on UTRAN attaches and stays online', async (dialect) => {
    pair = await startPair({ dialect, exposure: 'in-process' });
    const p = pair;
    expect(p.sim.modem.setServingRat('utran')).toBe(true);
    p.agent.start();
    await eventually(() => p.agent.status().online, 20_000, 'online on UTRAN');
    expect(p.agent.status().registration).toMatchObject({ domain: 'ps', stat: 1, act: 2 });
    // Back on LTE: +CEREG registered again, nothing lost.
    p.sim.modem.setServingRat('eutran');
    await eventually(() => p.agent.status().registration?.domain === 'eps', 20_000, 'registered on LTE again');
    expect(p.agent.status().online).toBe(true);
    expect(onlineCount(p)).toBe(1);
  });
});
