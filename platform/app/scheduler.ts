import type { Logger } from 'pino';
import type { Clock, TimerHandle, VirtualClock } from '../../common/clock.js';
import type { PlatformStore, ScheduledJob, StoreTx } from '../store/port.js';

/**
 * What one run of a job did, for the clock API's report (`POST /_cellgate/clock`): a one-line
 * summary and the operators it concerned (absent: platform-wide work such as the month close).
 */
export interface JobReport {
  summary: string;
  operatorIds?: readonly string[];
}

/** Runs a persisted job; it opens its own store transactions. It may say what it did. */
export type JobHandler = (payload: unknown, job: ScheduledJob) => Promise<JobReport | void>;

/** One piece of work the scheduler ran (a persisted job or a recurring occurrence). */
export interface JobRun {
  name: string;
  /** The persisted job's key; null for a recurring occurrence. */
  jobKey: string | null;
  due: number;
  ranAt: number;
  outcome: 'done' | 'failed';
  report?: JobReport;
}

/** Work waiting to run. */
export interface UpcomingJob {
  name: string;
  jobKey: string | null;
  due: number;
}

/**
 * When a recurring job runs. Times of day are in a fixed UTC offset (`utcOffsetMinutes`, default 0;
 * e.g. 540 for JST), so "daily at 00:00" means local midnight of that zone.
 */
export type Recurrence =
  | { intervalMs: number }
  | { daily: { hour: number; minute: number; utcOffsetMinutes?: number } }
  | { monthly: { day: number; hour: number; minute: number; utcOffsetMinutes?: number } };

/** Recurring work: called once per occurrence, with that occurrence's scheduled time. */
export type RecurringFn = (occurrence: number) => Promise<JobReport | void>;

const DAY = 86_400_000;
/** Node timers overflow above 2^31-1 ms; longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;
const RETRY_FAILED_JOB_MS = 60_000;
/**
 * With a shared store (several processes), how often a scheduler looks for work that another
 * process scheduled, or left unfinished when it died. The takeover bound of scheduled work is
 * this interval plus the job's own run time (docs/deployment.md).
 */
export const SHARED_POLL_MS = 1_000;
const MAX_CATCH_UP = 10_000;

/** The next occurrence of `r` strictly after `t`. */
export function nextOccurrence(r: Recurrence, t: number): number {
  if ('intervalMs' in r) return t + r.intervalMs;
  if ('daily' in r) {
    const off = (r.daily.utcOffsetMinutes ?? 0) * 60_000;
    const local = t + off;
    let cand = Math.floor(local / DAY) * DAY + r.daily.hour * 3_600_000 + r.daily.minute * 60_000 - off;
    if (cand <= t) cand += DAY;
    return cand;
  }
  const off = (r.monthly.utcOffsetMinutes ?? 0) * 60_000;
  const local = new Date(t + off);
  for (let i = 0; i < 3; i++) {
    const cand = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + i, r.monthly.day, r.monthly.hour, r.monthly.minute) - off;
    if (cand > t) return cand;
  }
  throw new Error('unreachable: no monthly occurrence within three months');
}

interface Recurring {
  name: string;
  recurrence: Recurrence;
  fn: RecurringFn;
  next: number;
  /** After a failure: do not retry the same occurrence before this time. */
  retryAt?: number;
}

/**
 * The one scheduler of the platform (SPEC §1.8), over the injected clock. Two kinds of work:
 * - `at(...)`: a keyed one-off job persisted in the store (so a restart keeps due work), run by the
 *   handler registered under its name; scheduling the same key again replaces it.
 * - `every(...)`: recurring work whose last run is persisted; occurrences missed while the
 *   platform was down run on start, in order.
 * Work runs one piece at a time. A failing job is retried a minute later.
 *
 * Exactly once across processes: each job and each recurring series runs under a store lock
 * (`tryWithLock`, a PostgreSQL advisory lock that dies with its process), re-read inside the lock,
 * so a piece of work that another process is running, or has just finished, is skipped. If a
 * process dies mid-job, the job is still in the store and the next process to poll runs it again:
 * handlers re-check their rule against current state, so a repeat after a crash changes nothing
 * twice (the month close bills a statement once).
 */
