/**
 * `startReplayModem`: a recording (common/at-recording.ts) served as a modem on a pty, a TCP
 * serial server or the in-process binding — the same exposures as a simulated module.
 */
import { readFile } from 'node:fs/promises';
import { RealClock, type Clock } from '../../common/clock.js';
import { parseRecording } from '../../common/at-recording.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { exposeModemPort, type Exposed, type SimulatedModemOptions } from '../index.js';
import type { InProcessRegistry } from '../transport/in-process-binding.js';
import { ReplayModem } from './replay-modem.js';

export { ReplayModem, exchangesOf } from './replay-modem.js';

export interface ReplayHandle extends Exposed {
  readonly modem: ReplayModem;
  close(): Promise<void>;
}

let replayCounter = 0;

export async function startReplayModem(options: {
  /** The recording file, or its text. */
  file?: string;
  text?: string;
  speed?: number;
  clock?: Clock;
  logger?: Logger;
  expose: NonNullable<SimulatedModemOptions['expose']>;
  registry?: InProcessRegistry;
}): Promise<ReplayHandle> {
  const text = options.text ?? (options.file ? await readFile(options.file, 'utf8') : undefined);
  if (text === undefined) throw new RangeError('startReplayModem needs a file or a text');
  const { header, lines } = parseRecording(text);
  const logger = options.logger ?? silentLogger();
  const modem = new ReplayModem(header, lines, { clock: options.clock ?? new RealClock(), logger, ...(options.speed !== undefined ? { speed: options.speed } : {}) });
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    modem.close();
  };
  try {
    const exposed = await exposeModemPort(modem, options.expose, {
      id: `replay-${++replayCounter}`,
      logger,
      closers,
      ...(options.registry ? { registry: options.registry } : {}),
    });
    modem.start();
    return { modem, ...exposed, close };
  } catch (error) {
    await close();
    throw error;
  }
}
