/**
 * Agent footprint: one agent online WITH its MQTT link and durable outbox, as a user runs it —
 * `cellgate agent` in its own process, the simulated BG96 (`cellgate sim`, realistic latency) in
 * another, the platform (HTTP + MQTT broker) in this one, all over real sockets. After online +
 * 5 s, the agent process alone is sampled over a window (default 60 s; default settings: liveness
 * probe every 30 s, status every 60 s, MQTT keepalive 30 s): peak RSS from `/proc/<pid>/status`,
 * CPU from `/proc/<pid>/stat`. The serial line runs through a counting proxy here, so every AT
 * command the idle agent sends in the window is listed (target: only the liveness probe).
 *
 * Baseline in the same window: a bare `node` process idling, sampled the same way.
 * `REPEATS` samples (a fresh stack each), min / median printed. Linux only (`/proc`).
 *
 * Run: `npm run build && node --expose-gc dist/scripts/bench/agent-footprint.js [seconds=60]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from '../../platform/index.js';
import { OperatorClient } from '../../simulator/fleet/index.js';
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
  const cpu = (): number => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
  };
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

interface Sample {
  rss: number;
  cpuMs: number;
  bareRss: number;
  bareCpuMs: number;
  commands: string[];
}

async function oneSample(): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-bench-footprint-'));
  const platform = await startPlatform({ dataDir: join(dir, 'platform'), http: { port: 0 } });
  const children: ChildProcess[] = [];
  const proxy = createServer();
  try {
    const op = new OperatorClient(platform.url);
    await op.init(`footprint-${process.pid}@cellgate.test`, 'bench-password');
    const sim = await op.createSim('plan01s');
    const imei = `35693803${String(process.pid % 10_000_000).padStart(7, '0')}`;
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
    proxy.on('connection', (agentSide) => {
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
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as AddressInfo).port;

    const credentials = join(dir, 'credentials.json');
    writeFileSync(credentials, JSON.stringify({ deviceId: device.deviceId, password: device.password, mqttUrl: platform.mqttUrl }), { mode: 0o600 });
    const agent = spawn(process.execPath, [
      cli, 'agent', '--port', `tcp://127.0.0.1:${proxyPort}`, '--mqtt-url', platform.mqttUrl, '--mqtt-credentials', credentials,
      '--data-dir', join(dir, 'agent'), '--log-level', 'info',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(agent);
    await waitFor(agent, /session activating → online/, 90_000);
    const bare = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${(seconds + 10) * 1000})`], { stdio: 'ignore' });
    children.push(bare);
    await new Promise((r) => setTimeout(r, 5_000));
    counting = true;
    const [a, b] = await Promise.all([sampleProcess(agent.pid!, seconds * 1000), sampleProcess(bare.pid!, seconds * 1000)]);
    counting = false;
    const commands = agentBytes.split(/\r\n?|\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    return { rss: a.rss, cpuMs: a.cpuMs, bareRss: b.rss, bareCpuMs: b.cpuMs, commands };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    proxy.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`agent footprint: \`cellgate agent\` online with its MQTT link and outbox, the simulated BG96 in another process, ${seconds} s window; ${REPEATS} samples`);
printMachine('start');
const samples: Sample[] = [];
for (let r = 0; r < REPEATS; r++) samples.push(await oneSample());
const s = spreads(samples.map((x) => ({ ...x, extra: x.rss - x.bareRss })), ['rss', 'cpuMs', 'bareRss', 'bareCpuMs', 'extra']);
const toMiB = (x: (typeof s)['rss']): typeof x => ({ ...x, min: x.min / 2 ** 20, median: x.median / 2 ** 20 });
const idle = new Map<string, number>();
for (const c of samples.flatMap((x) => x.commands)) idle.set(c, (idle.get(c) ?? 0) + 1);
console.log(`  agent: peak RSS ${mm(toMiB(s.rss), ' MiB')}; CPU ${mm(s.cpuMs, ' ms', 0)} over ${seconds} s`);
console.log(`  AT commands sent while idle (all samples, ${samples.length * seconds} s): ${[...idle].map(([c, n]) => `${c} ×${n}`).join(', ') || 'none'}`);
console.log(`baseline: bare node in the same window: peak RSS ${mm(toMiB(s.bareRss), ' MiB')}; CPU ${mm(s.bareCpuMs, ' ms', 0)}`);
console.log(`ratio (medians): RSS ${(s.rss.median / s.bareRss.median).toFixed(2)}x; extra RSS ${mm(toMiB(s.extra), ' MiB')} (target P3 ≤ +25 MB = 23.8 MiB)`);
printMachine('end');

