/**
 * The step executors: what each attach step of the machine (`Step`) does over the AT channel.
 * The driver runs one at a time under an abort signal and turns its outcome into an event.
 */
import type { Step } from './machine.js';
import { configure, identify, sync, waitSim } from './bring-up-steps.js';
import { activate, deactivate, register } from './data-session-steps.js';
import { radioCycle, resetModule, type ResetHooks } from './recovery-steps.js';
import type { SessionContext } from './session-context.js';

/** Does one step's work; throws a `StepFailure` (or an AT error) when the step fails. */
export type StepExecutor = (signal: AbortSignal) => Promise<void>;

export function stepExecutors(ctx: SessionContext, hooks: ResetHooks): Readonly<Record<Step, StepExecutor>> {
  return {
    'close-port': () => ctx.port.close(),
    'open-port': (signal) => ctx.port.open(signal),
    'reset-module': (signal) => resetModule(ctx, hooks, signal),
    sync: (signal) => sync(ctx, signal),
    identify: (signal) => identify(ctx, signal),
    sim: (signal) => waitSim(ctx, signal),
    configure: (signal) => configure(ctx, signal),
    'radio-cycle': (signal) => radioCycle(ctx, signal),
    deactivate: () => deactivate(ctx).then(() => undefined),
    register: (signal) => register(ctx, signal),
    activate: (signal) => activate(ctx, signal),
  };
}
