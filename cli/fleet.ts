/**
 * `cellgate fleet <scenario.yaml>`: N simulated gateways (simulated modem + the real agent)
 * against one platform on one shared clock; `cellgate fleet merge <report.json>...` merges shard
 * reports. Exit code 0 when every expectation held, 1 when one failed, 2 on bad input.
 * docs/fleet.md.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { RealClock, VirtualClock, type Clock } from '../common/clock.js';
import { createLogger, silentLogger } from '../common/log.js';
import { DEVICE_STREAMS, startPlatform } from '../platform/index.js';
import type { StoredEsimNotification } from '../platform/app/devices.js';
import { RemoteNetworkGate } from '../simulator/network/remote-gate.js';
import {
  BarrierTimeDriver,
  joinBarrier,
  createProgress,
  formatSummary,
  mergeReports,
  parseScenario,
  parseShard,
  renderHtmlReport,
  renderJunitReport,
  runFleet,
  ScenarioError,
  type ActivityMeter,
  type FleetProgress,
  type FleetReport,
  type Scenario,
} from '../simulator/fleet/index.js';
import { seededRandom } from '../simulator/seeded-random.js';
import { agentGatewayFactory } from './fleet-gateways.js';
import { rerunWithHeapCap } from './fleet-heap.js';
import { fleetPlatformOptions } from './fleet-platform.js';
import { cardDownloader, remoteEsimDownloadKit } from './fleet-esim-download.js';
import { parseCommandLine } from '../common/command-line.js';

const USAGE = `usage:
  cellgate fleet <scenario.yaml> [--report FILE] [--html FILE] [--junit FILE] [--shard i/n]
                 [--progress auto|bar|lines|none]
                 [--data-dir DIR] [--real-time] [--log-level LEVEL] [--mqtt in-process|tcp]
                 [--platform URL --network-token TOKEN [--barrier HOST:PORT]]
                 [--workers N] [--coordinate N [--port P] [--barrier-port P]]
  cellgate fleet merge <report.json>... [--report FILE] [--html FILE] [--junit FILE]

Runs the scenario's gateways (simulated modem + the real agent) against an in-process platform
on one clock (virtual unless the scenario says mode: real or --real-time is given), prints a
summary and exits 1 when an expectation fails. With --platform the gateways run against that
(shared) platform over HTTP and MQTT in real time: run one process per --shard i/n, then merge.
--mqtt: how the agents reach the in-process platform's broker: in-process pipes (default, no
open file per connection) or loopback TCP.
--report writes the JSON report, --html a self-contained page with charts over simulated time,
--junit JUnit XML (a test case per expectation and per shard) for CI systems.
--workers N: the platform and the barrier in this process, the fleet split into N shard processes
on ONE virtual clock (uses every core); the report is the merge of theirs.
--coordinate N: the platform and the barrier only, for N shards started elsewhere with
--platform URL --network-token T --barrier HOST:PORT --shard i/N (virtual time across machines).`;

const MERGE_USAGE = `usage: cellgate fleet merge <report.json>... [--report FILE]

Merges the JSON reports of the shards of one scenario (\`cellgate fleet … --shard i/n\`) into
one, prints its summary and exits 1 when an expectation fails.`;

/** Entry used by `cli/main.ts`. */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  const parsed = parseCommandLine('cellgate fleet', USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      report: { type: 'string' },
      html: { type: 'string' },
      junit: { type: 'string' },
      shard: { type: 'string' },
      progress: { type: 'string', default: 'auto' },
      'data-dir': { type: 'string', default: ':memory:' },
      'real-time': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'silent' },
      platform: { type: 'string' },
      'network-token': { type: 'string' },
      mqtt: { type: 'string' },
      barrier: { type: 'string' },
      workers: { type: 'string' },
      coordinate: { type: 'string' },
      port: { type: 'string' },
      'barrier-port': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(`cellgate fleet: give exactly one scenario file\n\n${USAGE}`);
    return 2;
  }
  const progressMode = values.progress as 'auto' | 'bar' | 'lines' | 'none';
  if (!['auto', 'bar', 'lines', 'none'].includes(progressMode)) {
    console.error('cellgate fleet: --progress must be auto, bar, lines or none');
    return 2;
  }
  let scenario: Scenario;
  let shard: { index: number; count: number } | undefined;
  let mqttTransport: MqttTransport;
  let workers: number | undefined;
  let coordinateShards: number | undefined;
  const path = positionals[0]!;
  try {
    scenario = parseScenario(await readFile(path, 'utf8'), path);
    if (values['real-time']) scenario = { ...scenario, mode: 'real' };
    shard = values.shard ? parseShard(values.shard) : undefined;
    if (values.platform !== undefined) {
      if (!/^https?:\/\/\S+$/.test(values.platform)) throw new Error(`--platform must be an http(s) URL, not ${JSON.stringify(values.platform)}`);
      if (!values['network-token']) throw new Error('--platform needs --network-token (printed by cellgate platform)');
      if (scenario.mode !== 'real' && values.barrier === undefined) {
        throw new Error('a shared platform runs on its own clock: give --real-time (or mode: real), or --barrier HOST:PORT of its coordinator, with --platform (docs/fleet.md, Shards)');
      }
      if (values.barrier !== undefined && scenario.mode === 'real') throw new Error('--barrier shares a virtual clock: not with --real-time');
      if (values.barrier !== undefined && !shard) throw new Error('--barrier needs --shard i/n');
    } else if (values['network-token'] !== undefined) throw new Error('--network-token goes with --platform');
    else if (values.barrier !== undefined) throw new Error('--barrier goes with --platform (the coordinator runs the platform)');
    const count = (name: string, raw: string | undefined): number | undefined => {
      if (raw === undefined) return undefined;
      if (!/^[1-9]\d{0,3}$/.test(raw)) throw new Error(`--${name} must be a whole number of shards (1-9999), not ${JSON.stringify(raw)}`);
      return Number(raw);
    };
    workers = count('workers', values.workers);
    coordinateShards = count('coordinate', values.coordinate);
    if ((workers !== undefined || coordinateShards !== undefined) && (values.platform !== undefined || shard || scenario.mode === 'real')) {
      throw new Error('--workers / --coordinate run the platform and one virtual clock here: not with --platform, --shard or --real-time');
    }
    if (workers !== undefined && coordinateShards !== undefined) throw new Error('give --workers or --coordinate, not both');
    if (values.mqtt !== undefined && values.mqtt !== 'in-process' && values.mqtt !== 'tcp') throw new Error(`--mqtt must be in-process or tcp, not ${JSON.stringify(values.mqtt)}`);
    if (values.mqtt === 'in-process' && values.platform !== undefined) throw new Error('--mqtt in-process needs the in-process platform: a shared platform (--platform) is reached over TCP');
    mqttTransport = values.platform !== undefined ? 'remote' : ((values.mqtt as MqttTransport | undefined) ?? 'in-process');
  } catch (error) {
    console.error(error instanceof ScenarioError ? error.message : `cellgate fleet: ${(error as Error).message}`);
    return 2;
  }
  // The heap cap sized to this process's gateways (cli/fleet-heap.ts): re-run with it once.
  const rerun = await rerunWithHeapCap(Math.ceil(scenario.gateways.count / (shard?.count ?? 1)));
  if (rerun !== undefined) return rerun;
  if (workers !== undefined || coordinateShards !== undefined) {
    const { coordinate } = await import('./fleet-coordinator.js');
    const report = await coordinate(scenario, {
      scenarioPath: path,
      shards: workers ?? coordinateShards!,
      spawnWorkers: workers !== undefined,
      dataDir: values['data-dir']!,
      logLevel: values['log-level']!,
      progress: progressMode,
      ...(values.port ? { httpPort: Number(values.port) } : {}),
      ...(values['barrier-port'] ? { barrierPort: Number(values['barrier-port']) } : {}),
    });
    if (!report) return 0;
    console.log(formatSummary(report));
    await writeReports(report, values);
    return report.ok ? 0 : 1;
  }
  const fdProblem = fileDescriptorProblem(scenario, shard, mqttTransport);
  if (fdProblem) {
    console.error(`cellgate fleet: ${fdProblem}`);
    return 2;
  }
  const report = await runScenario(scenario, {
    ...(shard ? { shard } : {}),
    progress: progressMode,
    dataDir: values['data-dir']!,
    logLevel: values['log-level']!,
    ...(mqttTransport === 'tcp' ? { mqtt: 'tcp' as const } : {}),
    ...(values.platform ? { remote: { url: values.platform.replace(/\/$/, ''), networkToken: values['network-token']!, ...(values.barrier ? { barrier: values.barrier } : {}) } } : {}),
  });
  console.log(formatSummary(report));
  await writeReports(report, values);
  return report.ok ? 0 : 1;
}

