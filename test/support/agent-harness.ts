/**
 * Wires the REAL agent to the REAL simulated modem (simulator/index.ts) for end-to-end tests:
 * over a pty, a TCP serial server, or the in-process serialport binding.
 */
import type { Clock } from '../../common/clock.js';
import { VirtualClock } from '../../common/clock.js';
import { createLogger, silentLogger } from '../../common/log.js';
import { createAgent, type Agent } from '../../agent/agent.js';
import { resolveConfig, type AgentConfig } from '../../agent/config.js';
import { LocalNetworkGate, startSimulatedModem, type DialectName } from '../../simulator/index.js';

export type Exposure = 'pty' | 'tcp' | 'in-process';
export type Dialect = DialectName;

export interface Pair {
  agent: Agent;
  sim: Awaited<ReturnType<typeof startSimulatedModem>>;
  gate: LocalNetworkGate;
  config: AgentConfig;
  close(): Promise<void>;
}

export async function startPair(options: {
  dialect: Dialect;
  exposure: Exposure;
  clock?: Clock;
  gate?: LocalNetworkGate;
  configure?: (config: AgentConfig) => void;
}): Promise<Pair> {
  const gate = options.gate ?? new LocalNetworkGate();
  const expose =
    options.exposure === 'pty' ? { pty: true } : options.exposure === 'tcp' ? { tcp: { port: 0 } } : { inProcess: true };
  const sim = await startSimulatedModem({
    dialect: options.dialect,
    gate,
    latency: 'zero',
    ...(options.clock ? { clock: options.clock } : {}),
    expose,
  });
  const port = options.exposure === 'pty' ? sim.ptyPath : options.exposure === 'tcp' ? sim.tcpUrl : sim.inProcessPath;
  if (!port) throw new Error(`simulator did not expose ${options.exposure}`);
  // `sim://<imei>` is a path only the simulator's binding understands; the config file format
  // accepts device paths and tcp:// only, so the harness sets it after validation.
  const config = resolveConfig({ flags: { port: options.exposure === 'in-process' ? '/dev/null' : port } });
  config.port = port;
  options.configure?.(config);
  const agent = createAgent({
    config,
    // CELLGATE_TEST_LOG=debug shows the agent's log lines when a test needs explaining.
    logger: process.env.CELLGATE_TEST_LOG ? createLogger({ name: 'agent', level: process.env.CELLGATE_TEST_LOG }) : silentLogger(),
    random: () => 0.5,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.exposure === 'in-process' && sim.binding ? { binding: sim.binding } : {}),
  });
  return {
    agent,
    sim,
    gate,
    config,
    async close() {
      await agent.stop();
      await sim.close();
    },
  };
}

/** Waits in real time for `done()`. */
export async function eventually(done: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Advances a virtual clock in steps, letting real I/O (the in-process port) settle between them,
 * until `done()` or `budgetMs` of virtual time has passed. Returns whether `done()` held.
 */
export async function advanceUntil(clock: VirtualClock, done: () => boolean, budgetMs: number, stepMs = 250): Promise<boolean> {
  const end = clock.now() + budgetMs;
  while (!done() && clock.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await clock.advance(Math.min(stepMs, end - clock.now()));
  }
  return done();
}
