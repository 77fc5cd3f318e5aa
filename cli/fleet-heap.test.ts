/**
 * `cellgate fleet` caps V8's old generation to its fleet's size by re-executing itself once
 * (cli/fleet-heap.ts); a cap the user gave wins.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fleetHeapCapMiB, heapFlagToAdd } from './fleet-heap.js';

describe('fleet heap cap', () => {
  test('sized to the gateways, never under 1 GiB', () => {
    expect(fleetHeapCapMiB(10)).toBe(1024);
    expect(fleetHeapCapMiB(10_000)).toBe(1087);
    expect(fleetHeapCapMiB(40_000)).toBeGreaterThan(3_500);
  });

  test("a heap flag of the user's (command line or NODE_OPTIONS) wins; the re-run child never re-runs", () => {
    expect(heapFlagToAdd(10_000, [], {})).toBe('--max-old-space-size=1087');
    expect(heapFlagToAdd(10_000, ['--max-old-space-size=4000'], {})).toBeUndefined();
    expect(heapFlagToAdd(10_000, ['--max_old_space_size=4000'], {})).toBeUndefined();
    expect(heapFlagToAdd(10_000, [], { NODE_OPTIONS: '--trace-gc --max-old-space-size=900' })).toBeUndefined();
    expect(heapFlagToAdd(10_000, [], { CELLGATE_FLEET_HEAP: `${process.ppid} --max-old-space-size=1087` })).toBeUndefined();
    expect(heapFlagToAdd(10_000, [], { CELLGATE_FLEET_HEAP: 'off' })).toBeUndefined();
    // A mark left by a grandparent (a shard spawned by the re-run coordinator): size our own.
    expect(heapFlagToAdd(5_000, [], { CELLGATE_FLEET_HEAP: '1 --max-old-space-size=1087' })).toBe('--max-old-space-size=1024');
  });

  const dir = mkdtempSync(join(tmpdir(), 'cellgate-fleet-heap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = join(dir, 'tiny.yaml');
  writeFileSync(scenario, 'name: tiny\nduration: 10m\ngateways:\n  count: 2\nagent:\n  link: false\nexpect:\n  online: all\n');
  const fleet = (nodeArgs: string[]) =>
    spawnSync(process.execPath, [...nodeArgs, 'bin/cellgate.js', 'fleet', scenario, '--progress', 'none'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

  test('the command runs its fleet under the cap and exits with the fleet\'s code', () => {
    const run = fleet([]);
    expect(run.status, run.stderr).toBe(0);
    const limit = /--max-old-space-size=1024 \(V8 heap limit (\d+) MiB/.exec(run.stderr);
    expect(limit, run.stderr).not.toBeNull();
    // V8's limit is the old generation plus the young one.
    expect(Number(limit![1])).toBeGreaterThanOrEqual(1024);
    expect(Number(limit![1])).toBeLessThan(1024 + 200);
    expect(run.stdout).toMatch(/PASS/);
  });

  test('with a cap given to node, it runs as given', () => {
    const run = fleet(['--max-old-space-size=2000']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/V8 heap limit/);
    expect(run.stdout).toMatch(/PASS/);
  });
});
