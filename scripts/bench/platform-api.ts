/**
 * Platform API: `GET /v1/subscribers/{imsi}` and a status change (deactivate / activate, toggling
 * over 500 SIMs) at 50 concurrent connections with autocannon, against the real platform
 * (SQLite in memory, auth on every call). Baseline in the same run: a bare fastify route
 * answering a constant JSON object, in the same process setup.
 *
 * Run: `npm run build && node dist/scripts/bench/platform-api.js [seconds=5]`.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startPlatform } from '../../platform/index.js';
import { OperatorClient } from '../../simulator/fleet/index.js';
import { intArg } from './_fleet-support.js';

const seconds = intArg(0, 5);
const CONNECTIONS = 50;

async function cannon(title: string, options: autocannon.Options): Promise<autocannon.Result> {
  const result = await autocannon({ connections: CONNECTIONS, duration: seconds, ...options });
  const non2xx = result.non2xx;
  console.log(
    `  ${title}: ${result.requests.average.toFixed(0)} req/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms, ${result.requests.total} requests${non2xx ? `, ${non2xx} non-2xx` : ''}`,
  );
  return result;
}

const bare = Fastify();
bare.get('/bare', async () => ({ imsi: '295050000000001', status: 'active' }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;

const platform = await startPlatform({ dataDir: ':memory:', http: { port: 0 } });
const op = new OperatorClient(platform.url);
await op.init('bench@cellgate.test', 'bench-password');
const sims: string[] = [];
for (let i = 0; i < 500; i++) {
  const sim = await op.createSim('plan01s');
  await op.act(sim.imsi, 'activate');
  sims.push(sim.imsi);
}
const auth = await (await fetch(`${platform.url}/v1/auth`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'bench@cellgate.test', password: 'bench-password' }),
})).json() as { apiKey: string; token: string };
const headers = { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token, 'content-type': 'application/json' };

console.log(`platform API at ${CONNECTIONS} connections, ${seconds} s each`);
const base = await cannon('baseline: bare fastify route', { url: `${bareUrl}/bare` });
let n = 0;
const get = await cannon('getSubscriber', {
  url: platform.url,
  requests: [{ method: 'GET', headers, setupRequest: (r) => ({ ...r, path: `/v1/subscribers/${sims[n++ % sims.length]}` }) }],
});
const active = new Map(sims.map((s) => [s, true]));
let m = 0;
const change = await cannon('status change (deactivate/activate)', {
  url: platform.url,
  requests: [
    {
      method: 'POST',
      headers,
      body: '{}',
      setupRequest: (r) => {
        const imsi = sims[m++ % sims.length]!;
        const on = active.get(imsi)!;
        active.set(imsi, !on);
        return { ...r, path: `/v1/subscribers/${imsi}/${on ? 'deactivate' : 'activate'}` };
      },
    },
  ],
});
console.log(
  `ratio: getSubscriber ${(get.requests.average / base.requests.average).toFixed(2)}x of bare fastify throughput; status change ${(change.requests.average / base.requests.average).toFixed(2)}x`,
);
await platform.close();
await bare.close();
