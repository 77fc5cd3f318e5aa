/**
 * `cellgate sim --replay FILE [--speed F] [--pty [link]] [--tcp PORT]`: serves a recording as a
 * modem until Ctrl-C (or `quit` on stdin), then reports what the host asked that the recording
 * never saw. `status` on stdin prints the same report as JSON.
 */
import { createInterface } from 'node:readline';
import type { Logger } from '../../common/log.js';
import { startReplayModem, type ReplayHandle } from './index.js';

function report(handle: ReplayHandle): { answered: number; unseen: readonly string[]; unused: number } {
  return { answered: handle.modem.answered, unseen: handle.modem.unseen, unused: handle.modem.unused.length };
}

export async function runReplay(options: {
  file: string;
  speed: number;
  pty: boolean | { link: string };
  tcp?: { port: number; host?: string };
  stdin: boolean;
  logger: Logger;
}): Promise<number> {
  let handle: ReplayHandle;
  try {
    handle = await startReplayModem({
      file: options.file,
      speed: options.speed,
      logger: options.logger,
      expose: { ...(options.pty ? { pty: options.pty } : {}), ...(options.tcp ? { tcp: options.tcp } : {}) },
    });
  } catch (error) {
    console.error(`cellgate sim: cannot replay ${options.file}: ${(error as Error).message}`);
    return 2;
  }
  const { header } = handle.modem;
  console.log(`replaying ${options.file} (recorded ${header.started} on ${header.port} by ${header.tool}) at speed ${options.speed}`);
  if (handle.ptyPath) console.log(`device: ${handle.ptyPath}`);
  if (handle.tcpUrl) console.log(`tcp: ${handle.tcpUrl}`);
  return new Promise<number>((resolve) => {
    let done = false;
    const stop = async (): Promise<void> => {
      if (done) return;
      done = true;
      rl?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const r = report(handle);
      await handle.close();
      console.log(`replay: ${r.answered} commands answered from the recording, ${r.unused} recorded exchanges never asked for`);
      if (r.unseen.length > 0) console.log(`replay: commands the recording never saw (answered ERROR):\n${r.unseen.map((c) => `  ${c}`).join('\n')}`);
      resolve(0);
    };
    const onSignal = (): void => void stop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const rl = options.stdin ? createInterface({ input: process.stdin }) : undefined;
    rl?.on('line', (line) => {
      const verb = line.trim();
      if (verb === 'quit' || verb === 'exit') void stop();
      else if (verb === 'status') console.log(JSON.stringify(report(handle), null, 2));
      else if (verb !== '') console.log('replay control: status | quit');
    });
  });
}
