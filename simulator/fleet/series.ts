/**
 * The fleet's figures over simulated time, in fixed buckets counted from the start of the run:
 * what the HTML report draws. The bucket width depends only on the scenario's duration, so the
 * shards of one scenario share one grid and merge by adding bucket by bucket. About 240 buckets
 * whatever the fleet's size: a 10,000-gateway month costs a few kilobytes.
 */

/** Counters per bucket (each bucket counts what happened within it). */
export const COUNTED_SERIES = ['attaches', 'reconnects', 'drops', 'faultsInjected', 'faultsRecovered', 'eventsAccepted', 'eventsDelivered', 'notificationsDelivered'] as const;
export type CountedSeries = (typeof COUNTED_SERIES)[number];

export interface FleetSeries {
  /** Width of one bucket (ms of run time); bucket i covers [i·bucketMs, (i+1)·bucketMs). */
  bucketMs: number;
  /** Gateways online at the end of each bucket. */
  online: number[];
  /** Fewest gateways online at any moment of each bucket (dips shorter than a bucket show here). */
  onlineLow: number[];
  /** Per counter, how many happened in each bucket. */
  counts: Record<CountedSeries, number[]>;
}

const NICE_STEPS_MS = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800].map((s) => s * 1000);

/** [choice] The smallest "round" width giving at most 240 buckets over `durationMs`. */
export function bucketWidth(durationMs: number): number {
  const raw = Math.max(1, durationMs) / 240;
  return NICE_STEPS_MS.find((step) => step >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000;
}

/** Records the series during a run. Times given are clock times; `begin` fixes the origin. */
export class SeriesRecorder {
  private start = 0;
  private readonly buckets: number;
  private online = 0;
  private readonly endValue: number[];
  private readonly low: number[];
  private readonly touched: boolean[];
  private readonly counts: Record<CountedSeries, number[]>;
  private finished = false;

  constructor(
    private readonly durationMs: number,
    readonly bucketMs = bucketWidth(durationMs),
  ) {
    this.buckets = Math.max(1, Math.ceil(durationMs / bucketMs));
    this.endValue = new Array<number>(this.buckets).fill(0);
    this.low = new Array<number>(this.buckets).fill(0);
    this.touched = new Array<boolean>(this.buckets).fill(false);
    this.counts = Object.fromEntries(COUNTED_SERIES.map((name) => [name, new Array<number>(this.buckets).fill(0)])) as Record<CountedSeries, number[]>;
  }

  /** The run starts now (`at`, clock time). */
  begin(at: number): void {
    this.start = at;
  }

  /** A gateway came online (+1) or went offline (−1) at `at`. */
  onlineChanged(delta: 1 | -1, at: number): void {
    const before = this.online;
    this.online += delta;
    const b = this.bucket(at);
    if (b === undefined) return;
    if (!this.touched[b]) {
      this.touched[b] = true;
      this.low[b] = before;
    }
    this.low[b] = Math.min(this.low[b]!, this.online);
    this.endValue[b] = this.online;
  }

  count(name: CountedSeries, at: number, n = 1): void {
    const b = this.bucket(at);
    if (b !== undefined && n > 0) this.counts[name][b]! += n;
  }

  /** Freezes the series (later changes, e.g. the shutdown, are not drawn) and returns it. */
  finish(): FleetSeries {
    this.finished = true;
    let carry = 0;
    for (let b = 0; b < this.buckets; b++) {
      if (!this.touched[b]) this.low[b] = this.endValue[b] = carry;
      carry = this.endValue[b]!;
    }
    return { bucketMs: this.bucketMs, online: [...this.endValue], onlineLow: [...this.low], counts: structuredClone(this.counts) };
  }

  private bucket(at: number): number | undefined {
    if (this.finished) return undefined;
    const offset = at - this.start;
    if (offset < 0 || offset > this.durationMs) return undefined;
    return Math.min(this.buckets - 1, Math.floor(offset / this.bucketMs));
  }
}

const addArrays = (a: readonly number[], b: readonly number[]): number[] => Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));

/**
 * Adds shard series bucket by bucket. `onlineLow` adds the shards' lows, a lower bound of the
 * fleet's true low (the shards' dips need not coincide). When a shard has no series (a report
 * of version 1) or another grid, the merged report has none rather than a partial picture.
 */
export function mergeSeries(parts: ReadonlyArray<FleetSeries | undefined>): FleetSeries | undefined {
  const first = parts[0];
  if (!first || parts.some((p) => p === undefined || p.bucketMs !== first.bucketMs)) return undefined;
  return (parts as FleetSeries[]).slice(1).reduce<FleetSeries>(
    (acc, p) => ({
      bucketMs: acc.bucketMs,
      online: addArrays(acc.online, p.online),
      onlineLow: addArrays(acc.onlineLow, p.onlineLow),
      counts: Object.fromEntries(COUNTED_SERIES.map((name) => [name, addArrays(acc.counts[name] ?? [], p.counts[name] ?? [])])) as Record<CountedSeries, number[]>,
    }),
    structuredClone(first),
  );
}
