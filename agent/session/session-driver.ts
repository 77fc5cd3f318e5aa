/**
 * The session driver: owns the one `SessionState`, feeds the pure machine from one event queue
 * and carries out its actions (the AT work of each step, the liveness probe, shutdown). The
 * reconnect loop around it is p-retry, with every wait slept on the injected clock.
 *
 * Nothing here reconnects behind the machine's back: URC handlers and timers only enqueue events.
 */
import pRetry from 'p-retry';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { AtError, AtPortClosedError, AtTimeoutError } from '../at/errors.js';
import type { AtChannel, AtCommand } from '../at/types.js';
import { classifyEmmCause, classifyEsmCause } from '../modem/causes.js';
import { at } from '../modem/commands.js';
import { dialectById, dialects, pickDialect, type ApnSettings, type Dialect, type RatPreference, type ScriptStep } from '../modem/dialects.js';
import {
  isRegistered,
  isSessionLoss,
  parseCereg,
  parseCgev,
  parseCpin,
  type Registration,
  type SignalQuality,
} from '../modem/parsers.js';
import {
  initialState,
  transition,
  type Failure,
  type LossReason,
  type Phase,
  type Plan,
  type SessionAction,
  type SessionEvent,
  type SessionState,
  type Step,
} from './machine.js';
import { firstPlanFor, ReconnectPolicy } from './reconnect-policy.js';
import type { SessionConfig } from './session-config.js';
import { Counters } from './counters.js';

/** What the agent knows about its modem and session, for `status()` and the MQTT link. */
export interface SessionStatus {
  readonly state: Phase;
  readonly online: boolean;
  readonly registration?: { stat: number; tac?: number; cellId?: number; act?: number; rejectCause?: number };
  readonly rat?: 'lte' | 'lte-m' | 'nb-iot';
  readonly operator?: string;
  readonly ip?: string;
  readonly signal?: SignalQuality;
  readonly imei?: string;
  readonly imsi?: string;
  readonly iccid?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly revision?: string;
  readonly dialect?: string;
  readonly attempt: number;
  readonly plan?: Plan;
  readonly lastFailure?: Failure;
  readonly lastLoss?: LossReason;
  /** Clock time of the next attempt while backing off. */
  readonly nextAttemptAt?: number;
  readonly counters: Readonly<Record<string, number>>;
}

export interface StateChange {
  readonly from: Phase;
  readonly to: Phase;
  readonly at: number;
  readonly status: SessionStatus;
}

export interface SessionDriverOptions {
  /** Opens (or reopens) the AT channel; rejects while the device is absent. */
  openChannel(): Promise<AtChannel>;
  config: SessionConfig;
  clock: Clock;
  logger: Logger;
  /** Random source of the backoff jitter, [0, 1). */
  random?: () => number;
}

/** An attempt's failure, thrown into p-retry (never a TypeError, which p-retry would not retry). */
export class AttachFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`attach failed${failure.step ? ` at ${failure.step}` : ''}: ${failure.reason}`);
    this.name = 'AttachFailure';
  }
}

/** A step's failure with its classification. */
class StepFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}

const stopped = Symbol('stopped');

export class SessionDriver {
  private state: SessionState = initialState;
  private readonly queue: SessionEvent[] = [];
  private pumping = false;
  private channel: AtChannel | undefined;
  private channelSubscriptions: Array<() => void> = [];
  private dialect: Dialect | undefined;
  private stepAbort: AbortController | undefined;
  private readonly stopController = new AbortController();
  private pendingAttempt: { resolve(): void; reject(error: unknown): void } | undefined;
  private lossWaiter: ((reason: LossReason) => void) | undefined;
  private pendingLoss: LossReason | undefined;
  private livenessTimer: TimerHandle | undefined;
  private livenessMisses = 0;
  /** The module rebooted or lost its SIM outside an attempt: the next one must start from sync. */
  private needsResync = false;
  private bootWaiters: Array<() => void> = [];
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly policy: ReconnectPolicy;
  private readonly counters = new Counters();
  private info: {
    -readonly [K in keyof SessionStatus]?: SessionStatus[K];
  } = {};
  private running: Promise<void> | undefined;
  private stoppedPromise: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  /** A plan asked for from outside (`requestReconnect`), used by the next attempt. */
  private requestedPlan: Plan | undefined;
  private wakeBackoff: AbortController | undefined;

