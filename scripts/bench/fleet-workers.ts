/**
 * Both cores (target P7): `scenarios/10k.yaml` scaled to N gateways (default 2,000; `10000` for
 * the target itself) run by `cellgate fleet` in one process, and with `--workers 2` (the
 * platform + barrier in one process, the fleet in 2 shard processes on one virtual clock).
 * Baseline in the same run: the single process, alternated with the workers run so both see the
 * same machine. Printed per sample: wall time, CPU seconds of every process (the coordinator and
 * each shard, read from `/proc/<pid>/stat` while they run — the critical path is the busiest
 * one), clock hops / barrier rounds, online count and bill total (the two runs must agree); then
 * min / median of each and the ratio workers ÷ single.
 *
 * Both runs use the P1 command's heap cap (`--max-old-space-size=1100`; the shards inherit it).
 *
 * Run: `npm run build && node dist/scripts/bench/fleet-workers.js [gateways=2000] [workers=2]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { FleetReport } from '../../simulator/fleet/index.js';
import { intArg } from './_fleet-support.js';
import { mm, printMachine, REPEATS, spread } from './_repeat.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'cellgate.js');
/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux). */
const TICKS = 100;

interface Sample {
  wallS: number;
  /** CPU seconds per process: the launched one first, then its children (the shards). */
  cpuS: number[];
  hops: number;
  online: number;
  bill: number;
  events: number;
  ok: boolean;
}

/** `[ppid, utime + stime]` of a process, or undefined once it is gone (or off Linux). */
function stat(pid: number): [number, number] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch {
    return undefined;
  }
}

/** Runs one `cellgate fleet` command; CPU per process sampled every 100 ms until it exits. */
async function runOnce(scenarioPath: string, reportPath: string, extra: readonly string[]): Promise<Sample> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--max-old-space-size=1100', bin, 'fleet', scenarioPath, '--progress', 'none', '--report', reportPath, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  const cpu = new Map<number, number>();
  const sample = (): void => {
    const own = stat(child.pid!);
    if (own) cpu.set(child.pid!, own[1]);
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === child.pid) continue;
      const s = stat(pid);
      if (s && s[0] === child.pid) cpu.set(pid, s[1]);
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  const wallS = (performance.now() - start) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`cellgate fleet ${extra.join(' ')} exited with ${code}`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as FleetReport;
  return {
    wallS,
    cpuS: [...cpu.values()].map((ticks) => ticks / TICKS),
    hops: report.hops,
    online: report.online.atEnd,
    bill: report.billing.total,
    events: report.link.events,
    ok: report.ok,
  };
}

const describe = (name: string, s: Sample): string =>
  `  ${name.padEnd(8)} wall ${s.wallS.toFixed(1)} s; CPU ${s.cpuS.map((c) => c.toFixed(1)).join(' + ')} = ${s.cpuS.reduce((a, b) => a + b, 0).toFixed(1)} s ` +
  `(busiest ${Math.max(...s.cpuS).toFixed(1)} s); ${s.hops} hops/rounds; online ${s.online}; bill ${s.bill}; events ${s.events}; ${s.ok ? 'PASS' : 'FAIL'}`;

async function main(): Promise<void> {
  const gateways = intArg(0, 2000);
  const workers = intArg(1, 2);
  const raw = parseYaml(readFileSync(join(root, 'scenarios', '10k.yaml'), 'utf8')) as { gateways: { count: number } };
  raw.gateways.count = gateways;
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-bench-workers-'));
  const scenarioPath = join(dir, 'scenario.yaml');
  writeFileSync(scenarioPath, stringifyYaml(raw));
  console.log(`fleet-workers: scenarios/10k.yaml with ${gateways} gateways, one process vs --workers ${workers}, ${REPEATS} samples each (alternating)`);
  printMachine('start');
  const single: Sample[] = [];
  const split: Sample[] = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      single.push(await runOnce(scenarioPath, join(dir, 'single.json'), []));
      console.log(describe('single', single.at(-1)!));
      split.push(await runOnce(scenarioPath, join(dir, 'workers.json'), ['--workers', String(workers)]));
      console.log(describe(`workers`, split.at(-1)!));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = { single: spread(single.map((s) => s.wallS)), split: spread(split.map((s) => s.wallS)) };
  const busiest = spread(split.map((s) => Math.max(...s.cpuS)));
  const cpuSingle = spread(single.map((s) => s.cpuS.reduce((a, b) => a + b, 0)));
  const cpuSplit = spread(split.map((s) => s.cpuS.reduce((a, b) => a + b, 0)));
  console.log(`  wall      single ${mm(wall.single, ' s')}; --workers ${workers} ${mm(wall.split, ' s')}`);
  console.log(`  CPU       single ${mm(cpuSingle, ' s')}; --workers ${workers} ${mm(cpuSplit, ' s')} in all, busiest process ${mm(busiest, ' s')}`);
  console.log(`  ratio     wall ${(wall.split.min / wall.single.min).toFixed(2)}× (min/min), ${(wall.split.median / wall.single.median).toFixed(2)}× (median/median), target ≤ 0.6×; ` +
    `busiest process's CPU ÷ single CPU ${(busiest.median / cpuSingle.median).toFixed(2)}× (the floor on 2 free cores)`);
  const online = new Set([...single, ...split].map((s) => s.online));
  console.log(`  same report: online ${online.size === 1 ? `${[...online][0]} in every run` : `DIFFERS (${[...online].join(', ')})`}; ` +
    `bill totals one process ${[...new Set(single.map((s) => s.bill.toFixed(2)))].join(', ')} vs ${[...new Set(split.map((s) => s.bill.toFixed(2)))].join(', ')} ` +
    `(with traffic the billed data follows each agent's own jitter: docs/fleet.md)`);
  printMachine('end');
}

await main();