/** Writes the report in each form asked for (`--report` JSON, `--html`, `--junit`) and says where. */
async function writeReports(report: FleetReport, files: { report?: string | undefined; html?: string | undefined; junit?: string | undefined }): Promise<void> {
  const forms: Array<[string | undefined, string, () => string]> = [
    [files.report, 'report', () => `${JSON.stringify(report, null, 2)}\n`],
    [files.html, 'html', () => renderHtmlReport(report)],
    [files.junit, 'junit', () => renderJunitReport(report)],
  ];
  for (const [path, name, render] of forms) {
    if (!path) continue;
    await writeFile(path, render());
    console.log(`  ${name}: ${path}`);
  }
}

/**
 * How the agents reach the broker: `in-process` pipes to the in-process platform's broker,
 * loopback `tcp` to it, or TCP to a `remote` (shared) platform's broker.
 */
export type MqttTransport = 'in-process' | 'tcp' | 'remote';

/**
 * Open files one linked gateway costs: its MQTT socket, and the broker's end of it too when the
 * broker runs in this process over TCP; none over in-process pipes. The agents' outboxes share
 * one database (three files in all, counted in the spare).
 */
const FILES_PER_LINKED_GATEWAY: Record<MqttTransport, number> = { 'in-process': 0, tcp: 2, remote: 1 };
/** The platform, its broker's listener and hub, the shared outbox store, stdio, node's own handles. */
const FILES_SPARE = 1_000;

