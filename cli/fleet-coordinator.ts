/**
 * `cellgate fleet <scenario> --workers N` / `--coordinate N`: the platform (on the run's ONE
 * virtual clock) and the barrier in this process; the fleet in N shard processes, each
 * `cellgate fleet <scenario> --platform URL --network-token T --barrier HOST:PORT --shard i/N`,
 * which this process spawns (`--workers`) or which are started elsewhere (`--coordinate`).
 * docs/fleet.md, "Shards on one virtual clock".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../common/clock.js';
import { STREAMS } from '../platform/app/context.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { readOnly } from '../platform/store/port.js';
import { BarrierCoordinator, mergeReports, type FleetReport, type Scenario } from '../simulator/fleet/index.js';
import { fleetPlatformOptions } from './fleet-platform.js';

export interface CoordinateOptions {
  /** The scenario file the shard processes read. */
  scenarioPath: string;
  shards: number;
  /** Spawn the shard processes here (`--workers`); otherwise wait for shards started elsewhere. */
  spawnWorkers: boolean;
  dataDir: string;
  logLevel: string;
  progress: 'auto' | 'bar' | 'lines' | 'none';
  httpPort?: number;
  barrierPort?: number;
}

/** `bin/cellgate.js` of this package (source and `dist/` layouts). */
function cellgateBin(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'bin', 'cellgate.js'), join(here, '..', '..', 'bin', 'cellgate.js')]) if (existsSync(candidate)) return candidate;
  throw new Error('bin/cellgate.js not found');
}

/**
 * The sequence of the platform's latest network order (session deletes and short messages share
 * the store's one sequence). A store of this process alone notifies a listener before the commit's
 * caller goes on, so the figure is re-read only after such a notice; a store shared with other
 * processes (their notices arrive late) is read every time.
 */
function orderStreamEnd(platform: RunningPlatform): () => Promise<number> {
  const { store } = platform;
  let end: number | undefined;
  let generation = 0;
  const stale = (): void => {
    generation++;
    end = undefined;
  };
  const listening = Promise.all([store.listen(STREAMS.sessionDeleteOrders, stale), store.listen(STREAMS.smsDeliverOrders, stale)]);
  return async () => {
    await listening;
    if (end !== undefined && !store.shared) return end;
    const before = generation;
    const [deletes, sms] = await readOnly(store, async (tx) => [
      await tx.readStream(STREAMS.sessionDeleteOrders, { descending: true, limit: 1 }),
      await tx.readStream(STREAMS.smsDeliverOrders, { descending: true, limit: 1 }),
    ] as const);
    const read = Math.max(deletes[0]?.seq ?? 0, sms[0]?.seq ?? 0);
    if (generation === before) end = read;
    return read;
  };
}

/** Runs the coordinator; with `spawnWorkers`, returns the merged report of the shards. */
export async function coordinate(scenario: Scenario, options: CoordinateOptions): Promise<FleetReport | undefined> {
  const wallStart = performance.now();
  const clock = new VirtualClock();
  const platform = await startPlatform({ ...fleetPlatformOptions(scenario, clock, true, options.dataDir), http: { port: options.httpPort ?? 0 } });
  const barrier = await BarrierCoordinator.start({
    clock,
    advance: (ms) => platform.scheduler.advance(clock, ms),
    ordersEnd: orderStreamEnd(platform),
    shards: options.shards,
    ...(options.barrierPort !== undefined ? { port: options.barrierPort } : {}),
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
  const shardArgs = (i: number, report?: string): string[] => [
    'fleet', options.scenarioPath, '--platform', platform.url, '--network-token', platform.networkToken, '--barrier', barrier.address,
    '--shard', `${i}/${options.shards}`, '--log-level', options.logLevel, '--progress', options.progress === 'lines' ? 'lines' : 'none',
    ...(report ? ['--report', report] : []),
  ];
  try {
    if (!options.spawnWorkers) {
      console.error(`cellgate fleet: coordinating ${options.shards} shards on one virtual clock; start each with`);
      for (let i = 1; i <= options.shards; i++) console.error(`  cellgate ${shardArgs(i, `shard-${i}.json`).join(' ')}`);
      console.error('then merge their reports with `cellgate fleet merge shard-*.json`');
      await barrier.allDone;
      return undefined;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cellgate-fleet-workers-'));
    try {
      const bin = cellgateBin();
      const exits = Array.from({ length: options.shards }, (_, k) => {
        const report = join(dir, `shard-${k + 1}.json`);
        // The shards run with this process's node flags (a heap cap, --cpu-prof).
        const child = spawn(process.execPath, [...process.execArgv, bin, ...shardArgs(k + 1, report)], { stdio: ['ignore', 'ignore', 'inherit'] });
        return new Promise<string>((resolve, reject) => {
          child.once('error', reject);
          // Exit 1 is "an expectation failed": the shard's report says which.
          child.once('exit', (code, signal) => (code === 0 || code === 1 ? resolve(report) : reject(new Error(`shard ${k + 1} exited with ${code ?? signal}`))));
        });
      });
      const reports = (await Promise.all(exits)).map((file) => JSON.parse(readFileSync(file, 'utf8')) as FleetReport);
      const merged = mergeReports(reports);
      // The run's wall time is this process's; memory is every process's together.
      merged.wallMs = Math.round(performance.now() - wallStart);
      merged.peakRssBytes = reports.reduce((sum, r) => sum + r.peakRssBytes, Math.max(peakRss, process.memoryUsage().rss));
      return merged;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    clearInterval(sampler);
    await barrier.close();
    await platform.close();
  }
}
