/**
 * Platform API: `GET /v1/subscribers/{imsi}` and a durable status change (deactivate / activate,
 * toggling over 500 SIMs) at 50 concurrent connections, against the real platform on a FILE store
 * (SQLite WAL, `synchronous = FULL`: a change is acknowledged only after its commit is on disk),
 * auth on every call. Baseline in the same run: a bare fastify route answering a constant JSON
 * object, served by the same process.
 *
 * The load generator (autocannon) runs in its own process, so it does not share the server's
 * event loop; each case is measured `REPEATS` times, min / median printed.
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/platform-api.js [seconds=5]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startPlatform } from '../../platform/index.js';
import { OperatorClient } from '../../simulator/fleet/index.js';
import { intArg } from './_fleet-support.js';
import { mm, printMachine, REPEATS, spreads } from './_repeat.js';

const CONNECTIONS = 50;

interface LoadPlan {
  url: string;
  mode: 'bare' | 'get' | 'change';
  seconds: number;
  headers?: Record<string, string>;
  sims?: string[];
}
interface LoadResult {
  rps: number;
  /** Server CPU (user + system, this process) per request, µs: what the machine's load moves least. */
  cpuUs: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
}

/** The load generator's process: runs one autocannon case and prints its figures. */
async function loadChild(plan: LoadPlan): Promise<LoadResult> {
  const sims = plan.sims ?? [];
  const headers = plan.headers ?? {};
  let request: autocannon.Request;
  if (plan.mode === 'bare') request = { method: 'GET', path: '/bare' };
  else if (plan.mode === 'get') {
    let n = 0;
    request = { method: 'GET', headers, setupRequest: (r) => ({ ...r, path: `/v1/subscribers/${sims[n++ % sims.length]}` }) };
  } else {
    // Start from the SIMs' current statuses, then toggle each in turn.
    const active = new Map<string, boolean>();
    for (const imsi of sims) {
      const sub = (await (await fetch(`${plan.url}/v1/subscribers/${imsi}`, { headers })).json()) as { status: string };
      active.set(imsi, sub.status === 'active');
    }
    let m = 0;
    request = {
      method: 'POST',
      headers,
      body: '{}',
      setupRequest: (r) => {
        const imsi = sims[m++ % sims.length]!;
        const on = active.get(imsi)!;
        active.set(imsi, !on);
        return { ...r, path: `/v1/subscribers/${imsi}/${on ? 'deactivate' : 'activate'}` };
      },
    };
  }
  const result = await autocannon({ url: plan.url, connections: CONNECTIONS, duration: plan.seconds, requests: [request] });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total, non2xx: result.non2xx, cpuUs: 0 };
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(await loadChild(JSON.parse(process.argv[3]!) as LoadPlan))}\n`);
  process.exit(0);
}

const seconds = intArg(0, 5);
const self = fileURLToPath(import.meta.url);
/** Runs one case in the load generator's process; the servers stay in this one. */
const load = async (plan: LoadPlan): Promise<LoadResult> => {
  // spawnSync would block this process's event loop (the server's); run the child asynchronously.
  const { spawn } = await import('node:child_process');
  const cpu = process.cpuUsage();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, [self, '--child', JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
  const used = process.cpuUsage(cpu);
  return { ...result, cpuUs: (used.user + used.system) / Math.max(1, result.total) };
};


const bare = Fastify();
bare.get('/bare', async () => ({ imsi: '295050000000001', status: 'active' }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;

const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-bench-api-'));
const platform = await startPlatform({ dataDir, http: { port: 0 } });
const op = new OperatorClient(platform.url);
await op.init('bench@cellgate.test', 'bench-password');
const sims: string[] = [];
for (let i = 0; i < 500; i++) {
  const sim = await op.createSim('plan01s');
  await op.act(sim.imsi, 'activate');
  sims.push(sim.imsi);
}
const auth = (await (
  await fetch(`${platform.url}/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@cellgate.test', password: 'bench-password' }),
  })
).json()) as { apiKey: string; token: string };
const headers = { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token, 'content-type': 'application/json' };

console.log(`platform API at ${CONNECTIONS} connections, ${seconds} s per sample, ${REPEATS} samples per case; load generator in its own process; platform store: a file (SQLite WAL, synchronous=FULL) in ${tmpdir()}`);
printMachine('start');
const results: Record<'bare' | 'get' | 'change', LoadResult[]> = { bare: [], get: [], change: [] };
for (let r = 0; r < REPEATS; r++) {
  results.bare.push(await load({ url: bareUrl, mode: 'bare', seconds }));
  results.get.push(await load({ url: platform.url, mode: 'get', seconds, headers, sims }));
  results.change.push(await load({ url: platform.url, mode: 'change', seconds, headers, sims }));
}
const keys = ['rps', 'p50', 'p99', 'cpuUs'] as const;
const s = { bare: spreads(results.bare, keys), get: spreads(results.get, keys), change: spreads(results.change, keys) };
const errors = (rs: LoadResult[]): string => {
  const n = rs.reduce((a, x) => a + x.non2xx, 0);
  return n > 0 ? `, ${n} non-2xx!` : '';
};
console.log(`  baseline: bare fastify route: ${mm(s.bare.rps, ' req/s', 0)}, p99 median ${s.bare.p99.median} ms${errors(results.bare)}`);
console.log(`  getSubscriber: ${mm(s.get.rps, ' req/s', 0)}, p50 median ${s.get.p50.median} ms, p99 median ${s.get.p99.median} ms${errors(results.get)}`);
console.log(`  status change (deactivate/activate, durable): ${mm(s.change.rps, ' req/s', 0)}, p50 median ${s.change.p50.median} ms, p99 median ${s.change.p99.median} ms${errors(results.change)}`);
console.log(
  `  server CPU per request (user + system): bare ${mm(s.bare.cpuUs, ' µs')}, getSubscriber ${mm(s.get.cpuUs, ' µs')} (ratio bare / getSubscriber ${(s.bare.cpuUs.median / s.get.cpuUs.median).toFixed(2)}x), status change ${mm(s.change.cpuUs, ' µs')}`,
);
console.log(
  `ratio (medians): getSubscriber ${(s.get.rps.median / s.bare.rps.median).toFixed(2)}x of bare fastify (target P4 ≥ 0.5x); status change ${(s.change.rps.median / s.bare.rps.median).toFixed(2)}x; durable status changes ${s.change.rps.median.toFixed(0)}/s (target ≥ 2,000/s)`,
);
printMachine('end');
await platform.close();
await bare.close();
rmSync(dataDir, { recursive: true, force: true });
