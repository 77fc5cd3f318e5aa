/**
 * The attach / session state machine, as a pure function (after XState): `transition(state,
 * event) → { next, actions }`. No I/O, no clock, no callbacks: the session driver feeds it events
 * from one queue and carries out the actions it returns.
 *
 * An attempt runs a *plan*: an ordered list of steps (open the port, sync, identify, ...). Each
 * step is an effect the driver runs; its result comes back as an event tagged with the attempt
 * and step index, so a late result of an abandoned step is recognised and dropped.
 */
import { isRegistered, type Registration } from '../modem/parsers.js';

/** One unit of attach work, run by the driver. */
export type Step =
  | 'close-port'
  | 'open-port'
  | 'reset-module'
  | 'sync'
  | 'identify'
  | 'sim'
  | 'configure'
  | 'radio-cycle'
  | 'deactivate'
  | 'register'
  | 'activate';

/** Named step sequences; the reconnect ladder climbs them (docs/agent.md). */
export type Plan = 'full' | 'resync' | 'reactivate' | 'radio-cycle' | 'reset' | 'reopen' | 'reconfigure';

const identifyToRegister: readonly Step[] = ['sync', 'identify', 'sim', 'configure', 'register', 'activate'];

export const planSteps: Readonly<Record<Plan, readonly Step[]>> = {
  full: ['open-port', ...identifyToRegister],
  /** After a module restart (`RDY`): the port is fine, the module forgot everything. */
  resync: identifyToRegister,
  reactivate: ['deactivate', 'register', 'activate'],
  'radio-cycle': ['radio-cycle', 'register', 'activate'],
  reset: ['reset-module', ...identifyToRegister],
  reopen: ['close-port', 'open-port', ...identifyToRegister],
  /** New APN / RAT settings from the platform: drop the session, write them, re-register. */
  reconfigure: ['deactivate', 'configure', 'radio-cycle', 'register', 'activate'],
};

export type Phase =
  | 'idle'
  | 'closing-port'
  | 'opening-port'
  | 'resetting'
  | 'syncing'
  | 'identifying'
  | 'sim-wait'
  | 'configuring'
  | 'radio-cycling'
  | 'deactivating'
  | 'registering'
  | 'activating'
  | 'online'
  | 'lost'
  | 'failed'
  | 'backoff'
  | 'stopping'
  | 'stopped';

const stepPhase: Readonly<Record<Step, Phase>> = {
  'close-port': 'closing-port',
  'open-port': 'opening-port',
  'reset-module': 'resetting',
  sync: 'syncing',
  identify: 'identifying',
  sim: 'sim-wait',
  configure: 'configuring',
  'radio-cycle': 'radio-cycling',
  deactivate: 'deactivating',
  register: 'registering',
  activate: 'activating',
};

/** Why the session went away, as detected while online (or while attaching, for severe ones). */
export type LossReason =
  | 'registration-lost'
  | 'detached'
  | 'pdp-deactivated'
  | 'module-restarted'
  | 'module-powered-down'
  | 'sim-removed'
  | 'port-closed'
  | 'unresponsive'
  /** The platform (or the operator) asked for a reconnect, a modem reboot or new settings. */
  | 'requested';

/** Losses that end an attempt in progress too: the module or its port is gone from under it. */
const severeLosses: ReadonlySet<LossReason> = new Set(['module-restarted', 'module-powered-down', 'sim-removed', 'port-closed', 'unresponsive']);

/** Why an attempt failed; the reconnect policy reads `kind` and `severity`. */
export interface Failure {
  readonly kind: 'transient' | 'registration-rejected' | 'session-refused' | 'sim-unavailable' | 'lost';
  readonly step?: Step;
  readonly reason: string;
  /** EMM (registration) or ESM (session) cause, 3GPP TS 24.301. */
  readonly cause?: number;
  readonly severity?: 'temporary' | 'permanent';
  readonly loss?: LossReason;
}

/** A registration reject (`+CEREG` stat 3), with its EMM cause when the module gave one. */
export function registrationDenied(cause: number | undefined): Failure {
  return { kind: 'registration-rejected', step: 'register', reason: 'registration denied', ...(cause !== undefined ? { cause } : {}) };
}

export interface SessionState {
  readonly phase: Phase;
  /** Increments with each attempt; step results carry it. */
  readonly attempt: number;
  readonly plan?: Plan;
  readonly steps: readonly Step[];
  readonly stepIndex: number;
}

export type SessionEvent =
  | { type: 'start-attempt'; plan: Plan }
  | { type: 'step-done'; attempt: number; stepIndex: number }
  | { type: 'step-failed'; attempt: number; stepIndex: number; failure: Failure }
  | { type: 'registration'; registration: Registration }
  | { type: 'loss'; reason: LossReason }
  | { type: 'backoff' }
  | { type: 'stop' }
  | { type: 'stopped' };

