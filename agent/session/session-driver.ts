/**
 * The session driver: owns the one `SessionState`, feeds the pure machine from one event queue
 * and carries out its actions with the effects handed to it (the step executors, the loss watch,
 * the liveness probe). The reconnect loop around it is p-retry, with every wait slept on the
 * injected clock.
 *
 * Nothing here reconnects behind the machine's back: URC handlers and timers only enqueue events.
 */
import pRetry from 'p-retry';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { AtChannel } from '../at/types.js';
import { at } from '../modem/commands.js';
import type { ApnSettings, RatPreference } from '../modem/dialects.js';
import type { SignalQuality } from '../modem/parsers.js';
import { Counters } from './counters.js';
import { deactivate, diagnoseRejection } from './data-session-steps.js';
import { LivenessProbe } from './liveness-probe.js';
import { LossWatch } from './loss-watch.js';
import {
  initialState,
  transition,
  type Failure,
  type LossReason,
  type Plan,
  type SessionAction,
  type SessionEvent,
  type SessionState,
  type Step,
} from './machine.js';
import { ModemPort } from './modem-port.js';
import { firstPlanFor, ReconnectPolicy, reopenIfClosed } from './reconnect-policy.js';
import type { SessionConfig } from './session-config.js';
import type { ModemMemory, SessionContext } from './session-context.js';
import { statusSnapshot, type SessionFacts, type SessionStatus, type StateChange } from './session-status.js';
import { StepFailure } from './step-failure.js';
import { stepExecutors, type StepExecutor } from './steps.js';

export type { PortProblem, SessionStatus, StateChange } from './session-status.js';
import type { PortProblem } from './session-status.js';

/**
 * What `stop()` did with the data session: `closed` (deactivated politely), `not-closed` (it was
 * up and could not be deactivated — the port went away, the module did not answer in time), or
 * `none` (there was no session to close).
 */
export interface SessionStopOutcome {
  dataSession: 'closed' | 'not-closed' | 'none';
}

export interface SessionDriverOptions {
  /** Opens (or reopens) the AT channel; rejects while the device is absent. */
  openChannel(): Promise<AtChannel>;
  config: SessionConfig;
  clock: Clock;
  logger: Logger;
  /** Random source of the backoff jitter, [0, 1). */
  random?: () => number;
  /** Explains AT port failures (see `ModemPortOptions.diagnose`); absent for ports it cannot inspect. */
  diagnosePort?(error: unknown): Promise<PortProblem | undefined>;
}

/** An attempt's failure, thrown into p-retry (never a TypeError, which p-retry would not retry). */
export class AttachFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`attach failed${failure.step ? ` at ${failure.step}` : ''}: ${failure.reason}`);
    this.name = 'AttachFailure';
  }
}

const stopped = Symbol('stopped');

export class SessionDriver {
  private state: SessionState = initialState;
  private readonly queue: SessionEvent[] = [];
  private pumping = false;
  private stepAbort: AbortController | undefined;
  private readonly stopController = new AbortController();
  private pendingAttempt: { resolve(): void; reject(error: unknown): void } | undefined;
  private lossWaiter: ((reason: LossReason) => void) | undefined;
  private pendingLoss: LossReason | undefined;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly policy: ReconnectPolicy;
  private readonly counters = new Counters();
  private readonly facts: SessionFacts = {};
  private readonly modem: ModemMemory = { dialect: undefined, needsResync: false, domains: ['eps'], registrations: {}, echoOff: false };
  private readonly port: ModemPort;
  private readonly context: SessionContext;
  private readonly lossWatch: LossWatch;
  private readonly liveness: LivenessProbe;
  private readonly steps: Readonly<Record<Step, StepExecutor>>;
  private running: Promise<void> | undefined;
  private stoppedPromise: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  private stopOutcome: SessionStopOutcome = { dataSession: 'none' };
  /**
   * A data session came up and has not been seen to end on the network side: it was lost with
   * the AT port (closed, unresponsive), so nobody knows whether the module still holds it.
   */
  private sessionMayBeOpen = false;
  /** A plan asked for from outside (`requestReconnect`), used by the next attempt. */
  private requestedPlan: Plan | undefined;
  private wakeBackoff: AbortController | undefined;

