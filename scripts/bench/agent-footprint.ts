/**
 * Agent footprint: one agent online WITH its MQTT link and durable outbox, as a user runs it —
 * `cellgate agent` in its own process, the simulated BG96 (`cellgate sim`, realistic latency) in
 * another, the platform (HTTP + MQTT broker) in this one, all over real sockets. Two agents run
 * side by side, each with its own simulated modem and device: one launched with the node flags
 * of the shipped systemd unit (`scripts/ops/cellgate-agent.service`, read from its `ExecStart`),
 * one with plain `node`. After both are online + 5 s, each agent process is sampled over a window
 * (default 60 s; default settings: liveness probe every 30 s, status every 60 s, MQTT keepalive
 * 30 s): peak RSS from `/proc/<pid>/status`, CPU from `/proc/<pid>/stat`; the CPU an agent spent
 * from launch to online is printed too. Each serial line runs through a counting proxy, so every
 * AT command an idle agent sends in the window is listed (target: only the liveness probe).
 *
 * Baseline in the same window: a bare `node` process idling, sampled the same way.
 * `REPEATS` samples (a fresh stack each), min / median printed. Linux only (`/proc`).
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/agent-footprint.js [seconds=60]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from '../../platform/index.js';
import { OperatorClient } from '../../simulator/fleet/index.js';
import { agentUnitNodeFlags, agentUnitPath } from '../ops/agent-unit.js';
import { intArg } from './_fleet-support.js';
import { mm, printMachine, REPEATS, spreads } from './_repeat.js';

const seconds = intArg(0, 60);
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'cellgate.js');
const TICK = 100; // clock ticks per second (`getconf CLK_TCK` on Linux)

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = seen.match(pattern);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

/** Peak RSS (sampled every 250 ms) and CPU ms of a process over `ms`. */
async function sampleProcess(pid: number, ms: number): Promise<{ rss: number; cpuMs: number }> {
  const cpu = (): number => cpuMs(pid);
  const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const cpu0 = cpu();
  let peak = rss();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    peak = Math.max(peak, rss());
  }
  return { rss: peak, cpuMs: cpu() - cpu0 };
}

const projectRoot = join(dirname(cli), '..');
const unitFile = agentUnitPath(projectRoot);
const unitFlags = agentUnitNodeFlags(projectRoot);

/** CPU ms (user + system) a process has used so far. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
}

/** One agent process on its own simulated modem, its serial line through a counting proxy. */
interface RunningAgent {
  process: ChildProcess;
  /** Lines the agent sent to the modem while `counting`. */
  commands(): string[];
  setCounting(on: boolean): void;
  /** CPU ms from launch to online. */
  attachCpuMs: number;
}

