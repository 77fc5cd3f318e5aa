/**
 * Tells systemd how the agent is doing (`Type=notify`, `WatchdogSec=`; sd_notify(3)): `READY=1`
 * once it runs, `STATUS=` lines a person sees in `systemctl status`, `WATCHDOG=1` from the
 * health loop, `STOPPING=1` when it stops.
 *
 * [choice] Through the `systemd-notify` program rather than a socket of our own: the protocol is
 * a datagram on the AF_UNIX socket in `$NOTIFY_SOCKET`, which Node cannot open without a native
 * addon (the npm packages for it, `sd-notify` and `unix-dgram`, are both native builds). Every
 * systemd has the program; since v246 it waits until the manager has read the message (a
 * barrier), so the message is never dropped for coming from a process that already exited — the
 * unit still needs `NotifyAccess=all`, since the sender is a child of the agent. One short
 * process every `WatchdogSec / 3` (20 s with the shipped unit) is the cost.
 *
 * Outside systemd (no `$NOTIFY_SOCKET`) nothing is sent and nothing is spawned.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../../common/log.js';

export interface ServiceNotifier {
  ready(status: string): void;
  status(status: string): void;
  watchdog(): void;
  stopping(status: string): void;
  /** How often the health loop must call `watchdog()` (ms), or undefined without a systemd watchdog. */
  readonly watchdogIntervalMs: number | undefined;
}

/** Runs `systemd-notify` with the given assignments (injectable for tests). */
export type NotifyRunner = (assignments: string[]) => Promise<void>;

const runSystemdNotify: NotifyRunner = (assignments) =>
  new Promise((resolve, reject) => {
    execFile('systemd-notify', assignments, { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
  });

/**
 * The notifier for this process, or undefined when systemd is not listening. `WATCHDOG_USEC`
 * (set by systemd from `WatchdogSec=`) gives the watchdog period; the health loop pings at a
 * third of it, so one late ping never trips it.
 */
export function serviceNotifier(options: { env: NodeJS.ProcessEnv; logger: Logger; run?: NotifyRunner; pid?: number }): ServiceNotifier | undefined {
  const { env, logger } = options;
  if (!env.NOTIFY_SOCKET) return undefined;
  const run = options.run ?? runSystemdNotify;
  // WATCHDOG_PID, when set, names the process the watchdog is for; not us → no watchdog.
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === (options.pid ?? process.pid);
  const usec = Number(env.WATCHDOG_USEC);
  const watchdogIntervalMs = forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1_000, Math.floor(usec / 1000 / 3)) : undefined;
  let failed = false;
  const send = (assignments: string[]): void => {
    run(assignments).then(
      () => {
        failed = false;
      },
      (error: unknown) => {
        // Said once per run of failures, not at every ping.
        if (!failed) logger.error({ err: (error as Error).message }, 'cannot notify systemd (is systemd-notify installed?)');
        failed = true;
      },
    );
  };
  const line = (status: string): string => `STATUS=${status.replace(/\n/g, ' ').slice(0, 200)}`;
  return {
    watchdogIntervalMs,
    ready: (status) => send(['READY=1', line(status)]),
    status: (status) => send([line(status)]),
    watchdog: () => send(['WATCHDOG=1']),
    stopping: (status) => send(['STOPPING=1', line(status)]),
  };
}
