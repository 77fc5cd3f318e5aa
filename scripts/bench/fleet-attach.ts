/**
 * Fleet attach: N gateways (simulated modem + real agent, in process, zero modem latency, virtual
 * clock) cold start until all are online, against an in-process platform — wall time, peak RSS
 * and memory per gateway. Baseline in the same run: N bare mqtt.js clients connecting to an
 * aedes broker over TCP (what each gateway will add once the agent has its MQTT link; the agents
 * in this build do not connect to a broker yet, so the ratio compares attach against that).
 *
 * Run: `npm run build && node dist/scripts/bench/fleet-attach.js [gateways=200]`.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { runScenario } from '../../cli/fleet.js';
import { intArg, mib, plainFleet } from './_fleet-support.js';

const gateways = intArg(0, 200);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function mqttBaseline(n: number): Promise<{ wallMs: number; rssDelta: number }> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  gc();
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  const clients = await Promise.all(
    Array.from({ length: n }, (_, i) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-${i}`, reconnectPeriod: 0 })),
  );
  const wallMs = performance.now() - t;
  const rssDelta = process.memoryUsage().rss - rssBefore;
  await Promise.all(clients.map((c) => c.endAsync()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
  return { wallMs, rssDelta };
}

const baseline = await mqttBaseline(gateways);
gc();
const rssBefore = process.memoryUsage().rss;
const t = performance.now();
const report = await runScenario(plainFleet('fleet-attach', gateways, '10m'), { progress: 'none' });
const wallMs = performance.now() - t;
if (!report.ok) {
  console.error('not every gateway came online:', report.online);
  process.exit(1);
}
const perGateway = (report.peakRssBytes - rssBefore) / gateways;
console.log(`fleet attach, ${gateways} gateways (modem + agent each), in-process platform, virtual clock`);
console.log(`  all online in ${(wallMs / 1000).toFixed(2)} s wall (run incl. SIM provisioning over HTTP and 10 min virtual); attach p50 ${report.attach.p50} ms, p99 ${report.attach.p99} ms virtual`);
console.log(`  peak RSS ${mib(report.peakRssBytes)}, ≈ ${mib(perGateway)} per gateway`);
console.log(`baseline: ${gateways} bare mqtt.js clients → aedes over TCP: ${baseline.wallMs.toFixed(0)} ms, ${mib(baseline.rssDelta / gateways)} per client`);
console.log(`ratio: fleet wall / mqtt connect wall = ${(wallMs / baseline.wallMs).toFixed(1)}x; memory per gateway / per mqtt client = ${(perGateway / Math.max(1, baseline.rssDelta / gateways)).toFixed(1)}x`);
