/**
 * Fleet attach: N gateways (simulated modem + real agent, in process, zero modem latency, virtual
 * clock) cold start until all are online against an in-process platform, with every agent's MQTT
 * link (and, for comparison, without it).
 *
 * Baseline in the same run: N bare mqtt.js clients, each with its own registered device, connecting
 * to the platform's embedded broker over the SAME transport the fleet uses (in-process pipes,
 * `connectMqttInProcess`) with the SAME credential cost (1 000 PBKDF2 iterations, as
 * `runScenario` sets), all at once.
 *
 * Each side is timed in phases: provisioning (SIMs and devices through the API for the fleet,
 * device registrations for the baseline) apart from the cold start (fleet: gateways launched →
 * all online; baseline: connect → every CONNACK). Memory: RSS after a forced GC once provisioning
 * is done and again once everything is online; the difference over N is the per-gateway (per
 * client) cost. Every sample runs in a fresh process, `REPEATS` times; min / median printed.
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/fleet-attach.js [gateways=1000]`.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MqttClient } from 'mqtt';
import { runScenario } from '../../cli/fleet.js';
import { startPlatform } from '../../platform/index.js';
import { silentProgress } from '../../simulator/fleet/index.js';
import { intArg, mib, plainFleet } from './_fleet-support.js';
import { childSample, mm, printMachine, REPEATS, memoryAfterGc, spreads } from './_repeat.js';

/** The fleet's credential cost (cli/fleet.ts `runScenario`). */
const FLEET_PASSWORD_ITERATIONS = 1_000;

interface Sample {
  provisionMs: number;
  coldStartMs: number;
  /** Live memory (heap used + external) after a forced GC, provisioned / all online. */
  liveProvisioned: number;
  liveOnline: number;
  rssOnline: number;
  peakRss: number;
  online: number;
}

async function baselineChild(n: number): Promise<Sample> {
  const platform = await startPlatform({ dataDir: ':memory:', mqttPasswordIterations: FLEET_PASSWORD_ITERATIONS });
  const connect = platform.connectMqttInProcess!;
  let t = performance.now();
  const creds = [];
  for (let i = 0; i < n; i++) creds.push(await platform.devices.register('OP0000000001', `bench-${i}`));
  const provisionMs = performance.now() - t;
  const liveProvisioned = memoryAfterGc().live;
  t = performance.now();
  const clients = await Promise.all(
    creds.map(
      (c) =>
        new Promise<MqttClient>((resolve, reject) => {
          const client = new MqttClient(() => connect(), { clientId: c.deviceId, username: c.username, password: c.password, reconnectPeriod: 0, protocolVersion: 4 });
          client.once('connect', () => resolve(client));
          client.once('error', reject);
        }),
    ),
  );
  const coldStartMs = performance.now() - t;
  const peakRss = process.memoryUsage().rss;
  const { live: liveOnline, rss: rssOnline } = memoryAfterGc();
  await Promise.all(clients.map((c) => c.endAsync()));
  await platform.close();
  return { provisionMs, coldStartMs, liveProvisioned, liveOnline, rssOnline, peakRss, online: clients.length };
}

async function fleetChild(n: number, link: boolean): Promise<Sample> {
  const t0 = performance.now();
  let provisionedAt = 0;
  let onlineAt = 0;
  let liveProvisioned = 0;
  let liveOnline = 0;
  let rssOnline = 0;
  const progress = {
    ...silentProgress(),
    phase(name: string) {
      if (name === 'starting gateways') {
        liveProvisioned = memoryAfterGc().live;
        provisionedAt = performance.now();
      }
    },
    allOnline() {
      onlineAt = performance.now();
      ({ live: liveOnline, rss: rssOnline } = memoryAfterGc());
    },
  };
  const scenario = plainFleet(`fleet-attach-${link ? 'link' : 'bare'}`, n, '10m');
  const report = await runScenario({ ...scenario, link, expect: { ...scenario.expect, ...(link ? { statusOnline: true } : {}) } }, { progressSink: progress });
  if (!report.ok || onlineAt === 0) throw new Error(`not every gateway came online (link ${link}): ${JSON.stringify({ online: report.online, link: report.link })}`);
  return { provisionMs: provisionedAt - t0, coldStartMs: onlineAt - provisionedAt, liveProvisioned, liveOnline, rssOnline, peakRss: report.peakRssBytes, online: report.online.atEnd };
}

const KEYS = ['provisionMs', 'coldStartMs', 'perGateway', 'rssOnline', 'peakRss'] as const;
type Derived = Record<(typeof KEYS)[number], number>;
const derive = (s: Sample, n: number): Derived => ({ provisionMs: s.provisionMs, coldStartMs: s.coldStartMs, perGateway: Math.max(0, s.liveOnline - s.liveProvisioned) / n, rssOnline: s.rssOnline, peakRss: s.peakRss });

if (process.argv[2] === '--child') {
  const [, , , kind, count] = process.argv;
  const n = Number(count);
  const sample = kind === 'baseline' ? await baselineChild(n) : await fleetChild(n, kind === 'link');
  process.stdout.write(`${JSON.stringify(sample)}\n`);
  process.exit(0);
} else {
  const gateways = intArg(0, 1000);
  const self = fileURLToPath(import.meta.url);
  console.log(`fleet attach, ${gateways} gateways (modem + agent each), in-process platform, virtual clock; ${REPEATS} repeats, each sample in a fresh process`);
  printMachine('start');
  const runs: Record<'baseline' | 'link' | 'bare', Derived[]> = { baseline: [], link: [], bare: [] };
  for (let r = 0; r < REPEATS; r++) {
    for (const kind of ['baseline', 'link', 'bare'] as const) runs[kind].push(derive(childSample<Sample>(self, ['--child', kind, String(gateways)]), gateways));
  }
  const s = { baseline: spreads(runs.baseline, KEYS), link: spreads(runs.link, KEYS), bare: spreads(runs.bare, KEYS) };
  const line = (name: string, x: typeof s.link): void =>
    console.log(
      `  ${name}: provisioning ${mm(x.provisionMs, ' ms', 0)}; cold start → all online ${mm(x.coldStartMs, ' ms', 0)}; live memory per gateway after GC ${mm({ ...x.perGateway, min: x.perGateway.min / 1024, median: x.perGateway.median / 1024 }, ' KiB', 0)}; RSS all online (after GC) median ${mib(x.rssOnline.median)}, peak ${mib(x.peakRss.median)}`,
    );
  line('fleet, link on ', s.link);
  line('fleet, link off', s.bare);
  console.log(
    `baseline: ${gateways} bare mqtt.js clients → the same broker over in-process pipes, ${FLEET_PASSWORD_ITERATIONS} PBKDF2 iterations: registration ${mm(s.baseline.provisionMs, ' ms', 0)}; connect → all CONNACKs ${mm(s.baseline.coldStartMs, ' ms', 0)}; live memory per client after GC ${mm({ ...s.baseline.perGateway, min: s.baseline.perGateway.min / 1024, median: s.baseline.perGateway.median / 1024 }, ' KiB', 1)}`,
  );
  const ratio = (a: number, b: number): string => `${(a / Math.max(b, 1e-9)).toFixed(2)}x`;
  console.log(
    `ratio (medians): cold start link on / bare clients = ${ratio(s.link.coldStartMs.median, s.baseline.coldStartMs.median)} (target P1 ≤ 3x); link on / link off = ${ratio(s.link.coldStartMs.median, s.bare.coldStartMs.median)}; memory per gateway (link on) / per bare client = ${ratio(s.link.perGateway.median, s.baseline.perGateway.median)}`,
  );
  printMachine('end');
}