/** The soft limit of open files of this process (Linux `/proc/self/limits`); undefined elsewhere. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * A linked fleet over the process's open-file limit would not fail: its agents would retry
 * EMFILE connects forever while virtual time stands still. Say so before starting instead.
 */
export function fileDescriptorProblem(scenario: Scenario, shard: { index: number; count: number } | undefined, transport: MqttTransport, limit = openFileLimit()): string | undefined {
  if (!scenario.link || limit === undefined) return undefined;
  const gateways = Math.ceil(scenario.gateways.count / (shard?.count ?? 1));
  const needed = gateways * FILES_PER_LINKED_GATEWAY[transport] + FILES_SPARE;
  if (needed <= limit) return undefined;
  return (
    `${gateways} gateways on the MQTT link need about ${needed} open files, and this process may open ${limit}. ` +
    `Raise the limit (\`ulimit -n ${Math.ceil(needed / 1024) * 1024}\`; as root, or after raising the hard limit) or split the run with --shard i/n (docs/fleet.md).`
  );
}

export interface RunScenarioOptions {
  shard?: { index: number; count: number };
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  dataDir?: string;
  logLevel?: string;
  /**
   * Run against this (shared) platform instead of an in-process one: in real time, or on the
   * virtual clock of the coordinator at `barrier` (`host:port`; docs/fleet.md).
   */
  remote?: { url: string; networkToken: string; barrier?: string };
  /** How the agents reach the in-process platform's broker: in-memory pipes (default) or loopback TCP. */
  mqtt?: 'in-process' | 'tcp';
  /** Receives the run's progress instead of `progress` (benchmarks time phases with it). */
  progressSink?: FleetProgress;
}

