/**
 * The liveness probe while online: `AT+CSQ` every `liveness.intervalMs`, which also refreshes the
 * signal. `maxMisses` consecutive timeouts are the loss `unresponsive`; any answer, even `ERROR`,
 * proves the module alive.
 */
import type { TimerHandle } from '../../common/clock.js';
import { DEFAULT_RESYNC_ATTEMPTS, DEFAULT_RESYNC_TIMEOUT_MS } from '../at/channel.js';
import { AtTimeoutError } from '../at/errors.js';
import type { LivenessConfig } from './session-config.js';
import { at } from '../modem/commands.js';
import type { SessionEvent } from './machine.js';
import type { SessionContext } from './session-context.js';

/**
 * The longest an online agent takes to declare a module that stopped answering (muted, or
 * answering noise instead of result codes) `unresponsive`, counted from the last answer: the
 * first probe comes `intervalMs` later and times out after `timeoutMs`; every later probe waits
 * behind the channel's resync (`AT+CMEE?`, `resyncAttempts` × `resyncTimeoutMs`) before it
 * counts as a miss. Defaults: 30 s + 5 s + 2 × (30 s + 3 × 2 s) = 107 s (docs/agent.md).
 */
export function livenessBoundMs(
  liveness: LivenessConfig,
  channel: { resyncTimeoutMs: number; resyncAttempts: number } = { resyncTimeoutMs: DEFAULT_RESYNC_TIMEOUT_MS, resyncAttempts: DEFAULT_RESYNC_ATTEMPTS },
): number {
  const later = liveness.intervalMs + Math.max(liveness.timeoutMs, channel.resyncAttempts * channel.resyncTimeoutMs);
  return liveness.intervalMs + liveness.timeoutMs + (liveness.maxMisses - 1) * later;
}

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