export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly recurring = new Map<string, Recurring>();
  private timer: TimerHandle | null = null;
  private armedFor: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private started = false;
  private stopped = false;
  private readonly runListeners = new Set<(run: JobRun) => void>();
  private poll: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly store: PlatformStore,
    private readonly logger: Logger,
  ) {}

  /** Registers the handler for persisted jobs named `name`. */
  handle(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  /**
   * Schedules (or replaces) job `jobKey` at `due`. Pass the use case's `tx` so the job commits
   * atomically with the change that caused it; without `tx` it opens its own transaction.
   */
  async at(due: number, jobKey: string, name: string, payload: unknown, tx?: StoreTx): Promise<void> {
    const job: ScheduledJob = { jobKey, name, due, payload };
    if (tx) await tx.putJob(job);
    else await this.store.transaction((t) => t.putJob(job));
    this.poke(due);
  }

  /** Cancels job `jobKey` if it is still pending. */
  async cancel(jobKey: string, tx?: StoreTx): Promise<void> {
    if (tx) await tx.deleteJob(jobKey);
    else await this.store.transaction((t) => t.deleteJob(jobKey));
  }

  /** Registers recurring work; its last run is kept in the store under `name`. */
  async every(name: string, recurrence: Recurrence, fn: RecurringFn): Promise<void> {
    const last = await this.store.transaction((tx) => tx.get<{ lastRun: number }>('scheduler-recurring', name));
    const base = last?.lastRun ?? this.clock.now();
    if (!last) await this.store.transaction((tx) => tx.put('scheduler-recurring', name, { lastRun: base }));
    this.recurring.set(name, { name, recurrence, fn, next: nextOccurrence(recurrence, base) });
    if (this.started) this.trigger();
  }

  /** Calls `listener` after each job or recurring occurrence ran; returns the unsubscribe function. */
  onRun(listener: (run: JobRun) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** The next `limit` pieces of work, earliest first (persisted jobs and recurring occurrences). */
  async upcoming(limit: number): Promise<UpcomingJob[]> {
    const jobs = await this.store.transaction((tx) => tx.dueJobs(Number.MAX_SAFE_INTEGER, limit));
    const all: UpcomingJob[] = [
      ...jobs.map((j) => ({ name: j.name, jobKey: j.jobKey, due: j.due })),
      ...[...this.recurring.values()].map((r) => ({ name: r.name, jobKey: null, due: Math.max(r.next, r.retryAt ?? 0) })),
    ];
    return all.sort((a, b) => a.due - b.due).slice(0, limit);
  }

  private reportRun(run: JobRun): void {
    for (const listener of this.runListeners) {
      try {
        listener(run);
      } catch (error) {
        this.logger.error({ err: error, job: run.name }, 'job run listener failed');
      }
    }
  }

  /** Starts running due work (including work that fell due while the platform was down). */
  start(): void {
    this.started = true;
    this.stopped = false;
    this.trigger();
    if (this.store.shared && !this.poll) {
      // Liveness, not platform time: a wall-clock interval even when the rules run on a virtual clock.
      this.poll = setInterval(() => {
        if (this.pending === 0) this.trigger();
      }, SHARED_POLL_MS);
      this.poll.unref();
    }
  }

  /** Stops the timer; pending work stays in the store for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves once no work is running or queued. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  /**
   * Moves a virtual clock forward by `ms` step by step, letting every job that falls due on the
   * way finish before time moves on, so a job sees the time it was due at.
   */
  async advance(clock: VirtualClock, ms: number): Promise<void> {
    const target = clock.now() + ms;
    for (;;) {
      await this.idle();
      const next = clock.nextDue();
      if (next === undefined || next > target) break;
      await clock.advanceTo(next);
      await this.idle();
    }
    await clock.advanceTo(target);
    await this.idle();
  }

  private poke(due: number): void {
    if (!this.started || this.stopped) return;
    if (this.armedFor === null || due < this.armedFor) this.arm(due);
  }

  private trigger(): void {
    if (this.stopped) return;
    this.pending++;
    this.chain = this.chain.then(() => this.runDue()).finally(() => this.pending--);
  }

  private arm(due: number): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.armedFor = due;
    const wait = Math.min(Math.max(0, due - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.armedFor = null;
      this.trigger();
    }, wait);
  }

  private async runDue(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.runJobs();
      await this.runRecurring();
    } catch (error) {
      this.logger.error({ err: error }, 'scheduler run failed');
    }
    if (this.stopped) return;
    const nextJob = await this.store.transaction((tx) => tx.nextJobDue());
    const candidates = [nextJob, ...[...this.recurring.values()].map((r) => Math.max(r.next, r.retryAt ?? 0))].filter((x): x is number => x !== null);
    // `poke` keeps an earlier timer: a job committed after the read above (in the same group
    // commit, say) armed it, and this run cannot see that job — replacing it would lose the wake-up.
    if (candidates.length > 0) this.poke(Math.min(...candidates));
  }

  private async runJobs(): Promise<void> {
    // Jobs another process holds, or finished meanwhile: not asked for again in this round.
    const passed = new Set<string>();
    for (;;) {
      const listed = await this.store.transaction((tx) => tx.dueJobs(this.clock.now(), 50 + passed.size));
      const due = listed.filter((j) => !passed.has(j.jobKey));
      if (due.length === 0) return;
      for (const { jobKey } of due) {
        const outcome = await this.store.tryWithLock(`job:${jobKey}`, () => this.runJob(jobKey));
        if (!outcome.acquired || !outcome.value) passed.add(jobKey);
      }
    }
  }

  /** Runs job `jobKey` if it is still due (called holding its lock); false when there was nothing to run. */
  private async runJob(jobKey: string): Promise<boolean> {
    const job = await this.store.transaction((tx) => tx.getJob(jobKey));
    if (!job || job.due > this.clock.now()) return false;
    const handler = this.handlers.get(job.name);
    let failed = false;
    let report: JobReport | void = undefined;
    if (!handler) {
      this.logger.warn({ job: job.jobKey, name: job.name }, 'no handler for scheduled job; dropping it');
    } else {
      try {
        report = await handler(job.payload, job);
      } catch (error) {
        failed = true;
        this.logger.error({ err: error, job: job.jobKey }, 'scheduled job failed; retrying later');
      }
    }
    await this.store.transaction(async (tx) => {
      const current = await tx.getJob(job.jobKey);
      // The handler may have rescheduled its own key (e.g. a session seen active again).
      if (!current || current.due !== job.due || JSON.stringify(current.payload) !== JSON.stringify(job.payload)) return;
      if (failed) await tx.putJob({ ...job, due: this.clock.now() + RETRY_FAILED_JOB_MS });
      else await tx.deleteJob(job.jobKey);
    });
    if (handler) this.reportRun({ name: job.name, jobKey: job.jobKey, due: job.due, ranAt: this.clock.now(), outcome: failed ? 'failed' : 'done', ...(report ? { report } : {}) });
    return true;
  }

  private async runRecurring(): Promise<void> {
    for (const r of this.recurring.values()) {
      if (r.retryAt !== undefined && r.retryAt > this.clock.now()) continue;
      if (r.next > this.clock.now() && !this.store.shared) continue;
      await this.store.tryWithLock(`recurring:${r.name}`, () => this.runSeries(r));
    }
  }

  /** Runs the due occurrences of `r` (called holding its lock), from the last run the store knows. */
  private async runSeries(r: Recurring): Promise<void> {
    let runs = 0;
    const last = await this.store.transaction((tx) => tx.get<{ lastRun: number }>('scheduler-recurring', r.name));
    // Another process may have run occurrences since this one last looked.
    if (last) r.next = Math.max(r.next, nextOccurrence(r.recurrence, last.lastRun));
    r.retryAt = undefined;
    while (r.next <= this.clock.now() && runs++ < MAX_CATCH_UP) {
      const occurrence = r.next;
      let report: JobReport | void;
      try {
        report = await r.fn(occurrence);
      } catch (error) {
        this.logger.error({ err: error, job: r.name, occurrence }, 'recurring job failed; retrying later');
        r.retryAt = this.clock.now() + RETRY_FAILED_JOB_MS;
        this.reportRun({ name: r.name, jobKey: null, due: occurrence, ranAt: this.clock.now(), outcome: 'failed' });
        break;
      }
      this.reportRun({ name: r.name, jobKey: null, due: occurrence, ranAt: this.clock.now(), outcome: 'done', ...(report ? { report } : {}) });
      await this.store.transaction((tx) => tx.put('scheduler-recurring', r.name, { lastRun: occurrence }));
      r.next = nextOccurrence(r.recurrence, occurrence);
    }
  }
}
