/**
 * Time travel: a fleet on the virtual clock for a simulated span (default 1,000 gateways for 7
 * days; `time-travel.js 1000 30` for the full month) — wall time, clock hops, speed-up against
 * real time. Baseline in the same run: the same span with the platform alone (no gateways), the
 * fixed cost of moving the clock and running the platform's scheduled jobs.
 *
 * Run: `npm run build && node dist/scripts/bench/time-travel.js [gateways=1000] [days=7]`.
 */
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../common/clock.js';
import { startPlatform } from '../../platform/index.js';
import { runScenario } from '../../cli/fleet.js';
import { intArg, mib, plainFleet } from './_fleet-support.js';

const gateways = intArg(0, 1000);
const days = intArg(1, 7);
const span = days * 86_400_000;

const clock = new VirtualClock();
const platform = await startPlatform({ dataDir: ':memory:', clock });
let t = performance.now();
await platform.scheduler.advance(clock, span);
const baselineMs = performance.now() - t;
await platform.close();

t = performance.now();
const report = await runScenario(plainFleet('time-travel', gateways, `${days}d`), { progress: 'none' });
const wallMs = performance.now() - t;
console.log(`time travel: ${gateways} gateways × ${days} simulated days on one virtual clock`);
console.log(`  wall ${(wallMs / 1000).toFixed(1)} s (${report.hops} clock hops), ${(span / wallMs).toFixed(0)}× faster than real time, peak RSS ${mib(report.peakRssBytes)}`);
console.log(`  ${report.online.atEnd}/${report.gateways} online at the end, ${report.reconnects.total} reconnects, fees ${report.billing.available ? report.billing.total : 'n/a'}`);
console.log(`  per gateway-day: ${((wallMs / gateways / days) * 1000).toFixed(0)} µs wall`);
console.log(`baseline: platform alone, same span: ${baselineMs.toFixed(0)} ms`);
console.log(`ratio: fleet / platform alone = ${(wallMs / Math.max(1, baselineMs)).toFixed(0)}x`);
if (!report.ok) process.exit(1);
