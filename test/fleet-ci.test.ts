/**
 * The fleet runner end to end: real agents on simulated modems against an in-process platform,
 * one virtual clock, a simulated month (scenarios/ci-month.yaml), and a scenario whose
 * expectation fails, which must show in the report and the exit code.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run, runScenario } from '../cli/fleet.js';
import { parseScenario, type FleetReport } from '../simulator/fleet/index.js';

describe('fleet runner', () => {
  test('a CI-sized fleet lives through a simulated month and meets its expectations', async () => {
    const scenario = parseScenario(await readFile('scenarios/ci-month.yaml', 'utf8'), 'scenarios/ci-month.yaml');
    const report = await runScenario(scenario, { progress: 'none' });

    expect(report.gateways).toBe(scenario.gateways.count);
    expect(report.simulatedMs).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    // Everyone attached on the cold start; the suspended batch was re-activated and came back.
    expect(report.attach.attached).toBe(scenario.gateways.count);
    expect(report.online.atEnd).toBe(report.online.shouldBeOnline);
    expect(report.online.shouldBeOnline).toBe(scenario.gateways.count);
    expect(report.operator.actions).toMatchObject({ suspend: 25, activate: 25 });
    // Every fault of the timeline hit someone, and every hit gateway came back online.
    for (const kind of ['coverage-loss', 'registration-reject', 'port-drop', 'reboot', 'garbage', 'pdp-deactivation']) {
      expect(report.faults.injected[kind], kind).toBeGreaterThan(0);
      expect(report.faults.recovered[kind], kind).toBe(report.faults.injected[kind]);
    }
    expect(report.reconnects.total).toBeGreaterThan(0);
    expect(report.crashes).toBe(0);
    if (report.billing.available) expect(report.billing.total).toBeGreaterThan(0);
  }, 240_000);

  test('a failed expectation is flagged in the report and gives exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-fleet-'));
    try {
      const scenarioPath = join(dir, 'failing.yaml');
      const reportPath = join(dir, 'report.json');
      await writeFile(
        scenarioPath,
        [
          'name: reject-until-the-end',
          'duration: 6h',
          'gateways: { count: 12, dialects: { bg96: 1, sim7080: 1 } }',
          'timeline:',
          // The network rejects 3 devices until the very end: they cannot be back in time.
          '  - { at: 1h, do: registration-reject, target: { count: 3 }, cause: 15, for: 5h }',
          'expect:',
          '  online: all',
          '  allFaultsRecovered: true',
          '  agentCrashes: 0',
        ].join('\n'),
      );
      const code = await run([scenarioPath, '--report', reportPath, '--progress', 'none']);
      expect(code).toBe(1);
      const report = JSON.parse(await readFile(reportPath, 'utf8')) as FleetReport;
      expect(report.ok).toBe(false);
      const byName = Object.fromEntries(report.expectations.map((e) => [e.name, e]));
      expect(byName.online!.ok).toBe(false);
      expect(report.online).toEqual({ atEnd: 9, shouldBeOnline: 12 });
      expect(byName.allFaultsRecovered!.ok).toBe(false);
      expect(report.faults.injected['registration-reject']).toBe(3);
      expect(report.faults.recovered['registration-reject'] ?? 0).toBe(0);
      expect(byName.agentCrashes!.ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