export type SessionAction =
  | { type: 'run-step'; step: Step; attempt: number; stepIndex: number }
  | { type: 'cancel-step' }
  | { type: 'online' }
  | { type: 'attempt-failed'; failure: Failure }
  | { type: 'lost'; reason: LossReason }
  | { type: 'start-liveness' }
  | { type: 'stop-liveness' }
  | { type: 'shutdown'; wasOnline: boolean };

export interface Transition {
  readonly next: SessionState;
  readonly actions: readonly SessionAction[];
}

export const initialState: SessionState = { phase: 'idle', attempt: 0, steps: [], stepIndex: 0 };

/** Whether the machine is running a plan step right now. */
export function isAttaching(state: SessionState): boolean {
  return state.plan !== undefined && state.stepIndex < state.steps.length && state.phase === stepPhase[state.steps[state.stepIndex]!];
}

function runStep(state: SessionState, stepIndex: number): Transition {
  const step = state.steps[stepIndex];
  if (step === undefined) {
    return { next: { ...state, phase: 'online', stepIndex }, actions: [{ type: 'online' }, { type: 'start-liveness' }] };
  }
  return {
    next: { ...state, phase: stepPhase[step], stepIndex },
    actions: [{ type: 'run-step', step, attempt: state.attempt, stepIndex }],
  };
}

function fail(state: SessionState, failure: Failure): Transition {
  return { next: { ...state, phase: 'failed' }, actions: [{ type: 'cancel-step' }, { type: 'attempt-failed', failure }] };
}

const unchanged = (state: SessionState): Transition => ({ next: state, actions: [] });

/** The machine. Events that make no sense in the current phase leave it unchanged. */
export function transition(state: SessionState, event: SessionEvent): Transition {
  if (state.phase === 'stopped') return unchanged(state);
  if (state.phase === 'stopping') return event.type === 'stopped' ? { next: { ...state, phase: 'stopped' }, actions: [] } : unchanged(state);

  switch (event.type) {
    case 'stop': {
      const wasOnline = state.phase === 'online';
      const actions: SessionAction[] = [{ type: 'cancel-step' }];
      if (wasOnline) actions.push({ type: 'stop-liveness' });
      actions.push({ type: 'shutdown', wasOnline });
      return { next: { ...state, phase: 'stopping' }, actions };
    }
    case 'stopped':
      return { next: { ...state, phase: 'stopped' }, actions: [] };
    case 'start-attempt': {
      if (isAttaching(state) || state.phase === 'online') return unchanged(state);
      const base: SessionState = { phase: state.phase, attempt: state.attempt + 1, plan: event.plan, steps: planSteps[event.plan], stepIndex: 0 };
      return runStep(base, 0);
    }
    case 'step-done': {
      if (!isAttaching(state) || event.attempt !== state.attempt || event.stepIndex !== state.stepIndex) return unchanged(state);
      return runStep(state, state.stepIndex + 1);
    }
    case 'step-failed': {
      if (!isAttaching(state) || event.attempt !== state.attempt || event.stepIndex !== state.stepIndex) return unchanged(state);
      return fail(state, event.failure);
    }
    case 'registration': {
      const { stat } = event.registration;
      if (state.phase === 'registering') {
        if (isRegistered(stat)) {
          const advanced = runStep(state, state.stepIndex + 1);
          return { next: advanced.next, actions: [{ type: 'cancel-step' }, ...advanced.actions] };
        }
        if (stat === 3) return fail(state, registrationDenied(event.registration.rejectCause));
        return unchanged(state);
      }
      if (state.phase === 'online' && !isRegistered(stat)) {
        return lose(state, 'registration-lost');
      }
      return unchanged(state);
    }
    case 'loss': {
      if (state.phase === 'online') return lose(state, event.reason);
      if (isAttaching(state) && severeLosses.has(event.reason)) {
        // A reset step expects its module to restart and its port may blink; that is its job.
        const step = state.steps[state.stepIndex];
        if (step === 'reset-module' && (event.reason === 'module-restarted' || event.reason === 'port-closed')) return unchanged(state);
        if (step === 'close-port' && event.reason === 'port-closed') return unchanged(state);
        // A module still booting prints its boot URC while the agent syncs: nothing is lost yet.
        if ((step === 'open-port' || step === 'sync') && event.reason === 'module-restarted') return unchanged(state);
        return fail(state, { kind: 'lost', reason: event.reason, loss: event.reason, ...(step ? { step } : {}) });
      }
      return unchanged(state);
    }
    case 'backoff':
      return state.phase === 'failed' || state.phase === 'idle' ? { next: { ...state, phase: 'backoff' }, actions: [] } : unchanged(state);
  }
}

function lose(state: SessionState, reason: LossReason): Transition {
  return { next: { ...state, phase: 'lost' }, actions: [{ type: 'stop-liveness' }, { type: 'lost', reason }] };
}
