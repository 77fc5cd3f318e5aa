/**
 * Progress of a fleet run: a `cli-progress` bar on a TTY, plain timestamped lines otherwise
 * (CI logs), or nothing.
 */
import cliProgress from 'cli-progress';
import { formatDuration } from './duration.js';

export interface FleetProgress {
  phase(name: string): void;
  provisioned(done: number, total: number): void;
  /** The run starts at clock time `start` and covers `span` ms. */
  begin(start: number, span: number, gateways: number): void;
  update(now: number, online: number): void;
  /** A timeline event happened. */
  log(line: string): void;
  /**
   * Every gateway of the run is online for the first time (the cold start is over), `wallMs`
   * after the run began; benchmarks time the cold start and sample memory here.
   */
  allOnline?(wallMs: number, gateways: number): void;
  stop(): void;
}

/** Picks the bar on a TTY, lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, mode: 'auto' | 'bar' | 'lines' | 'none' = 'auto'): FleetProgress {
  if (mode === 'none') return silentProgress();
  if (mode === 'bar' || (mode === 'auto' && stream.isTTY)) return barProgress(stream);
  return lineProgress(stream);
}

export function silentProgress(): FleetProgress {
  const nothing = (): void => {};
  return { phase: nothing, provisioned: nothing, begin: nothing, update: nothing, log: nothing, stop: nothing };
}

function barProgress(stream: NodeJS.WriteStream): FleetProgress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{phase} [{bar}] {percentage}% | {simulated} | online {online}/{gateways}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let start = 0;
  let span = 1;
  let gateways = 0;
  let started = false;
  return {
    phase(name) {
      if (started) bar.update({ phase: name });
      else stream.write(`${name}…\n`);
    },
    provisioned(done, total) {
      if (done === total || done % 500 === 0) stream.write(`  SIMs ${done}/${total}\n`);
    },
    begin(s, sp, g) {
      start = s;
      span = Math.max(1, sp);
      gateways = g;
      started = true;
      bar.start(1000, 0, { phase: 'running', simulated: '0s', online: 0, gateways });
    },
    update(now, online) {
      bar.update(Math.min(1000, Math.round(((now - start) / span) * 1000)), { simulated: formatDuration(now - start), online, gateways });
    },
    log(line) {
      if (started) bar.update({});
      stream.write(`\n${line}\n`);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream): FleetProgress {
  let start = 0;
  let span = 1;
  let gateways = 0;
  let lastPercent = -10;
  const wallStart = performance.now();
  const wall = (): string => `${((performance.now() - wallStart) / 1000).toFixed(1)}s`;
  return {
    phase: (name) => void stream.write(`[fleet ${wall()}] ${name}\n`),
    provisioned(done, total) {
      if (done === total || done % 1000 === 0) stream.write(`[fleet ${wall()}] SIMs ${done}/${total}\n`);
    },
    begin(s, sp, g) {
      start = s;
      span = Math.max(1, sp);
      gateways = g;
    },
    update(now, online) {
      const percent = Math.floor(((now - start) / span) * 100);
      if (percent >= lastPercent + 10) {
        lastPercent = percent - (percent % 10);
        stream.write(`[fleet ${wall()}] ${percent}% simulated ${formatDuration(now - start)}, online ${online}/${gateways}\n`);
      }
    },
    log: (line) => void stream.write(`[fleet ${wall()}] ${line}\n`),
    allOnline: (wallMs, n) => void stream.write(`[fleet ${wall()}] all ${n} gateways online, ${(wallMs / 1000).toFixed(1)} s after the start\n`),
    stop: () => {},
  };
}
