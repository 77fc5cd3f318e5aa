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

/** The dialect's reset command, then the boot URC; a USB module's port may come back later. */
export async function resetModule(ctx: SessionContext, hooks: ResetHooks, signal: AbortSignal): Promise<void> {
  ctx.counters.add('module_resets');
  hooks.recordReset();
  const booted = hooks.nextBoot();
  try {
    await ctx.port.send(ctx.modem.dialect?.reset ?? at.reset());
  } catch (error) {
    // A module that reboots at once may never say OK; the boot URC is what counts.
    ctx.log.debug({ err: error }, 'reset command ended without OK');
  }
  const timeout = ctx.clock.sleep(ctx.config.timings.resetBootTimeoutMs, signal).then(() => 'timeout' as const);
  const outcome = await Promise.race([booted.then(() => 'booted' as const), timeout]);
  if (outcome === 'timeout') throw new StepFailure({ kind: 'transient', step: 'reset-module', reason: 'no boot URC after reset' });
  // USB modules re-enumerate on reset: the port may be gone; wait for it to come back.
  if (!ctx.port.isOpen) await ctx.port.open(signal);
}