  constructor(private readonly options: SessionDriverOptions) {
    this.policy = new ReconnectPolicy(options.config.reconnect, options.random);
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

  /** Deactivates the data session politely, closes the port and stops every timer. */
  async stop(): Promise<void> {
    if (!this.stoppedPromise) {
      this.stoppedPromise = new Promise((resolve) => (this.resolveStopped = resolve));
      this.stopController.abort(stopped);
      this.enqueue({ type: 'stop' });
    }
    await this.stoppedPromise;
    await this.running;
  }

  /** A snapshot for the status endpoint and the MQTT link. */
  status(): SessionStatus {
    return {
      ...this.info,
      state: this.state.phase,
      online: this.state.phase === 'online',
      attempt: this.state.attempt,
      ...(this.state.plan ? { plan: this.state.plan } : {}),
      counters: this.counters.snapshot(),
    };
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
    if (!this.channel?.isOpen) return undefined;
    try {
      const quality = await this.optional(at.signal());
      if (quality) this.info.signal = quality;
      return quality;
    } catch {
      return undefined;
    }
  }

  /** The open AT channel, when there is one (the LPA and the CLI passthrough share it). */
  get atChannel(): AtChannel | undefined {
    return this.channel;
  }

  // ---- the reconnect loop -------------------------------------------------------------------

  private async supervise(): Promise<void> {
    const signal = this.stopController.signal;
    let first: Plan = firstPlanFor('start');
    while (!signal.aborted) {
      try {
        await pRetry(
          async () => {
            const portOpen = this.channel?.isOpen === true;
            let plan = this.requestedPlan ?? this.policy.planFor(first, this.clock.now(), portOpen);
            this.requestedPlan = undefined;
            if (!portOpen && plan !== 'reopen' && plan !== 'full') plan = 'reopen';
            if (plan === 'reconfigure' && !this.dialect) plan = 'resync';
            if (this.needsResync && (plan === 'reactivate' || plan === 'radio-cycle' || plan === 'reconfigure')) plan = 'resync';
            this.policy.recordAttempt(this.clock.now());
            this.counters.add('attempts');
            this.counters.add(`plan_${plan}`);
            delete this.info.nextAttemptAt;
            await this.attempt(plan);
          },
          {
            retries: Number.POSITIVE_INFINITY,
            // p-retry's own sleep uses global timers; ours goes through the clock below.
            minTimeout: 0,
            factor: 1,
            signal,
            shouldRetry: () => !signal.aborted,
            onFailedAttempt: async ({ error }) => {
              signal.throwIfAborted();
              const failure = error instanceof AttachFailure ? error.failure : { kind: 'transient' as const, reason: error.message };
              const delay = this.policy.afterFailure(failure, this.clock.now());
              this.counters.add(`failures_${failure.kind}`);
              if (delay.kind === 'rest') this.counters.add('rests');
              this.info.lastFailure = failure;
              this.info.nextAttemptAt = this.clock.now() + delay.delayMs;
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
            },
          },
        );
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

  private attempt(plan: Plan): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingAttempt = { resolve, reject };
      this.enqueue({ type: 'start-attempt', plan });
    });
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
        this.counters.add('online');
        delete this.info.lastFailure;
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
        this.info.lastLoss = action.reason;
        delete this.info.ip;
        this.log.warn({ reason: action.reason }, 'session lost');
        const waiter = this.lossWaiter;
        this.lossWaiter = undefined;
        if (waiter) waiter(action.reason);
        else this.pendingLoss = action.reason;
        return;
      }
      case 'start-liveness':
        this.livenessMisses = 0;
        this.scheduleProbe();
        return;
      case 'stop-liveness':
        if (this.livenessTimer) this.clock.clearTimeout(this.livenessTimer);
        this.livenessTimer = undefined;
        return;
      case 'shutdown':
        void this.shutdown(action.wasOnline);
        return;
    }
  }

  private async failAttempt(failure: Failure): Promise<void> {
    let diagnosed = failure;
    if (failure.kind === 'registration-rejected' && failure.severity === undefined) {
      const cause = failure.cause ?? (await this.readCause());
      diagnosed = { ...failure, ...(cause !== undefined ? { cause } : {}), severity: classifyEmmCause(cause) };
    }
    const pending = this.pendingAttempt;
    this.pendingAttempt = undefined;
    pending?.reject(new AttachFailure(diagnosed));
  }

  // ---- steps --------------------------------------------------------------------------------

  private async runStep(step: Step, attempt: number, stepIndex: number): Promise<void> {
    const controller = new AbortController();
    this.stepAbort = controller;
    const signal = controller.signal;
    try {
      await this.stepWork(step, signal);
      if (!signal.aborted) this.enqueue({ type: 'step-done', attempt, stepIndex });
    } catch (error) {
      if (signal.aborted) return;
      const failure: Failure =
        error instanceof StepFailure ? error.failure : { kind: 'transient', step, reason: error instanceof Error ? error.message : String(error) };
      this.enqueue({ type: 'step-failed', attempt, stepIndex, failure });
    }
  }

  private stepWork(step: Step, signal: AbortSignal): Promise<void> {
    switch (step) {
      case 'close-port':
        return this.closePort();
      case 'open-port':
        return this.openPort(signal);
      case 'reset-module':
        return this.resetModule(signal);
      case 'sync':
        return this.sync(signal);
      case 'identify':
        return this.identify(signal);
      case 'sim':
        return this.waitSim(signal);
      case 'configure':
        return this.configure(signal);
      case 'radio-cycle':
        return this.radioCycle(signal);
      case 'deactivate':
        return this.deactivate().then(() => undefined);
      case 'register':
        return this.register(signal);
      case 'activate':
        return this.activate(signal);
    }
  }

  private requireChannel(): AtChannel {
    if (!this.channel?.isOpen) throw new AtPortClosedError(undefined, 'AT port is not open');
    return this.channel;
  }

  private send<T>(command: AtCommand<T>): Promise<T> {
    return this.requireChannel().send(command);
  }

  private async optional<T>(command: AtCommand<T>): Promise<T | undefined> {
    try {
      return await this.send(command);
    } catch (error) {
      if (error instanceof AtPortClosedError) throw error;
      return undefined;
    }
  }

  private async script(steps: readonly ScriptStep[], signal: AbortSignal): Promise<void> {
    for (const row of steps) {
      if (signal.aborted) return;
      try {
        await this.send(row.command);
      } catch (error) {
        if (!row.optional || error instanceof AtPortClosedError) throw error;
        this.log.debug({ err: error, quirk: row.quirk }, 'optional command refused');
      }
    }
  }

  private async openPort(signal: AbortSignal): Promise<void> {
    if (this.channel?.isOpen) return;
    const { portOpenTimeoutMs, portRetryMs } = this.config.timings;
    const deadline = this.clock.now() + portOpenTimeoutMs;
    for (;;) {
      try {
        const channel = await this.options.openChannel();
        if (signal.aborted) {
          await channel.close().catch(() => undefined);
          return;
        }
        this.adopt(channel);
        this.counters.add('port_opens');
        return;
      } catch (error) {
        if (this.clock.now() >= deadline) {
          throw new StepFailure({ kind: 'transient', step: 'open-port', reason: `cannot open the AT port: ${(error as Error).message}` });
        }
        this.log.debug({ err: error }, 'AT port not available yet');
        await this.clock.sleep(portRetryMs, signal);
      }
    }
  }

  private adopt(channel: AtChannel): void {
    this.channel = channel;
    const subs = this.channelSubscriptions;
    subs.push(
      channel.onClose((error) => {
        if (this.channel !== channel) return;
        this.channel = undefined;
        this.dropSubscriptions();
        this.counters.add('port_closed');
        this.log.warn({ err: error }, 'AT port closed');
        for (const wake of this.bootWaiters.splice(0)) wake();
        this.enqueue({ type: 'loss', reason: 'port-closed' });
      }),
      channel.onUrc('+CEREG', (urc) => {
        const registration = parseCereg(urc.args, 'auto');
        if (!registration) return;
        this.noteRegistration(registration);
        this.enqueue({ type: 'registration', registration });
      }),
      channel.onUrc('+CGEV', (urc) => {
        const event = parseCgev(urc.args);
        // +CGEV numbers contexts as +CGDCONT does: the agent defines context 1 on every dialect.
        if (!isSessionLoss(event, 1)) return;
        const detach = event.kind === 'nw-detach' || event.kind === 'me-detach';
        this.enqueue({ type: 'loss', reason: detach ? 'detached' : 'pdp-deactivated' });
      }),
      channel.onUrc('+CPIN', (urc) => {
        const pin = parseCpin(urc.args);
        if (pin !== 'not-ready' && pin !== 'not-inserted') return;
        this.needsResync = true;
        this.enqueue({ type: 'loss', reason: 'sim-removed' });
      }),
    );
    const bootUrcs = new Set(dialects.map((d) => d.bootUrc));
    for (const prefix of bootUrcs) {
      subs.push(
        channel.onUrc(prefix, (urc) => {
          if (urc.args !== '') return;
          this.counters.add('module_boots');
          this.needsResync = true;
          for (const wake of this.bootWaiters.splice(0)) wake();
          this.enqueue({ type: 'loss', reason: 'module-restarted' });
        }),
      );
    }
    const lossPrefixes = new Set(dialects.flatMap((d) => d.lossUrcs.map((u) => u.prefix)));
    for (const prefix of lossPrefixes) {
      subs.push(
        channel.onUrc(prefix, (urc) => {
          const dialect = this.dialect;
          const row = dialect?.lossUrcs.find((u) => u.prefix === prefix);
          if (!dialect || !row || !row.isLoss(urc.args, dialect.cid)) return;
          this.enqueue({ type: 'loss', reason: row.reason === 'module-powered-down' ? 'module-powered-down' : 'pdp-deactivated' });
        }),
      );
    }
  }

  private dropSubscriptions(): void {
    for (const unsubscribe of this.channelSubscriptions.splice(0)) unsubscribe();
  }

  private async closePort(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    this.dropSubscriptions();
    if (channel) await channel.close().catch(() => undefined);
  }

  private async sync(signal: AbortSignal): Promise<void> {
    const { syncAttempts, syncTimeoutMs } = this.config.timings;
    let answered = false;
    for (let i = 0; i < syncAttempts && !signal.aborted; i++) {
      try {
        await this.send(at.ping(syncTimeoutMs));
        answered = true;
        break;
      } catch (error) {
        if (error instanceof AtPortClosedError) throw error;
        // A timeout already took syncTimeoutMs; an ERROR (garbage in the line) is retried at once.
      }
    }
    if (!answered) throw new StepFailure({ kind: 'transient', step: 'sync', reason: 'module does not answer AT' });
    await this.send(at.echoOff());
    await this.send(at.verboseErrors());
  }

  private async identify(signal: AbortSignal): Promise<void> {
    const manufacturer = await this.optional(at.manufacturer());
    let model = await this.optional(at.model());
    const revision = await this.optional(at.revision());
    const imei = await this.optional(at.imei());
    let atiModel: string | undefined;
    if (!model) {
      const ati = await this.optional(at.info());
      atiModel = ati?.model;
      model = atiModel;
    }
    const dialect = this.config.dialect === 'auto' ? pickDialect(model, atiModel) : dialectById(this.config.dialect);
    this.dialect = dialect;
    this.needsResync = false;
    Object.assign(this.info, { manufacturer, model, revision, imei, dialect: dialect.id });
    this.log.info({ manufacturer, model, revision, imei, dialect: dialect.id }, 'modem identified');
    await this.script(dialect.init, signal);
  }

  private async waitSim(signal: AbortSignal): Promise<void> {
    const { simTimeoutMs, simPollMs } = this.config.timings;
    const deadline = this.clock.now() + simTimeoutMs;
    let last = 'unknown';
    for (;;) {
      try {
        const pin = await this.send(at.pin());
        if (pin === 'ready') break;
        last = pin;
        if (pin === 'sim-pin' || pin === 'sim-puk') {
          throw new StepFailure({ kind: 'sim-unavailable', step: 'sim', reason: `SIM is locked (${pin})`, severity: 'permanent' });
        }
      } catch (error) {
        if (error instanceof StepFailure || error instanceof AtPortClosedError) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      if (this.clock.now() >= deadline) {
        throw new StepFailure({ kind: 'sim-unavailable', step: 'sim', reason: `SIM not ready: ${last}`, severity: 'temporary' });
      }
      await this.clock.sleep(simPollMs, signal);
    }
    const imsi = await this.optional(at.imsi());
    const iccid = await this.optional(this.dialect!.iccid);
    Object.assign(this.info, { imsi, iccid });
  }

  private async configure(signal: AbortSignal): Promise<void> {
    const dialect = this.dialect!;
    await this.script(dialect.rat(this.config.rat), signal);
    await this.script(dialect.apn(this.config.apn), signal);
    try {
      await this.send(at.registrationReporting(this.config.ceregMode));
    } catch (error) {
      if (this.config.ceregMode !== 3 || error instanceof AtPortClosedError) throw error;
      // Cause reporting (n=3) is optional in 27.007; fall back to location reporting.
      await this.send(at.registrationReporting(2));
    }
    await this.script([{ command: at.packetEvents(), optional: true }], signal);
  }

  private async radioCycle(signal: AbortSignal): Promise<void> {
    this.counters.add('radio_cycles');
    await this.send(at.radio(false));
    await this.clock.sleep(this.config.timings.radioOffMs, signal);
    await this.send(at.radio(true));
  }

  private async resetModule(signal: AbortSignal): Promise<void> {
    this.counters.add('module_resets');
    this.policy.recordReset(this.clock.now());
    const booted = new Promise<void>((resolve) => this.bootWaiters.push(resolve));
    try {
      await this.send(this.dialect?.reset ?? at.reset());
    } catch (error) {
      // A module that reboots at once may never say OK; the boot URC is what counts.
      this.log.debug({ err: error }, 'reset command ended without OK');
    }
    const timeout = this.clock.sleep(this.config.timings.resetBootTimeoutMs, signal).then(() => 'timeout' as const);
    const outcome = await Promise.race([booted.then(() => 'booted' as const), timeout]);
    if (outcome === 'timeout') throw new StepFailure({ kind: 'transient', step: 'reset-module', reason: 'no boot URC after reset' });
    // USB modules re-enumerate on reset: the port may be gone; wait for it to come back.
    if (!this.channel?.isOpen) await this.openPort(signal);
  }

  private async deactivate(): Promise<boolean> {
    const dialect = this.dialect;
    if (!dialect || !this.channel?.isOpen) return false;
    for (const row of dialect.deactivate()) {
      try {
        await this.send(row.command);
      } catch (error) {
        this.log.debug({ err: error }, 'deactivation refused (already down?)');
        return false;
      }
    }
    delete this.info.ip;
    return true;
  }

  private async register(signal: AbortSignal): Promise<void> {
    const { registrationTimeoutMs, registrationPollMs } = this.config.timings;
    const deadline = this.clock.now() + registrationTimeoutMs;
    for (;;) {
      let registration: Registration | undefined;
      try {
        registration = await this.send(at.registration());
      } catch (error) {
        if (error instanceof AtPortClosedError) throw error;
      }
      if (signal.aborted) return;
      if (registration) {
        this.noteRegistration(registration);
        if (isRegistered(registration.stat)) return;
        if (registration.stat === 3) {
          const cause = registration.rejectCause ?? (await this.readCause());
          throw new StepFailure({
            kind: 'registration-rejected',
            step: 'register',
            reason: 'registration denied',
            ...(cause !== undefined ? { cause } : {}),
            severity: classifyEmmCause(cause),
          });
        }
      }
      const left = deadline - this.clock.now();
      if (left <= 0) throw new StepFailure({ kind: 'transient', step: 'register', reason: 'not registered in time' });
      // The +CEREG URC normally ends this wait (the machine moves on and aborts this signal).
      await this.clock.sleep(Math.min(registrationPollMs, left), signal);
    }
  }

  private async activate(signal: AbortSignal): Promise<void> {
    const dialect = this.dialect!;
    // The session may have survived what the agent lost (a port blink): adopt it.
    const stillActive = dialect.active ? await this.optional(dialect.active) : true;
    const existing = stillActive ? await this.optional(dialect.address) : undefined;
    if (existing) {
      this.counters.add('sessions_adopted');
      this.info.ip = existing;
      return;
    }
    try {
      await this.script(dialect.activate(), signal);
    } catch (error) {
      if (!(error instanceof AtError) || error instanceof AtPortClosedError || error instanceof AtTimeoutError) throw error;
      throw await this.refusal(error.message);
    }
    const { addressPolls, addressPollMs } = this.config.timings;
    let address: string | undefined;
    for (let i = 0; i < addressPolls && !signal.aborted; i++) {
      address = await this.optional(dialect.address);
      if (address) break;
      await this.clock.sleep(addressPollMs, signal);
    }
    if (signal.aborted) return;
    if (!address) throw await this.refusal('no IP address after activation');
    this.info.ip = address;
    const signalQuality = await this.optional(at.signal());
    if (signalQuality) this.info.signal = signalQuality;
    const operator = await this.optional(at.operator());
    if (operator?.name) this.info.operator = operator.name;
  }

  /**
   * A failed activation is a network refusal only when the module names a cause (`AT+CEER`);
   * the cause decides temporary vs permanent. Without one it is a transient fault.
   */
  private async refusal(reason: string): Promise<StepFailure> {
    const cause = await this.readCause();
    if (cause === undefined) return new StepFailure({ kind: 'transient', step: 'activate', reason });
    return new StepFailure({
      kind: 'session-refused',
      step: 'activate',
      reason,
      ...(cause !== undefined ? { cause } : {}),
      severity: classifyEsmCause(cause),
    });
  }

  private async readCause(): Promise<number | undefined> {
    try {
      const report = await this.send(at.errorReport());
      return report.cause;
    } catch {
      return undefined;
    }
  }

  private noteRegistration(registration: Registration): void {
    const { stat, tac, cellId, act, rejectCause } = registration;
    this.info.registration = {
      stat,
      ...(tac !== undefined ? { tac } : {}),
      ...(cellId !== undefined ? { cellId } : {}),
      ...(act !== undefined ? { act } : {}),
      ...(rejectCause !== undefined ? { rejectCause } : {}),
    };
    if (act !== undefined) this.info.rat = act === 9 ? 'nb-iot' : act === 8 || this.config.rat === 'lte-m' ? 'lte-m' : 'lte';
  }

  // ---- liveness -----------------------------------------------------------------------------

  private scheduleProbe(): void {
    const { intervalMs } = this.config.liveness;
    this.livenessTimer = this.clock.setTimeout(() => void this.probe(), intervalMs);
  }

  private async probe(): Promise<void> {
    this.livenessTimer = undefined;
    if (this.state.phase !== 'online') return;
    const { timeoutMs, maxMisses } = this.config.liveness;
    try {
      const quality = await this.send({ ...at.signal(), timeoutMs });
      this.info.signal = quality;
      this.livenessMisses = 0;
    } catch (error) {
      if (error instanceof AtTimeoutError) {
        this.livenessMisses++;
        this.counters.add('probe_timeouts');
        this.log.warn({ misses: this.livenessMisses }, 'liveness probe timed out');
        if (this.livenessMisses >= maxMisses) {
          this.enqueue({ type: 'loss', reason: 'unresponsive' });
          return;
        }
      } else {
        // Any answer, even ERROR, proves the module is alive.
        this.livenessMisses = 0;
      }
    }
    if (this.state.phase === 'online' && !this.livenessTimer) this.scheduleProbe();
  }

  // ---- shutdown -----------------------------------------------------------------------------

  private async shutdown(wasOnline: boolean): Promise<void> {
    if (this.livenessTimer) this.clock.clearTimeout(this.livenessTimer);
    this.pendingAttempt?.reject(new AttachFailure({ kind: 'transient', reason: 'stopping' }));
    this.pendingAttempt = undefined;
    if (wasOnline && this.channel?.isOpen) {
      const limit = this.clock.sleep(this.config.timings.shutdownTimeoutMs).then(() => false);
      const done = await Promise.race([this.deactivate(), limit]);
      this.log.info({ deactivated: done }, done ? 'data session closed' : 'data session not closed politely');
    }
    await this.closePort();
    this.enqueue({ type: 'stopped' });
    this.resolveStopped?.();
  }
}
