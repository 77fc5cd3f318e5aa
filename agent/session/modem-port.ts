/**
 * The AT port the session runs on: opens it (waiting for a device that is gone), closes it, and
 * sends commands on it. The one place that holds the channel, so a closed port is noticed once.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { AtPortClosedError } from '../at/errors.js';
import type { AtChannel, AtCommand } from '../at/types.js';
import type { ScriptStep } from '../modem/dialects.js';
import type { Counters } from './counters.js';
import type { PortProblem } from './session-status.js';
import type { SessionTimings } from './session-config.js';
import { StepFailure } from './step-failure.js';

/** What the port tells its watcher about the channel it holds. */
export interface PortEvents {
  /** A channel was opened: subscribe to it; the port drops these subscriptions with the channel. */
  opened(channel: AtChannel): Array<() => void>;
  /** The channel closed under the agent (device gone, TCP reset), not by `close()`. */
  closed(error?: Error): void;
}

export interface ModemPortOptions {
  /** Opens (or reopens) the AT channel; rejects while the device is absent. */
  openChannel(): Promise<AtChannel>;
  timings(): SessionTimings;
  events: PortEvents;
  clock: Clock;
  logger: Logger;
  counters: Counters;
  /**
   * Explains a failed open (`error`), or checks a port that opened (`undefined`: is another
   * process holding it too?). Absent for ports it cannot inspect (`tcp://`, an injected binding).
   */
  diagnose?(error: unknown): Promise<PortProblem | undefined>;
  /** The current problem with the port (undefined once it opened cleanly). */
  onProblem?(problem: PortProblem | undefined): void;
}

export class ModemPort {
  private current: AtChannel | undefined;
  private subscriptions: Array<() => void> = [];

  constructor(private readonly options: ModemPortOptions) {}

  /** The open channel, when there is one. */
  get channel(): AtChannel | undefined {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current?.isOpen === true;
  }

  send<T>(command: AtCommand<T>): Promise<T> {
    if (!this.current?.isOpen) throw new AtPortClosedError(undefined, 'AT port is not open');
    return this.current.send(command);
  }

  /** The answer, or undefined when the module refuses or does not answer; a closed port still throws. */
  async optional<T>(command: AtCommand<T>): Promise<T | undefined> {
    try {
      return await this.send(command);
    } catch (error) {
      if (error instanceof AtPortClosedError) throw error;
      return undefined;
    }
  }

  /** Runs a dialect script row by row; an optional row may be refused (its quirk is logged). */
  async script(steps: readonly ScriptStep[], signal: AbortSignal): Promise<void> {
    for (const row of steps) {
      if (signal.aborted) return;
      try {
        await this.send(row.command);
      } catch (error) {
        if (!row.optional || error instanceof AtPortClosedError) throw error;
        this.options.logger.debug({ err: error, quirk: row.quirk }, 'optional command refused');
      }
    }
  }

  /**
   * Opens the port unless it is open. A device that is missing may be re-enumerating (a module
   * reset, a brown-out): retried every `portRetryMs` for up to `portOpenTimeoutMs`. A problem that
   * waiting will not fix — permission denied, another process holding the port — fails the
   * attempt at once, so the session's backoff retries it. Either way the problem is reported the
   * first time it is seen, with what to do (`diagnose`), and kept in the status until the port
   * opens.
   */
  async open(signal: AbortSignal): Promise<void> {
    if (this.isOpen) return;
    const { clock, logger } = this.options;
    const { portOpenTimeoutMs, portRetryMs } = this.options.timings();
    const deadline = clock.now() + portOpenTimeoutMs;
    let reported: string | undefined;
    for (;;) {
      try {
        const channel = await this.options.openChannel();
        if (signal.aborted) {
          await channel.close().catch(() => undefined);
          return;
        }
        this.hold(channel);
        this.options.counters.add('port_opens');
        void this.checkShared();
        return;
      } catch (error) {
        const problem = await this.explain(error);
        if (problem && problem.message !== reported) {
          reported = problem.message;
          this.report(problem);
        }
        const fatalNow = problem !== undefined && problem.kind !== 'missing';
        if (fatalNow || clock.now() >= deadline) {
          const reason = problem ? `${problem.message}: ${problem.hint}` : `cannot open the AT port: ${(error as Error).message}`;
          throw new StepFailure({ kind: 'transient', step: 'open-port', reason });
        }
        logger.debug({ err: error }, 'AT port not available yet');
        await clock.sleep(portRetryMs, signal);
      }
    }
  }

  private async explain(error: unknown): Promise<PortProblem | undefined> {
    try {
      return await this.options.diagnose?.(error);
    } catch (diagnosisError) {
      this.options.logger.debug({ err: diagnosisError }, 'port diagnosis failed');
      return undefined;
    }
  }

  private report(problem: PortProblem): void {
    this.options.counters.add(`port_${problem.kind.replace(/-/g, '_')}`);
    this.options.logger.warn({ problem: problem.kind, hint: problem.hint }, `AT port problem: ${problem.message}`);
    this.options.onProblem?.(problem);
  }

  /** After an open: another process holding the port too (ModemManager) garbles every exchange. */
  private async checkShared(): Promise<void> {
    const shared = await this.explain(undefined);
    if (shared && this.isOpen) this.report(shared);
    else this.options.onProblem?.(undefined);
  }

  async close(): Promise<void> {
    const channel = this.current;
    this.release();
    if (channel) await channel.close().catch(() => undefined);
  }

  private hold(channel: AtChannel): void {
    this.current = channel;
    this.subscriptions.push(
      channel.onClose((error) => {
        if (this.current !== channel) return;
        this.release();
        this.options.counters.add('port_closed');
        this.options.logger.warn({ err: error }, 'AT port closed');
        this.options.events.closed(error);
      }),
      ...this.options.events.opened(channel),
    );
  }

  private release(): void {
    this.current = undefined;
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
  }
}
