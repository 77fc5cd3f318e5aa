/**
 * Attach time over a pty at 115200 baud against the simulator's zero-latency profile, compared
 * with the line-time limit of the bytes exchanged (bytes × 10 bits / 115200 baud): the ratio
 * says how far the agent and the AT channel sit above what the serial line itself would cost.
 *
 * Run: `npm run build && node dist/scripts/bench/attach-pty.js [runs]`.
 */
import { silentLogger } from '../../common/log.js';
import { mm, printMachine, REPEATS, spread } from './_repeat.js';
import { createAgent } from '../../agent/agent.js';
import { createChannel, transportFor } from '../../agent/at/index.js';
import type { Transport } from '../../agent/at/types.js';
import { resolveConfig } from '../../agent/config.js';
import { LocalNetworkGate, startSimulatedModem } from '../../simulator/index.js';

const BAUD = 115_200;

/** A transport that counts the bytes crossing it in each direction. */
function counting(inner: Transport, tally: { tx: number; rx: number }): Transport {
  return {
    open: () => inner.open(),
    write: (data) => {
      tally.tx += data.length;
      return inner.write(data);
    },
    onData: (handler) =>
      inner.onData((chunk) => {
        tally.rx += chunk.length;
        handler(chunk);
      }),
    onClose: (handler) => inner.onClose(handler),
    close: () => inner.close(),
    get isOpen() {
      return inner.isOpen;
    },
    description: inner.description,
  };
}

async function attachOnce(dialect: 'bg96' | 'sim7080' | 'generic'): Promise<{ ms: number; bytes: number }> {
  const sim = await startSimulatedModem({ dialect, gate: new LocalNetworkGate(), latency: 'zero', expose: { pty: true } });
  const tally = { tx: 0, rx: 0 };
  const config = resolveConfig({ flags: { port: sim.ptyPath!, 'baud-rate': String(BAUD) } });
  const agent = createAgent({
    config,
    logger: silentLogger(),
    openChannel: async () => {
      const transport = counting(transportFor(config.port, { baudRate: BAUD }), tally);
      await transport.open();
      return createChannel(transport, {});
    },
  });
  const online = new Promise<void>((resolve) => agent.onStateChange((c) => c.to === 'online' && resolve()));
  const started = performance.now();
  agent.start();
  await online;
  const ms = performance.now() - started;
  await agent.stop();
  await sim.close();
  return { ms, bytes: tally.tx + tally.rx };
}


async function main(): Promise<void> {
  const runs = Math.max(REPEATS, Number(process.argv[2] ?? 5));
  printMachine('start');
  console.log(`attach over a pty at ${BAUD} baud, simulator latency 'zero', ${runs} runs per dialect`);
  console.log('(a pty does not pace bytes at the baud rate: a ratio below 1 means the agent and channel cost less than the line itself would)');
  for (const dialect of ['bg96', 'sim7080', 'generic'] as const) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await attachOnce(dialect));
    const times = spread(results.map((r) => r.ms));
    const ms = times.median;
    const bytes = spread(results.map((r) => r.bytes)).median;
    const lineMs = (bytes * 10 * 1000) / BAUD;
    console.log(
      `${dialect.padEnd(8)} attach ${mm(times, ' ms')}  bytes ${bytes}  line-time ${lineMs.toFixed(1)} ms  ratio (median) ${(ms / lineMs).toFixed(2)}×`,
    );
  }
  printMachine('end');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
