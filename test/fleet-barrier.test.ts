/**
 * One scenario on ONE virtual clock, run once in one process and once spread over 2 shard
 * processes (`cellgate fleet --workers 2`: platform + barrier here, the gateways in two child
 * processes over HTTP and MQTT): the same report — every gateway online, the same operator
 * actions, the same bill. `npm test` builds `dist/` first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../cli/fleet.js';
import { parseScenario, type FleetReport } from '../simulator/fleet/index.js';
import { builtCli } from './support/process-stack.js';
import { projectRoot } from './support/built.js';

const SCENARIO = `
name: barrier-equivalence
seed: 11
duration: 2d
gateways:
  count: 24
  dialects: { bg96: 2, sim7080: 1, generic: 1 }
  latency: { zero: 3, fast: 1 }
  plans: { plan01s: 1 }
  trafficBytesPerHour: 0    # bills from status days only: data usage would depend on wall-clock timing
  startSpread: 2m
agent:
  link: true
  statusIntervalMs: 6h
  liveness: { intervalMs: 6h }
modem:
  usageReportIntervalMs: 6h
platform:
  sessionIdleTimeoutMs: 12h
timeline:
  - { at: 12h, do: suspend, target: 25%, as: late }
  - { at: 1d, do: activate, target: { group: late } }
  - { at: 1d6h, do: deactivate, target: 25%, as: off }
expect:
  online: all
  agentCrashes: 0
  statusOnline: true
  noDuplicateEvents: true
`;

const dir = mkdtempSync(join(tmpdir(), 'cellgate-fleet-barrier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cellgate(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'cellgate.js'), ...args], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!builtCli)('shards on one virtual clock (barrier)', () => {
  it('2 shard processes report what one process reports: online counts, actions, bill total', { timeout: 300_000 }, async () => {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, SCENARIO);
    const single = await runScenario(parseScenario(SCENARIO, file), { progress: 'none' });
    const out = join(dir, 'workers.json');
    const run = await cellgate(['fleet', file, '--workers', '2', '--progress', 'none', '--report', out]);
    expect(run.code, run.stderr).toBe(0);
    const sharded = JSON.parse(readFileSync(out, 'utf8')) as FleetReport;

    expect(single.ok).toBe(true);
    expect(sharded.ok).toBe(true);
    expect(sharded.shards).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    expect(sharded.gateways).toBe(single.gateways);
    expect(sharded.simulatedMs).toBe(single.simulatedMs);
    expect(sharded.online).toEqual(single.online);
    expect(sharded.operator.actions).toEqual(single.operator.actions);
    expect(sharded.link.statusOnline).toBe(single.link.statusOnline);
    expect(sharded.billing.available).toBe(true);
    expect(String(sharded.billing.total)).toBe(String(single.billing.total));
    expect(Number(single.billing.total)).toBeGreaterThan(0);
  });
});
