/**
 * Time travel (target P6): the CI-month scenario (`scenarios/ci-month.yaml`: link on, operator
 * actions, network events, faults, eSIM switches, a ready transfer) scaled to N gateways (default
 * 1,000) for D simulated days (default 30) on one virtual clock — wall time, clock hops, speed-up
 * against real time. Baseline in the same run: the same span with the platform alone (no
 * gateways), the fixed cost of moving the clock and running the platform's jobs.
 *
 * Each sample runs in a fresh process, `REPEATS` times; min / median printed.
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/time-travel.js [gateways=1000] [days=30]`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import { VirtualClock } from '../../common/clock.js';
import { startPlatform } from '../../platform/index.js';
import { runScenario } from '../../cli/fleet.js';
import { validateScenario } from '../../simulator/fleet/index.js';
import { intArg, mib } from './_fleet-support.js';
import { childSample, mm, printMachine, REPEATS, spreads } from './_repeat.js';

const DAY = 86_400_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Sample {
  wallMs: number;
  baselineMs: number;
  hops: number;
  peakRss: number;
  online: number;
  gateways: number;
  fees: number;
  ok: boolean;
  failed: string[];
}

async function child(gateways: number, days: number): Promise<Sample> {
  const clock = new VirtualClock();
  const platform = await startPlatform({ dataDir: ':memory:', clock });
  let t = performance.now();
  await platform.scheduler.advance(clock, days * DAY);
  const baselineMs = performance.now() - t;
  await platform.close();

  const raw = parseYaml(readFileSync(join(root, 'scenarios', 'ci-month.yaml'), 'utf8')) as {
    duration: string;
    gateways: { count: number };
    timeline: Array<{ at: string }>;
  };
  raw.gateways.count = gateways;
  raw.duration = `${days}d`;
  raw.timeline = raw.timeline.filter((e) => Number.parseInt(e.at, 10) < days);
  const scenario = validateScenario(raw, 'ci-month (scaled)');
  t = performance.now();
  const report = await runScenario(scenario, { progress: 'none' });
  const wallMs = performance.now() - t;
  return {
    wallMs, baselineMs, hops: report.hops, peakRss: report.peakRssBytes, online: report.online.atEnd, gateways: report.gateways,
    fees: report.billing.available ? Number(report.billing.total) : 0, ok: report.ok,
    failed: report.expectations.filter((e) => !e.ok && !e.skipped).map((e) => `${e.name}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`),
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(process.argv[3]), Number(process.argv[4])))}\n`);
  process.exit(0);
} else {
  const gateways = intArg(0, 1000);
  const days = intArg(1, 30);
  console.log(`time travel: ci-month scenario scaled to ${gateways} gateways × ${days} simulated days on one virtual clock; ${REPEATS} samples, each in a fresh process`);
  printMachine('start');
  const samples: Sample[] = [];
  for (let r = 0; r < REPEATS; r++) samples.push(childSample<Sample>(fileURLToPath(import.meta.url), ['--child', String(gateways), String(days)]));
  const s = spreads(samples, ['wallMs', 'baselineMs', 'hops', 'peakRss']);
  const toS = (x: (typeof s)['wallMs']): typeof x => ({ ...x, min: x.min / 1000, median: x.median / 1000 });
  console.log(`  wall ${mm(toS(s.wallMs), ' s')} (target P6 ≤ 60 s for 1,000 × 30 days); clock hops median ${s.hops.median}; peak RSS median ${mib(s.peakRss.median)}`);
  console.log(`  ${(days * DAY / s.wallMs.median).toFixed(0)}× faster than real time; per gateway-day ${((s.wallMs.median / gateways / days) * 1000).toFixed(0)} µs wall (median)`);
  for (const x of samples) console.log(`  sample: ${x.online}/${x.gateways} online at the end, fees ${x.fees}, ${x.ok ? 'every expectation held' : `FAILED ${x.failed.join('; ')}`}`);
  console.log(`baseline: platform alone, same span: ${mm(s.baselineMs, ' ms', 0)}`);
  console.log(`ratio (medians): fleet / platform alone = ${(s.wallMs.median / Math.max(1, s.baselineMs.median)).toFixed(0)}x`);
  printMachine('end');
  if (samples.some((x) => !x.ok)) process.exit(1);
}