async function startAgent(
  platform: Awaited<ReturnType<typeof startPlatform>>,
  op: OperatorClient,
  dir: string,
  nodeFlags: readonly string[],
  children: ChildProcess[],
  servers: Server[],
): Promise<RunningAgent> {
  const sim = await op.createSim('plan01s');
  const imei = `3569380${String((process.pid * 10 + children.length) % 100_000_000).padStart(8, '0')}`;
  const device = await op.registerDevice(imei);
  const simProcess = spawn(process.execPath, [
    cli, 'sim', '--platform', platform.url, '--network-token', platform.networkToken, '--tcp', '0',
    '--imei', imei, '--imsi', sim.imsi, '--iccid', sim.iccid, '--latency', 'realistic', '--no-stdin',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(simProcess);
  const simPort = Number((await waitFor(simProcess, /^tcp: tcp:\/\/[^:]+:(\d+)$/m, 30_000))[1]);

  // The counting proxy: every byte from the agent to the modem passes here.
  let agentBytes = '';
  let counting = false;
  const proxy = createServer((agentSide) => {
    const modemSide = createConnection({ port: simPort, host: '127.0.0.1' });
    agentSide.on('data', (d: Buffer) => {
      if (counting) agentBytes += d.toString('latin1');
      modemSide.write(d);
    });
    modemSide.pipe(agentSide);
    agentSide.on('close', () => modemSide.destroy());
    modemSide.on('close', () => agentSide.destroy());
    agentSide.on('error', () => undefined);
    modemSide.on('error', () => undefined);
  });
  servers.push(proxy);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyPort = (proxy.address() as AddressInfo).port;

  const credentials = join(dir, `credentials-${imei}.json`);
  writeFileSync(credentials, JSON.stringify({ deviceId: device.deviceId, password: device.password, mqttUrl: platform.mqttUrl }), { mode: 0o600 });
  const agent = spawn(process.execPath, [
    ...nodeFlags, cli, 'agent', '--port', `tcp://127.0.0.1:${proxyPort}`, '--mqtt-url', platform.mqttUrl, '--mqtt-credentials', credentials,
    '--data-dir', join(dir, `agent-${imei}`), '--log-level', 'info',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(agent);
  await waitFor(agent, /session activating → online/, 90_000);
  return {
    process: agent,
    attachCpuMs: cpuMs(agent.pid!),
    commands: () => agentBytes.split(/\r\n?|\n/).map((l) => l.trim()).filter((l) => l.length > 0),
    setCounting: (on) => {
      counting = on;
    },
  };
}

interface Sample {
  rss: number;
  cpuMs: number;
  attachCpuMs: number;
  plainRss: number;
  plainCpuMs: number;
  plainAttachCpuMs: number;
  bareRss: number;
  bareCpuMs: number;
  commands: string[];
  plainCommands: string[];
}

async function oneSample(): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-bench-footprint-'));
  const platform = await startPlatform({ dataDir: join(dir, 'platform'), http: { port: 0 } });
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  try {
    const op = new OperatorClient(platform.url);
    await op.init(`footprint-${process.pid}@cellgate.test`, 'bench-password');
    // One after the other, so neither's attach competes with the other's for the CPU.
    const unit = await startAgent(platform, op, dir, unitFlags, children, servers);
    const plain = await startAgent(platform, op, dir, [], children, servers);
    const bare = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${(seconds + 10) * 1000})`], { stdio: 'ignore' });
    children.push(bare);
    await new Promise((r) => setTimeout(r, 5_000));
    for (const a of [unit, plain]) a.setCounting(true);
    const [u, p, b] = await Promise.all([unit, plain].map((a) => sampleProcess(a.process.pid!, seconds * 1000)).concat(sampleProcess(bare.pid!, seconds * 1000)));
    for (const a of [unit, plain]) a.setCounting(false);
    return {
      rss: u!.rss, cpuMs: u!.cpuMs, attachCpuMs: unit.attachCpuMs,
      plainRss: p!.rss, plainCpuMs: p!.cpuMs, plainAttachCpuMs: plain.attachCpuMs,
      bareRss: b!.rss, bareCpuMs: b!.cpuMs,
      commands: unit.commands(), plainCommands: plain.commands(),
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    for (const s of servers) s.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`agent footprint: \`cellgate agent\` online with its MQTT link and outbox, the simulated BG96 in another process, ${seconds} s window; ${REPEATS} samples`);
console.log(`  unit flags (${unitFile.split('/').slice(-3).join('/')} ExecStart): node ${unitFlags.join(' ') || '(none)'}`);
printMachine('start');
const samples: Sample[] = [];
for (let r = 0; r < REPEATS; r++) samples.push(await oneSample());
const keys = ['rss', 'cpuMs', 'attachCpuMs', 'plainRss', 'plainCpuMs', 'plainAttachCpuMs', 'bareRss', 'bareCpuMs', 'extra', 'plainExtra'] as const;
const s = spreads(samples.map((x) => ({ ...x, extra: x.rss - x.bareRss, plainExtra: x.plainRss - x.bareRss })), keys);
const toMiB = (x: (typeof s)['rss']): typeof x => ({ ...x, min: x.min / 2 ** 20, median: x.median / 2 ** 20 });
const idle = (lists: string[][]): string => {
  const counts = new Map<string, number>();
  for (const c of lists.flat()) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${c} ×${n}`).join(', ') || 'none';
};
console.log(`  agent as the unit runs it (node ${unitFlags.join(' ')}): peak RSS ${mm(toMiB(s.rss), ' MiB')}; CPU ${mm(s.cpuMs, ' ms', 0)} over ${seconds} s; CPU launch → online ${mm(s.attachCpuMs, ' ms', 0)}`);
console.log(`    AT commands sent while idle (all samples, ${samples.length * seconds} s): ${idle(samples.map((x) => x.commands))}`);
console.log(`  agent on plain node: peak RSS ${mm(toMiB(s.plainRss), ' MiB')}; CPU ${mm(s.plainCpuMs, ' ms', 0)} over ${seconds} s; CPU launch → online ${mm(s.plainAttachCpuMs, ' ms', 0)}`);
console.log(`    AT commands sent while idle (all samples, ${samples.length * seconds} s): ${idle(samples.map((x) => x.plainCommands))}`);
console.log(`baseline: bare node in the same window: peak RSS ${mm(toMiB(s.bareRss), ' MiB')}; CPU ${mm(s.bareCpuMs, ' ms', 0)}`);
console.log(`ratio (medians): unit RSS ${(s.rss.median / s.bareRss.median).toFixed(2)}x, extra ${mm(toMiB(s.extra), ' MiB')} (target P3 ≤ +25 MB = 23.8 MiB); plain node RSS ${(s.plainRss.median / s.bareRss.median).toFixed(2)}x, extra ${mm(toMiB(s.plainExtra), ' MiB')}`);
printMachine('end');