  constructor(private readonly options: SessionDriverOptions) {
    this.policy = new ReconnectPolicy(options.config.reconnect, options.random);
    const emit = (event: SessionEvent) => this.enqueue(event);
    this.port = new ModemPort({
      openChannel: () => options.openChannel(),
      timings: () => this.config.timings,
      events: { opened: (channel) => this.lossWatch.opened(channel), closed: () => this.lossWatch.closed() },
      clock: options.clock,
      logger: options.logger,
      counters: this.counters,
      ...(options.diagnosePort ? { diagnose: options.diagnosePort } : {}),
      onProblem: (problem) => {
        if (problem) this.facts.port = problem;
        else delete this.facts.port;
      },
    });
    const { port, modem, facts, counters } = this;
    this.context = {
      port,
      modem,
      facts,
      counters,
      clock: options.clock,
      log: options.logger,
      // applySettings replaces options.config: read it at each use.
      get config() {
        return options.config;
      },
    };
    this.lossWatch = new LossWatch(this.context, emit);
    this.liveness = new LivenessProbe(this.context, () => this.state.phase === 'online', emit);
    this.steps = stepExecutors(this.context, {
      nextBoot: () => this.lossWatch.nextBoot(),
      recordReset: () => this.policy.recordReset(this.clock.now()),
    });
  }

  private get clock(): Clock {
    return this.options.clock;
  }
  private get log(): Logger {
    return this.options.logger;
  }
  private get config(): SessionConfig {
    return this.options.config;
  }

  /** Starts attaching and keeps the session up until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = this.supervise().catch((error: unknown) => {
      this.log.error({ err: error }, 'session supervisor ended with an error');
    });
  }

  /**
   * Deactivates the data session politely, closes the port and stops every timer. Resolves with
   * what became of the data session, so a caller never claims a clean stop that was not.
   */
  async stop(): Promise<SessionStopOutcome> {
    if (!this.stoppedPromise) {
      this.stoppedPromise = new Promise((resolve) => (this.resolveStopped = resolve));
      this.stopController.abort(stopped);
      this.enqueue({ type: 'stop' });
    }
    await this.stoppedPromise;
    await this.running;
    return this.stopOutcome;
  }

  /** A snapshot for the status endpoint and the MQTT link. */
  status(): SessionStatus {
    return statusSnapshot(this.facts, this.state, this.counters);
  }

  /** Transition counters and failure counters, for a metrics endpoint. */
  metrics(): Readonly<Record<string, number>> {
    return this.counters.snapshot();
  }

  /** Called on every state change; returns an unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asks for a new attach now (platform commands `reconnect`, `reboot-modem`): while online the
   * session is dropped and rebuilt with `plan`; while backing off the wait ends early; while
   * attaching, the request applies once that attempt is through. False when stopping.
   */
  requestReconnect(plan: Plan = 'reactivate'): boolean {
    if (this.stopController.signal.aborted) return false;
    this.requestedPlan = plan;
    this.counters.add('requested_reconnects');
    if (this.state.phase === 'online') this.enqueue({ type: 'loss', reason: 'requested' });
    else this.wakeBackoff?.abort();
    return true;
  }

  /** New APN and/or RAT (platform commands `set-apn`, `set-rat`): written to the module by a `reconfigure` attempt. */
  applySettings(settings: { apn?: ApnSettings; rat?: RatPreference }): boolean {
    if (this.stopController.signal.aborted) return false;
    this.options.config = { ...this.options.config, ...(settings.apn ? { apn: settings.apn } : {}), ...(settings.rat ? { rat: settings.rat } : {}) };
    return this.requestReconnect('reconfigure');
  }

  /** The settings in force (the configured ones, or those `applySettings` set). */
  get settings(): { apn: ApnSettings; rat: RatPreference } {
    return { apn: this.config.apn, rat: this.config.rat };
  }

  /** Reads the signal now (platform command `refresh-status`); undefined without a port. */
  async refreshSignal(): Promise<SignalQuality | undefined> {
    if (!this.port.isOpen) return undefined;
    try {
      const quality = await this.port.optional(at.signal());
      if (quality) this.facts.signal = quality;
      return quality;
    } catch {
      return undefined;
    }
  }

  /** The open AT channel, when there is one (the LPA and the CLI passthrough share it). */
  get atChannel(): AtChannel | undefined {
    return this.port.channel;
  }