/** Starts an in-process platform on the scenario's clock and runs the fleet against it. */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<FleetReport> {
  const logLevel = options.logLevel ?? 'silent';
  const logger = logLevel === 'silent' ? silentLogger() : createLogger({ name: 'fleet', level: logLevel });
  if (options.remote) return runRemote(scenario, options.remote, options, logger);
  const virtual = scenario.mode === 'virtual' ? new VirtualClock() : undefined;
  const clock: Clock = virtual ?? new RealClock();
  const platform = await startPlatform(fleetPlatformOptions(scenario, clock, virtual !== undefined, options.dataDir ?? ':memory:'));
  try {
    return await runFleet({
      scenario,
      factory: agentGatewayFactory({
        logger,
        random: seededRandom(scenario.seed),
        ...(options.mqtt !== 'tcp' && platform.connectMqttInProcess ? { connectMqtt: platform.connectMqttInProcess } : {}),
      }),
      platform: {
        url: platform.url,
        gate: platform.gate,
        ...(platform.smdp
          ? {
              // The cards trust the platform's CI and carry certificates of its EUM; the LPA
              // reaches the SM-DP+ over ES9+ HTTPS (retry waits are real I/O: the wall clock).
              esimDownload: {
                pki: { eum: platform.smdp.service.pki.eum, trustedCis: [platform.smdp.service.pki.ci.certificate] },
                download: cardDownloader({ ca: platform.smdp.ciPem, clock: new RealClock() }),
              },
            }
          : {}),
        ...(virtual ? { advance: (ms: number) => platform.scheduler.advance(virtual, ms) } : {}),
        esimNotifications: async () =>
          (
            await platform.store.transaction(async (tx) => {
              const out: StoredEsimNotification[] = [];
              for (let after: number | undefined; ; ) {
                const page = await tx.readStream<StoredEsimNotification>(DEVICE_STREAMS.esimNotifications, { afterSeq: after, limit: 1000 });
                out.push(...page.map((r) => r.body));
                if (page.length < 1000) return out;
                after = page[page.length - 1]!.seq;
              }
            })
          ).map((n) => ({ eid: n.eid, seqNumber: n.seqNumber, outcome: n.outcome })),
      },
      clock,
      ...(options.shard ? { shard: options.shard } : {}),
      progress: options.progressSink ?? createProgress(process.stderr, options.progress ?? 'auto'),
      logger,
    });
  } finally {
    await platform.close();
  }
}

/**
 * One shard against a shared platform: the radio side through its remote network gate
 * (`/_cellgate/network/*`), the operator through its HTTP API, the agents to its MQTT broker,
 * all on the wall clock (docs/fleet.md, Shards).
 */
async function runRemote(scenario: Scenario, remote: { url: string; networkToken: string; barrier?: string }, options: RunScenarioOptions, logger: ReturnType<typeof silentLogger>): Promise<FleetReport> {
  if (scenario.mode !== 'real' && !remote.barrier) throw new Error('a shared platform runs on its own clock: the scenario must run in real time (mode: real / --real-time), or on a coordinator\'s barrier');
  // The radio side's retries wait on the wall clock either way (real I/O).
  const barrier = remote.barrier ? await joinBarrier(remote.barrier, options.shard?.index ?? 0) : undefined;
  // On a barrier the order stream resumes after the coordinator's start sequence: no order is
  // missed however late the stream connects, and the barrier can tell which ones were applied.
  const gate = new RemoteNetworkGate({
    url: remote.url, token: remote.networkToken, clock: new RealClock(), logger,
    ...(barrier?.startOrders !== undefined ? { resumeAfter: barrier.startOrders } : {}),
  });
  const clock: Clock = barrier ? new VirtualClock(barrier.startTime) : new RealClock();
  try {
    // The default eSIM step downloads from the shared platform's SM-DP+, with cards certified by an EUM it issues.
    const esimDownload = scenario.gateways.esim > 0 && scenario.gateways.esimProvisioning === 'download' ? await remoteEsimDownloadKit(remote.url, remote.networkToken) : undefined;
    return await runFleet({
      scenario,
      factory: agentGatewayFactory({ logger, random: seededRandom(scenario.seed + (options.shard?.index ?? 0)) }),
      platform: { url: remote.url, gate, ...(esimDownload ? { esimDownload } : {}) },
      clock,
      ...(barrier ? { driver: (c: VirtualClock, meter: ActivityMeter) => new BarrierTimeDriver({ clock: c, meter, barrier, ...(barrier.startOrders !== undefined ? { orders: gate } : {}) }) } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      progress: options.progressSink ?? createProgress(process.stderr, options.progress ?? 'auto'),
      logger,
    });
  } finally {
    barrier?.done();
    await gate.close();
  }
}

async function merge(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate fleet merge', MERGE_USAGE, {
    args: argv,
    allowPositionals: true,
    options: { report: { type: 'string' }, html: { type: 'string' }, junit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if ('exit' in parsed) return parsed.exit;
  if (parsed.positionals.length === 0) {
    console.error(`cellgate fleet merge: give the shard reports to merge\n\n${MERGE_USAGE}`);
    return 2;
  }
  let merged: FleetReport;
  try {
    const reports = await Promise.all(parsed.positionals.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as FleetReport));
    merged = mergeReports(reports);
  } catch (error) {
    console.error(`cellgate fleet merge: ${(error as Error).message}`);
    return 2;
  }
  console.log(formatSummary(merged));
  await writeReports(merged, parsed.values);
  return merged.ok ? 0 : 1;
}
