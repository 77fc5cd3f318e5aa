import { describe, expect, it } from 'vitest';
import { initialState, planSteps, transition, type SessionEvent, type SessionState } from './machine.js';

function run(events: SessionEvent[], from: SessionState = initialState) {
  let state = from;
  const actions = [];
  for (const e of events) {
    const t = transition(state, e);
    state = t.next;
    actions.push(...t.actions);
  }
  return { state, actions };
}

/** Completes every step of the current attempt. */
function completeAll(state: SessionState): SessionEvent[] {
  return state.steps.map((_, i) => ({ type: 'step-done', attempt: state.attempt, stepIndex: i }) as const);
}

describe('session machine', () => {
  it('walks a full attach step by step to online, starting the liveness probe', () => {
    const started = transition(initialState, { type: 'start-attempt', plan: 'full' });
    expect(started.next.phase).toBe('opening-port');
    expect(started.actions).toEqual([{ type: 'run-step', step: 'open-port', attempt: 1, stepIndex: 0 }]);
    const phases: string[] = [];
    let state = started.next;
    for (const e of completeAll(state)) {
      const t = transition(state, e);
      state = t.next;
      phases.push(state.phase);
      if (state.phase === 'online') expect(t.actions).toEqual([{ type: 'online' }, { type: 'start-liveness' }]);
    }
    expect(phases).toEqual(['syncing', 'identifying', 'sim-wait', 'configuring', 'registering', 'activating', 'online']);
  });

  it('moves on from registering on a +CEREG 1/5 URC, and fails on a denial with its cause', () => {
    const { state } = run([{ type: 'start-attempt', plan: 'reactivate' }, { type: 'step-done', attempt: 1, stepIndex: 0 }]);
    expect(state.phase).toBe('registering');
    const registered = transition(state, { type: 'registration', registration: { stat: 5 } });
    expect(registered.next.phase).toBe('activating');
    expect(registered.actions[0]).toEqual({ type: 'cancel-step' });
    expect(transition(state, { type: 'registration', registration: { stat: 2 } }).next.phase).toBe('registering');
    const denied = transition(state, { type: 'registration', registration: { stat: 3, rejectCause: 7 } });
    expect(denied.next.phase).toBe('failed');
    expect(denied.actions).toContainEqual({
      type: 'attempt-failed',
      failure: { kind: 'registration-rejected', step: 'register', reason: 'registration denied', cause: 7 },
    });
  });

  it('ignores a late result of an abandoned attempt', () => {
    const { state } = run([
      { type: 'start-attempt', plan: 'reactivate' },
      { type: 'step-failed', attempt: 1, stepIndex: 0, failure: { kind: 'transient', reason: 'x' } },
      { type: 'start-attempt', plan: 'reactivate' },
    ]);
    expect(state.attempt).toBe(2);
    expect(transition(state, { type: 'step-done', attempt: 1, stepIndex: 0 }).next).toBe(state);
  });

  it.each([
    [{ type: 'registration', registration: { stat: 4 } }, 'registration-lost'],
    [{ type: 'loss', reason: 'pdp-deactivated' }, 'pdp-deactivated'],
    [{ type: 'loss', reason: 'module-restarted' }, 'module-restarted'],
    [{ type: 'loss', reason: 'port-closed' }, 'port-closed'],
    [{ type: 'loss', reason: 'unresponsive' }, 'unresponsive'],
  ] as const)('loses an online session on %j', (event, reason) => {
    const attached = run([{ type: 'start-attempt', plan: 'reactivate' }]);
    const online = run(completeAll(attached.state), attached.state).state;
    expect(online.phase).toBe('online');
    const lost = transition(online, event as SessionEvent);
    expect(lost.next.phase).toBe('lost');
    expect(lost.actions).toEqual([{ type: 'stop-liveness' }, { type: 'lost', reason }]);
  });

  it('fails an attempt in progress on a severe loss only, and lets a reset step see its own reboot', () => {
    const registering = run([{ type: 'start-attempt', plan: 'reactivate' }, { type: 'step-done', attempt: 1, stepIndex: 0 }]).state;
    expect(transition(registering, { type: 'loss', reason: 'pdp-deactivated' }).next).toBe(registering);
    expect(transition(registering, { type: 'loss', reason: 'port-closed' }).next.phase).toBe('failed');
    const resetting = transition(initialState, { type: 'start-attempt', plan: 'reset' }).next;
    expect(resetting.phase).toBe('resetting');
    expect(transition(resetting, { type: 'loss', reason: 'module-restarted' }).next).toBe(resetting);
    const syncing = run([{ type: 'start-attempt', plan: 'resync' }]).state;
    expect(transition(syncing, { type: 'loss', reason: 'module-restarted' }).next).toBe(syncing);
  });

  it('stops politely from online and ignores everything but stopped afterwards', () => {
    const attached = run([{ type: 'start-attempt', plan: 'reactivate' }]);
    const online = run(completeAll(attached.state), attached.state).state;
    const stopping = transition(online, { type: 'stop' });
    expect(stopping.next.phase).toBe('stopping');
    expect(stopping.actions).toContainEqual({ type: 'shutdown', wasOnline: true });
    expect(transition(stopping.next, { type: 'start-attempt', plan: 'full' }).next.phase).toBe('stopping');
    expect(transition(stopping.next, { type: 'stopped' }).next.phase).toBe('stopped');
  });

  it('every plan ends with registration then activation', () => {
    for (const steps of Object.values(planSteps)) expect(steps.slice(-2)).toEqual(['register', 'activate']);
  });
});
