/** The steps that recover a module the gentle ones could not: radio cycle and module reset. */
import { at } from '../modem/commands.js';
import type { SessionContext } from './session-context.js';
import { StepFailure } from './step-failure.js';

/** `AT+CFUN=0`, `radioOffMs`, `AT+CFUN=1`: the module detaches and attaches anew. */
export async function radioCycle(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  ctx.counters.add('radio_cycles');
  await ctx.port.send(at.radio(false));
  await ctx.clock.sleep(ctx.config.timings.radioOffMs, signal);
  await ctx.port.send(at.radio(true));
}

export interface ResetHooks {
  /** Resolves at the next boot URC, or when the port blinks. */
  nextBoot(): Promise<void>;
  /** Tells the reconnect policy, which allows one reset per `resetMinIntervalMs`. */
  recordReset(): void;
}

/**
 * The dialect's reset command, then the boot URC; a USB module's port may come back later. A
 * module that prints no boot URC (u-blox SARA, Telit ME910) is given `resetSettleMs` to go down,
 * then polled with `AT` until it answers.
 */
export async function resetModule(ctx: SessionContext, hooks: ResetHooks, signal: AbortSignal): Promise<void> {
  ctx.counters.add('module_resets');
  hooks.recordReset();
  const dialect = ctx.modem.dialect;
  const booted = hooks.nextBoot();
  try {
    await ctx.port.send(dialect?.reset ?? at.reset());
  } catch (error) {
    // A module that reboots at once may never say OK; the boot URC is what counts.
    ctx.log.debug({ err: error }, 'reset command ended without OK');
  }
  const { resetBootTimeoutMs, resetSettleMs, portRetryMs } = ctx.config.timings;
  const deadline = ctx.clock.now() + resetBootTimeoutMs;
  if (dialect && dialect.bootUrc === undefined) {
    await ctx.clock.sleep(resetSettleMs, signal);
    for (;;) {
      if (!ctx.port.isOpen) await ctx.port.open(signal);
      const answered = await ctx.port.optional(at.ping(portRetryMs)).then(() => true, () => false);
      if (answered) return;
      if (ctx.clock.now() >= deadline) throw new StepFailure({ kind: 'transient', step: 'reset-module', reason: 'module does not answer AT after reset' });
      await ctx.clock.sleep(portRetryMs, signal);
    }
  }
  const timeout = ctx.clock.sleep(resetBootTimeoutMs, signal).then(() => 'timeout' as const);
  const outcome = await Promise.race([booted.then(() => 'booted' as const), timeout]);
  if (outcome === 'timeout') throw new StepFailure({ kind: 'transient', step: 'reset-module', reason: 'no boot URC after reset' });
  // USB modules re-enumerate on reset: the port may be gone; wait for it to come back.
  if (!ctx.port.isOpen) await ctx.port.open(signal);
}
