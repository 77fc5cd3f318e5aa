/**
 * Time control of a platform started with a virtual clock (`cellgate platform --clock virtual`,
 * docs/time-control.md): read the time and the work waiting, move the clock forward running every
 * job that falls due on the way (in order, each at the time it was due), and keep the virtual
 * time in the store so a restart resumes where it stopped.
 */
import { VirtualClock, type Clock } from '../../common/clock.js';
import { PlatformError, domainError, unwrap } from '../domain/errors.js';
import { clockTarget, type ClockMove } from '../domain/time-travel.js';
import type { PlatformStore } from '../store/port.js';
import type { JobRun, Scheduler, UpcomingJob } from './scheduler.js';

const CLOCK_KIND = 'platform-clock';
const CLOCK_ID = 'virtual';

/** [choice] At most this many runs are listed in one answer; `ranCount` still counts them all. */
export const MAX_LISTED_RUNS = 1000;
/** [choice] How many waiting jobs `GET /_cellgate/clock` lists. */
export const UPCOMING_LISTED = 20;

/**
 * Who asks. The platform admin (network token) sees every job; an operator's root user sees the
 * summary of the jobs that concerned its own operator (or no operator in particular, such as the
 * month close), and only the name and times of the others.
 */
export type ClockViewer = { admin: true } | { admin: false; operatorId: string };

export interface ClockJobView {
  job: string;
  due: number;
  dueIso: string;
  /** The persisted job's key (admin only; it names IMSIs and ids of any operator). */
  jobKey?: string;
}

export interface ClockRunView extends ClockJobView {
  ranAt: number;
  outcome: 'done' | 'failed';
  /** What the job did, e.g. `closed 202601: 2 statements`; left out for other operators' jobs. */
  summary?: string;
}

export interface ClockState {
  virtual: boolean;
  now: number;
  iso: string;
  /** The next jobs waiting, earliest first. */
  nextJobs: ClockJobView[];
}

export interface ClockAdvance extends ClockState {
  from: number;
  fromIso: string;
  /** Jobs run on the way, in the order they ran (at most `MAX_LISTED_RUNS`). */
  ran: ClockRunView[];
  ranCount: number;
  truncated: boolean;
}

const iso = (t: number): string => new Date(t).toISOString();

function jobView(j: UpcomingJob | JobRun, viewer: ClockViewer): ClockJobView {
  return { job: j.name, due: j.due, dueIso: iso(j.due), ...(viewer.admin && j.jobKey ? { jobKey: j.jobKey } : {}) };
}

function runView(r: JobRun, viewer: ClockViewer): ClockRunView {
  const owners = r.report?.operatorIds;
  const visible = viewer.admin || owners === undefined || owners.includes(viewer.operatorId);
  return { ...jobView(r, viewer), ranAt: r.ranAt, outcome: r.outcome, ...(visible && r.report ? { summary: r.report.summary } : {}) };
}

/** A virtual start the stored data refuses (it would run time backwards). */
export class VirtualTimeError extends Error {
  override name = 'VirtualTimeError';
}

/** The virtual time saved in the store, if any. */
export async function savedVirtualTime(store: PlatformStore): Promise<number | undefined> {
  const doc = await store.transaction((tx) => tx.get<{ now: number }>(CLOCK_KIND, CLOCK_ID));
  return doc?.now;
}

/**
 * The virtual clock a platform starts on: the time saved in its store (a restart resumes), or
 * `start` (default: the wall clock's time now) for a new store. A `start` later than the saved
 * time moves the clock there, and the scheduler runs what fell due as after any downtime; an
 * earlier one is refused (time never runs backwards over stored data).
 */
export async function openVirtualClock(store: PlatformStore, start: number | undefined, wallClock: Clock): Promise<VirtualClock> {
  const saved = await savedVirtualTime(store);
  if (saved !== undefined && start !== undefined && start < saved) {
    throw new VirtualTimeError(`the data dir's virtual time is ${iso(saved)}; --start ${iso(start)} would move it backwards`);
  }
  const now = Math.max(saved ?? -Infinity, start ?? (saved === undefined ? wallClock.now() : -Infinity));
  await store.transaction((tx) => tx.put(CLOCK_KIND, CLOCK_ID, { now }));
  return new VirtualClock(now);
}

export class ClockControl {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly store: PlatformStore,
  ) {}

  get virtual(): boolean {
    return this.clock instanceof VirtualClock;
  }

  async state(viewer: ClockViewer): Promise<ClockState> {
    const now = this.clock.now();
    const upcoming = await this.scheduler.upcoming(UPCOMING_LISTED);
    return { virtual: this.virtual, now, iso: iso(now), nextJobs: upcoming.map((j) => jobView(j, viewer)) };
  }

  /**
   * Moves the virtual clock (CGW0001 on real time) and answers with what ran. Moves are
   * serialised: a second request waits for the first and starts from where it ended.
   */
  async move(move: ClockMove, viewer: ClockViewer): Promise<ClockAdvance> {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) throw new PlatformError(domainError('CGW0001'));
    const run = this.queue.then(async () => {
      const from = clock.now();
      const target = unwrap(clockTarget(from, move));
      const runs: JobRun[] = [];
      let ranCount = 0;
      const stop = this.scheduler.onRun((r) => {
        ranCount++;
        if (runs.length < MAX_LISTED_RUNS) runs.push(r);
      });
      try {
        await this.scheduler.advance(clock, target - from);
      } finally {
        stop();
        await this.store.transaction((tx) => tx.put(CLOCK_KIND, CLOCK_ID, { now: clock.now() }));
      }
      const state = await this.state(viewer);
      return { ...state, from, fromIso: iso(from), ran: runs.map((r) => runView(r, viewer)), ranCount, truncated: ranCount > runs.length };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
