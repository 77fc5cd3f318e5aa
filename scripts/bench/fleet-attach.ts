/**
 * Fleet attach: N gateways (simulated modem + real agent, in process, zero modem latency, virtual
 * clock) cold start until all are online, against an in-process platform — wall time, peak RSS
 * and memory per gateway — once with every agent's MQTT link to the platform's broker and once
 * without. Baseline in the same run: N bare mqtt.js clients, each with its own registered device
 * credentials, connecting to a platform's embedded broker (same broker code, same auth) over TCP.
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/fleet-attach.js [gateways=200]`.
 */
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { runScenario } from '../../cli/fleet.js';
import { startPlatform } from '../../platform/index.js';
import { intArg, mib, plainFleet } from './_fleet-support.js';

const gateways = intArg(0, 200);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function mqttBaseline(n: number): Promise<{ wallMs: number; rssDelta: number }> {
  const platform = await startPlatform({ dataDir: ':memory:' });
  const creds = [];
  for (let i = 0; i < n; i++) creds.push(await platform.devices.register('OP0000000001', `bench-${i}`));
  gc();
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  const clients = await Promise.all(
    creds.map((c) => mqtt.connectAsync(platform.mqttUrl, { clientId: c.deviceId, username: c.username, password: c.password, reconnectPeriod: 0 })),
  );
  const wallMs = performance.now() - t;
  const rssDelta = process.memoryUsage().rss - rssBefore;
  await Promise.all(clients.map((c) => c.endAsync()));
  await platform.close();
  return { wallMs, rssDelta };
}

async function fleet(link: boolean): Promise<{ wallMs: number; perGateway: number; report: Awaited<ReturnType<typeof runScenario>> }> {
  gc();
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  const scenario = plainFleet(`fleet-attach-${link ? 'link' : 'bare'}`, gateways, '10m');
  const report = await runScenario({ ...scenario, link, expect: { ...scenario.expect, ...(link ? { statusOnline: true } : {}) } }, { progress: 'none' });
  const wallMs = performance.now() - t;
  if (!report.ok) {
    console.error(`not every gateway came online (link ${link}):`, report.online, report.link);
    process.exit(1);
  }
  return { wallMs, perGateway: (report.peakRssBytes - rssBefore) / gateways, report };
}

const baseline = await mqttBaseline(gateways);
const bare = await fleet(false);
const linked = await fleet(true);
console.log(`fleet attach, ${gateways} gateways (modem + agent each), in-process platform, virtual clock, 10 min simulated`);
for (const [name, r] of [['link off', bare], ['link on ', linked]] as const) {
  console.log(
    `  ${name}: all online in ${(r.wallMs / 1000).toFixed(2)} s wall (incl. SIM${r === linked ? ' + device' : ''} provisioning over HTTP); attach p50 ${r.report.attach.p50} ms, p99 ${r.report.attach.p99} ms virtual; peak RSS ${mib(r.report.peakRssBytes)}, ≈ ${mib(r.perGateway)} per gateway; ${r.report.hops} clock hops`,
  );
}
console.log(`  link on: ${linked.report.link.statusOnline}/${gateways} retained statuses online, ${linked.report.link.events} events stored`);
console.log(`baseline: ${gateways} bare mqtt.js clients (registered devices) → the platform's embedded broker over TCP: ${baseline.wallMs.toFixed(0)} ms, ${mib(baseline.rssDelta / gateways)} per client`);
const perClient = Math.max(1, baseline.rssDelta / gateways);
console.log(
  `ratio: link-on fleet wall / mqtt connect wall = ${(linked.wallMs / baseline.wallMs).toFixed(1)}x; link-on / link-off wall = ${(linked.wallMs / bare.wallMs).toFixed(2)}x; memory per gateway (link on) / per mqtt client = ${(linked.perGateway / perClient).toFixed(1)}x; link cost per gateway = ${mib(linked.perGateway - bare.perGateway)}`,
);
