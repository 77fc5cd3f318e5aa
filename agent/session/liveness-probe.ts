/**
 * The liveness probe while online: `AT+CSQ` every `liveness.intervalMs`, which also refreshes the
 * signal. `maxMisses` consecutive timeouts are the loss `unresponsive`; any answer, even `ERROR`,
 * proves the module alive.
 */
import type { TimerHandle } from '../../common/clock.js';
import { AtTimeoutError } from '../at/errors.js';
import { at } from '../modem/commands.js';
import type { SessionEvent } from './machine.js';
import type { SessionContext } from './session-context.js';

export class LivenessProbe {
  private timer: TimerHandle | undefined;
  private misses = 0;

  constructor(
    private readonly ctx: SessionContext,
    private readonly isOnline: () => boolean,
    private readonly emit: (event: SessionEvent) => void,
  ) {}

  start(): void {
    this.misses = 0;
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.ctx.clock.setTimeout(() => void this.probe(), this.ctx.config.liveness.intervalMs);
  }

  private async probe(): Promise<void> {
    this.timer = undefined;
    if (!this.isOnline()) return;
    const { ctx } = this;
    const { timeoutMs, maxMisses } = ctx.config.liveness;
    try {
      ctx.facts.signal = await ctx.port.send({ ...at.signal(), timeoutMs });
      this.misses = 0;
    } catch (error) {
      if (error instanceof AtTimeoutError) {
        this.misses++;
        ctx.counters.add('probe_timeouts');
        ctx.log.warn({ misses: this.misses }, 'liveness probe timed out');
        if (this.misses >= maxMisses) {
          this.emit({ type: 'loss', reason: 'unresponsive' });
          return;
        }
      } else {
        this.misses = 0;
      }
    }
    if (this.isOnline() && !this.timer) this.schedule();
  }
}
