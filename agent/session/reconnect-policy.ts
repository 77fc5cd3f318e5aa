/**
 * How long to wait before the next attach attempt and which rung of the escalation ladder it
 * uses. Pure bookkeeping over times and a random source handed in; the driver sleeps.
 *
 * - Transient faults: exponential backoff with full jitter and a cap
 *   (delay = random × min(cap, base × factor^n)).
 * - A registration reject or a refused data session: a long fixed backoff like 3GPP T3402
 *   (TS 24.301 §5.5.1.2.6, default 12 min); after `rejectsBeforeRest` consecutive refusals
 *   (`permanentRejectsBeforeRest` when the cause is permanent) a rest of `restMs` — the
 *   "reconnection timeout after a set number of attempts" seed 003 asks for.
 * - At most `maxAttemptsPerHour` attempts in any sliding hour.
 */
import type { Failure, LossReason, Plan } from './machine.js';

export interface ReconnectConfig {
  /** First transient backoff ceiling, ms. */
  baseDelayMs: number;
  /** Growth per consecutive transient failure. */
  factor: number;
  /** Cap of the transient backoff ceiling, ms. */
  maxDelayMs: number;
  /** Backoff after a registration reject or a refused session (T3402-like), ms. */
  rejectBackoffMs: number;
  /** Consecutive refusals (temporary causes) before a rest. */
  rejectsBeforeRest: number;
  /** Consecutive refusals with a permanent cause before a rest. */
  permanentRejectsBeforeRest: number;
  /** The rest (reconnect timeout) after too many refusals, ms. */
  restMs: number;
  /** Attempts allowed in any sliding 60-minute window. */
  maxAttemptsPerHour: number;
  /** Transient failures spent on one rung before climbing to the next. */
  attemptsPerRung: number;
  /** Minimum time between two module resets, ms. */
  resetMinIntervalMs: number;
}

export const defaultReconnectConfig: ReconnectConfig = {
  baseDelayMs: 2_000,
  factor: 2,
  maxDelayMs: 300_000,
  rejectBackoffMs: 720_000,
  rejectsBeforeRest: 5,
  permanentRejectsBeforeRest: 2,
  restMs: 3_600_000,
  maxAttemptsPerHour: 30,
  attemptsPerRung: 2,
  resetMinIntervalMs: 3_600_000,
};

const HOUR = 3_600_000;

/** The escalation ladder, gentlest first (docs/agent.md). */
export const ladder: readonly Plan[] = ['reactivate', 'radio-cycle', 'reset', 'reopen'];

/** Where a recovery starts, from what was lost. */
export function firstPlanFor(reason: LossReason | 'start'): Plan {
  switch (reason) {
    case 'start':
      return 'full';
    case 'registration-lost':
    case 'detached':
    case 'pdp-deactivated':
    case 'requested':
      return 'reactivate';
    case 'module-restarted':
    case 'module-powered-down':
    case 'sim-removed':
      return 'resync';
    case 'port-closed':
      return 'reopen';
    case 'unresponsive':
      return 'reset';
  }
}

/** Any plan but `full` and `reopen` needs the port open; with it closed, the attempt reopens it first. */
export function reopenIfClosed(plan: Plan, portOpen: boolean): Plan {
  return portOpen || plan === 'reopen' || plan === 'full' ? plan : 'reopen';
}

export interface Delay {
  readonly delayMs: number;
  readonly kind: 'backoff' | 'reject-backoff' | 'rest';
  /** Extra wait added to respect `maxAttemptsPerHour`. */
  readonly rateLimitedMs: number;
}

export class ReconnectPolicy {
  private transientFailures = 0;
  private rejects = 0;
  private permanentRejects = 0;
  private lastFailure: Failure | undefined;
  private readonly attemptTimes: number[] = [];
  private lastResetAt: number | undefined;

  constructor(
    private readonly config: ReconnectConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** A fresh recovery (after being online): forget failure streaks, keep the hourly window. */
  online(): void {
    this.transientFailures = 0;
    this.rejects = 0;
    this.permanentRejects = 0;
    this.lastFailure = undefined;
  }

  recordAttempt(now: number): void {
    this.attemptTimes.push(now);
    while (this.attemptTimes.length > 0 && this.attemptTimes[0]! <= now - HOUR) this.attemptTimes.shift();
  }

  recordReset(now: number): void {
    this.lastResetAt = now;
  }

  /** The plan for the next attempt of a recovery that started with `first`. */
  planFor(first: Plan, now: number, portOpen: boolean): Plan {
    return reopenIfClosed(this.choose(first, now), portOpen);
  }

  private choose(first: Plan, now: number): Plan {
    const last = this.lastFailure;
    // A refusal is not cured by resets (T3402 survives a restart); a new attach needs the radio
    // cycled, a refused session only a new activation.
    if (last?.kind === 'registration-rejected') return 'radio-cycle';
    if (last?.kind === 'session-refused') return 'reactivate';
    if (last?.kind === 'sim-unavailable') return 'resync';
    const per = Math.max(1, this.config.attemptsPerRung);
    const climbs = Math.floor(this.transientFailures / per);
    if (climbs === 0) return first;
    const start = Math.max(0, ladder.indexOf(first));
    let plan = ladder[Math.min(ladder.length - 1, start + climbs)]!;
    if (plan === 'reset' && this.lastResetAt !== undefined && now - this.lastResetAt < this.config.resetMinIntervalMs) plan = 'reopen';
    return plan;
  }

  /** Records a failed attempt and says how long to wait before the next. */
  afterFailure(failure: Failure, now: number): Delay {
    this.lastFailure = failure;
    let delayMs: number;
    let kind: Delay['kind'];
    if (failure.kind === 'registration-rejected' || failure.kind === 'session-refused' || failure.kind === 'sim-unavailable') {
      this.rejects++;
      if (failure.severity === 'permanent') this.permanentRejects++;
      if (this.rejects >= this.config.rejectsBeforeRest || this.permanentRejects >= this.config.permanentRejectsBeforeRest) {
        delayMs = this.config.restMs;
        kind = 'rest';
        this.rejects = 0;
        this.permanentRejects = 0;
      } else {
        delayMs = this.config.rejectBackoffMs;
        kind = 'reject-backoff';
      }
    } else {
      const ceiling = Math.min(this.config.maxDelayMs, this.config.baseDelayMs * this.config.factor ** this.transientFailures);
      this.transientFailures++;
      delayMs = Math.floor(this.random() * ceiling);
      kind = 'backoff';
    }
    const rateLimitedMs = Math.max(0, this.hourlyLimitWait(now) - delayMs);
    return { delayMs: delayMs + rateLimitedMs, kind, rateLimitedMs };
  }

  /** How long until another attempt fits in the sliding hour. */
  private hourlyLimitWait(now: number): number {
    const recent = this.attemptTimes.filter((t) => t > now - HOUR);
    if (recent.length < this.config.maxAttemptsPerHour) return 0;
    const oldest = recent[recent.length - this.config.maxAttemptsPerHour]!;
    return oldest + HOUR - now;
  }
}
