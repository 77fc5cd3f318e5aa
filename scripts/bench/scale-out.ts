/**
 * Scale-out: API throughput of `cellgate platform` processes on PostgreSQL — one process, then
 * two sharing the database — against the embedded SQLite store (the baseline), in the same run.
 * Every platform is its own `node bin/cellgate.js platform` process; this process is only the
 * load generator (autocannon, 50 connections split over two instances: against both processes
 * in the two-process case, against the one process otherwise). PostgreSQL is a throwaway cluster
 * with fsync on (as SQLite's synchronous=FULL). Workloads: getSubscriber, and a status change
 * (deactivate / activate: a write transaction with history appends). Each figure is repeated
 * (default 3 times) and printed as min / median, with the machine's load.
 *
 * Run: `npm run build && node dist/scripts/bench/scale-out.js [seconds=3] [repeats=3]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { OperatorClient } from '../../simulator/fleet/index.js';
import { startPostgresCluster } from '../support/postgres-cluster.js';
import { intArg } from './_fleet-support.js';

const seconds = intArg(0, 3);
const repeats = intArg(1, 3);
const CONNECTIONS = 50;
const SIMS = 200;
const bin = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'cellgate.js');

interface Platform {
  url: string;
  proc: ChildProcess;
}

async function startPlatform(store: string[]): Promise<Platform> {
  const proc = spawn(process.execPath, [bin, 'platform', ...store, '--port', '0', '--mqtt-port', '0', '--smdp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'error' } });
  let out = '';
  return new Promise((resolvePlatform, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolvePlatform({ url: m[1]!, proc });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => reject(new Error(`platform exited ${code}: ${out}`)));
  });
}

async function stop(p: Platform): Promise<void> {
  if (p.proc.exitCode !== null) return;
  const exited = new Promise((r) => p.proc.once('exit', r));
  p.proc.kill('SIGTERM');
  await exited;
}

interface Fixture {
  headers: Record<string, string>;
  sims: string[];
}

async function provision(url: string): Promise<Fixture> {
  const op = new OperatorClient(url);
  await op.init('bench@cellgate.test', 'bench-password');
  const sims: string[] = [];
  for (let i = 0; i < SIMS; i++) {
    const sim = await op.createSim('plan01s');
    await op.act(sim.imsi, 'activate');
    sims.push(sim.imsi);
  }
  const response = await fetch(`${url}/v1/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@cellgate.test', password: 'bench-password' }) });
  const auth = (await response.json()) as { apiKey: string; token: string };
  return { headers: { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token, 'content-type': 'application/json' }, sims };
}

type Workload = 'getSubscriber' | 'statusChange';

/** Requests/s of one workload over `urls` (50 connections split in two instances), errors counted. */
async function measure(urls: string[], f: Fixture, workload: Workload): Promise<{ rps: number; errors: number; p99: number }> {
  const active = new Map(f.sims.map((s) => [s, true]));
  let n = 0;
  const request = (): autocannon.Request =>
    workload === 'getSubscriber'
      ? { method: 'GET', headers: f.headers, setupRequest: (r) => ({ ...r, path: `/v1/subscribers/${f.sims[n++ % f.sims.length]}` }) }
      : {
          method: 'POST',
          headers: f.headers,
          body: '{}',
          setupRequest: (r) => {
            const imsi = f.sims[n++ % f.sims.length]!;
            const on = active.get(imsi)!;
            active.set(imsi, !on);
            return { ...r, path: `/v1/subscribers/${imsi}/${on ? 'deactivate' : 'activate'}` };
          },
        };
  const targets = [urls[0]!, urls[1] ?? urls[0]!];
  const results = await Promise.all(targets.map((url) => autocannon({ url, connections: CONNECTIONS / 2, duration: seconds, requests: [request()] })));
  return {
    rps: results.reduce((s, r) => s + r.requests.average, 0),
    errors: results.reduce((s, r) => s + r.non2xx, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

const stats = (xs: number[]): { min: number; median: number } => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]! };
};
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

console.log(`scale-out: API throughput, ${CONNECTIONS} connections, ${seconds} s per run, ${repeats} runs each; load before ${load()}`);
const cluster = await startPostgresCluster({ fsync: true });
const sqliteDir = mkdtempSync(join(tmpdir(), 'cellgate-bench-sqlite-'));
const figures = new Map<string, number>();
try {
  const setups: { name: string; start: () => Promise<Platform[]> }[] = [
    { name: 'SQLite, 1 process (baseline)', start: async () => [await startPlatform(['--data-dir', sqliteDir])] },
    {
      name: 'PostgreSQL, 1 process',
      start: async () => [await startPlatform(['--store', await cluster.createDatabase('bench_one')])],
    },
    {
      name: 'PostgreSQL, 2 processes',
      start: async () => {
        const url = await cluster.createDatabase('bench_two');
        const first = await startPlatform(['--store', url]);
        return [first, await startPlatform(['--store', url])];
      },
    },
  ];
  for (const setup of setups) {
    const platforms = await setup.start();
    const fixture = await provision(platforms[0]!.url);
    for (const workload of ['getSubscriber', 'statusChange'] as const) {
      const runs: number[] = [];
      let errors = 0;
      let p99 = 0;
      for (let i = 0; i < repeats; i++) {
        const r = await measure(platforms.map((p) => p.url), fixture, workload);
        runs.push(r.rps);
        errors += r.errors;
        p99 = Math.max(p99, r.p99);
      }
      const s = stats(runs);
      figures.set(`${setup.name}/${workload}`, s.median);
      console.log(`  ${setup.name.padEnd(30)} ${workload.padEnd(13)} min ${s.min.toFixed(0)} req/s, median ${s.median.toFixed(0)} req/s, worst p99 ${p99} ms${errors ? `, ${errors} errors` : ''} (load ${load()})`);
    }
    await Promise.all(platforms.map(stop));
  }
  for (const workload of ['getSubscriber', 'statusChange']) {
    const base = figures.get(`SQLite, 1 process (baseline)/${workload}`)!;
    const one = figures.get(`PostgreSQL, 1 process/${workload}`)!;
    const two = figures.get(`PostgreSQL, 2 processes/${workload}`)!;
    console.log(`ratio ${workload}: PostgreSQL 1 process ${(one / base).toFixed(2)}x of SQLite, 2 processes ${(two / base).toFixed(2)}x of SQLite (${(two / one).toFixed(2)}x of 1 process)`);
  }
} finally {
  await cluster.stop();
  rmSync(sqliteDir, { recursive: true, force: true });
}