  // ---- the reconnect loop -------------------------------------------------------------------

  private async supervise(): Promise<void> {
    const signal = this.stopController.signal;
    let first: Plan = firstPlanFor('start');
    while (!signal.aborted) {
      try {
        await pRetry(() => this.attempt(first), {
          retries: Number.POSITIVE_INFINITY,
          // p-retry's own sleep uses global timers; ours goes through the clock below.
          minTimeout: 0,
          factor: 1,
          signal,
          shouldRetry: () => !signal.aborted,
          onFailedAttempt: ({ error }) => this.backOff(error, signal),
        });
      } catch (error) {
        if (signal.aborted) break;
        this.log.error({ err: error }, 'reconnect loop failed; starting over');
        await this.clock.sleep(this.config.reconnect.maxDelayMs, signal).catch(() => undefined);
        continue;
      }
      this.policy.online();
      const reason = await this.untilLost();
      if (reason === undefined) break;
      first = firstPlanFor(reason);
    }
  }

  /** One attempt of a recovery that started with `first`: resolves online, rejects with an `AttachFailure`. */
  private attempt(first: Plan): Promise<void> {
    const plan = this.nextPlan(first);
    this.policy.recordAttempt(this.clock.now());
    this.counters.add('attempts');
    this.counters.add(`plan_${plan}`);
    delete this.facts.nextAttemptAt;
    return new Promise((resolve, reject) => {
      this.pendingAttempt = { resolve, reject };
      this.enqueue({ type: 'start-attempt', plan });
    });
  }

  /** The requested plan or the policy's, narrowed to what the port and the module allow. */
  private nextPlan(first: Plan): Plan {
    const portOpen = this.port.isOpen;
    const requested = this.requestedPlan;
    this.requestedPlan = undefined;
    let plan = requested ? reopenIfClosed(requested, portOpen) : this.policy.planFor(first, this.clock.now(), portOpen);
    if (plan === 'reconfigure' && !this.modem.dialect) plan = 'resync';
    if (this.modem.needsResync && (plan === 'reactivate' || plan === 'radio-cycle' || plan === 'reconfigure')) plan = 'resync';
    return plan;
  }

  /** Records a failed attempt and sleeps its backoff on the clock (a reconnect request ends it early). */
  private async backOff(error: Error, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const failure = error instanceof AttachFailure ? error.failure : { kind: 'transient' as const, reason: error.message };
    const delay = this.policy.afterFailure(failure, this.clock.now());
    this.counters.add(`failures_${failure.kind}`);
    if (delay.kind === 'rest') this.counters.add('rests');
    this.facts.lastFailure = failure;
    this.facts.nextAttemptAt = this.clock.now() + delay.delayMs;
    this.log.warn({ failure, delayMs: delay.delayMs, wait: delay.kind, rateLimitedMs: delay.rateLimitedMs }, 'attach attempt failed');
    this.enqueue({ type: 'backoff' });
    if (this.requestedPlan) return;
    const wake = new AbortController();
    this.wakeBackoff = wake;
    try {
      await this.clock.sleep(delay.delayMs, AbortSignal.any([signal, wake.signal]));
    } catch (error) {
      signal.throwIfAborted();
      if (!wake.signal.aborted) throw error;
    } finally {
      this.wakeBackoff = undefined;
    }
  }

