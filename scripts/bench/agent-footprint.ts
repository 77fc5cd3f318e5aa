/**
 * Agent footprint: RSS and CPU of one agent online against a simulated BG96 (realistic latency,
 * in-process port, wall clock, default liveness probe every 30 s) over a window (default 60 s),
 * measured in a child process; baseline in the same run: a bare `node` process idling for the
 * same window. The simulated modem shares the agent's process, so the figures are an upper bound.
 *
 * Run: `npm run build && node dist/scripts/bench/agent-footprint.js [seconds=60]`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAgent } from '../../agent/agent.js';
import { resolveConfig } from '../../agent/config.js';
import { startSimulatedModem } from '../../simulator/index.js';
import { intArg, mib } from './_fleet-support.js';

interface Sample {
  rss: number;
  cpuMs: number;
  online?: boolean;
}

async function child(seconds: number, withAgent: boolean): Promise<void> {
  // The wall clock's timers are unref'd (a gateway must never be kept alive by one); hold the
  // process open ourselves while the agent runs.
  const keepAlive = setInterval(() => {}, 1000);
  let stop = async (): Promise<void> => {};
  let online = (): boolean => true;
  if (withAgent) {
    const sim = await startSimulatedModem({ dialect: 'bg96', latency: 'realistic', speed: 1, expose: { inProcess: true } });
    const config = resolveConfig({ flags: { port: '/dev/null' } });
    config.port = sim.inProcessPath!;
    const agent = createAgent({ config, binding: sim.binding! });
    agent.start();
    const deadline = Date.now() + 60_000;
    while (!agent.status().online && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    online = () => agent.status().online;
    stop = async () => {
      await agent.stop();
      await sim.close();
    };
  }
  const cpu0 = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 500);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  const sample: Sample = { rss: Math.max(peak, process.memoryUsage().rss), cpuMs: (cpu.user + cpu.system) / 1000, online: online() };
  await stop();
  clearInterval(keepAlive);
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

function measure(seconds: number, withAgent: boolean): Sample {
  // The baseline is a bare `node` that loads nothing of cellgate.
  const bare = `const c=process.cpuUsage();setTimeout(()=>{const u=process.cpuUsage(c);console.log(JSON.stringify({rss:process.memoryUsage().rss,cpuMs:(u.user+u.system)/1000}))},${seconds * 1000})`;
  const args = withAgent ? [fileURLToPath(import.meta.url), '--child', String(seconds), 'agent'] : ['-e', bare];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal ?? r.error?.message}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Sample;
}

if (process.argv[2] === '--child') {
  await child(Number(process.argv[3]), process.argv[4] === 'agent');
} else {
  const seconds = intArg(0, 60);
  const bare = measure(seconds, false);
  const agent = measure(seconds, true);
  console.log(`agent footprint over ${seconds} s online (agent + simulated BG96 in one process, liveness every 30 s)`);
  console.log(`  agent: peak RSS ${mib(agent.rss)}, CPU ${agent.cpuMs.toFixed(0)} ms (${((agent.cpuMs / (seconds * 1000)) * 100).toFixed(2)} % of a core), online ${agent.online}`);
  console.log(`baseline: bare node: peak RSS ${mib(bare.rss)}, CPU ${bare.cpuMs.toFixed(0)} ms`);
  console.log(`ratio: RSS ${(agent.rss / bare.rss).toFixed(2)}x, extra RSS ${mib(agent.rss - bare.rss)}; CPU ${(agent.cpuMs / Math.max(1, bare.cpuMs)).toFixed(1)}x`);
  if (!agent.online) process.exit(1);
}