  private untilLost(): Promise<LossReason | undefined> {
    if (this.stopController.signal.aborted) return Promise.resolve(undefined);
    if (this.pendingLoss) {
      const reason = this.pendingLoss;
      this.pendingLoss = undefined;
      return Promise.resolve(reason);
    }
    return new Promise((resolve) => {
      this.lossWaiter = resolve;
      this.stopController.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
  }

  // ---- the event queue ----------------------------------------------------------------------

  private enqueue(event: SessionEvent): void {
    this.queue.push(event);
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.process(next);
    } finally {
      this.pumping = false;
    }
  }

  private process(event: SessionEvent): void {
    const before = this.state;
    const { next, actions } = transition(before, event);
    this.state = next;
    if (next.phase !== before.phase) {
      this.counters.add(`state_${next.phase}`);
      this.log.info(
        { from: before.phase, to: next.phase, event: event.type, attempt: next.attempt, plan: next.plan },
        `session ${before.phase} → ${next.phase}`,
      );
      const change: StateChange = { from: before.phase, to: next.phase, at: this.clock.now(), status: this.status() };
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          this.log.error({ err: error }, 'state-change listener threw');
        }
      }
    }
    for (const action of actions) this.perform(action);
  }

  private perform(action: SessionAction): void {
    switch (action.type) {
      case 'run-step':
        this.stepAbort?.abort();
        void this.runStep(action.step, action.attempt, action.stepIndex);
        return;
      case 'cancel-step':
        this.stepAbort?.abort();
        this.stepAbort = undefined;
        return;
      case 'online': {
        this.sessionMayBeOpen = true;
        this.counters.add('online');
        delete this.facts.lastFailure;
        // A request that arrived while this attempt ran still has to happen.
        if (this.requestedPlan) this.enqueue({ type: 'loss', reason: 'requested' });
        const pending = this.pendingAttempt;
        this.pendingAttempt = undefined;
        pending?.resolve();
        return;
      }
      case 'attempt-failed':
        void this.failAttempt(action.failure);
        return;
      case 'lost': {
        this.counters.add(`losses_${action.reason}`);
        this.facts.lastLoss = action.reason;
        if (action.reason !== 'port-closed' && action.reason !== 'unresponsive') this.sessionMayBeOpen = false;
        delete this.facts.ip;
        this.log.warn({ reason: action.reason }, 'session lost');
        const waiter = this.lossWaiter;
        this.lossWaiter = undefined;
        if (waiter) waiter(action.reason);
        else this.pendingLoss = action.reason;
        return;
      }
      case 'start-liveness':
        this.liveness.start();
        return;
      case 'stop-liveness':
        this.liveness.stop();
        return;
      case 'shutdown':
        void this.shutdown(action.wasOnline);
        return;
    }
  }

  /** A reject seen as a `+CEREG` URC reaches here without its severity; read its cause first. */
  private async failAttempt(failure: Failure): Promise<void> {
    const diagnosed = failure.kind === 'registration-rejected' && failure.severity === undefined ? await diagnoseRejection(this.port, failure) : failure;
    const pending = this.pendingAttempt;
    this.pendingAttempt = undefined;
    pending?.reject(new AttachFailure(diagnosed));
  }

  private async runStep(step: Step, attempt: number, stepIndex: number): Promise<void> {
    const controller = new AbortController();
    this.stepAbort = controller;
    const signal = controller.signal;
    try {
      await this.steps[step](signal);
      if (signal.aborted) return;
      // A finished step has nothing left to cancel: aborting it would only build an AbortError
      // (a stack trace) per step, 25 steps per attach (docs/benchmarks.md, cold start).
      this.releaseStep(controller);
      this.enqueue({ type: 'step-done', attempt, stepIndex });
    } catch (error) {
      if (signal.aborted) return;
      this.releaseStep(controller);
      const failure: Failure =
        error instanceof StepFailure ? error.failure : { kind: 'transient', step, reason: error instanceof Error ? error.message : String(error) };
      this.enqueue({ type: 'step-failed', attempt, stepIndex, failure });
    }
  }

  private releaseStep(controller: AbortController): void {
    if (this.stepAbort === controller) this.stepAbort = undefined;
  }

  // ---- shutdown -----------------------------------------------------------------------------

  private async shutdown(wasOnline: boolean): Promise<void> {
    this.liveness.stop();
    this.pendingAttempt?.reject(new AttachFailure({ kind: 'transient', reason: 'stopping' }));
    this.pendingAttempt = undefined;
    if (wasOnline && this.port.isOpen) {
      const limit = this.clock.sleep(this.config.timings.shutdownTimeoutMs).then(() => false);
      const done = await Promise.race([deactivate(this.context), limit]);
      this.stopOutcome = { dataSession: done ? 'closed' : 'not-closed' };
      if (done) this.log.info({ deactivated: true }, 'data session closed');
      else this.log.warn({ deactivated: false }, 'data session not closed politely');
    } else if (wasOnline || this.sessionMayBeOpen) {
      this.stopOutcome = { dataSession: 'not-closed' };
      this.log.warn({ deactivated: false, lastLoss: this.facts.lastLoss }, 'data session not closed: it was lost with the AT port, which is gone');
    }
    await this.port.close();
    this.enqueue({ type: 'stopped' });
    this.resolveStopped?.();
  }
}
