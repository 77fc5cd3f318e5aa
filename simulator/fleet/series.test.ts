import { describe, expect, test } from 'vitest';
import { bucketWidth, mergeSeries, SeriesRecorder } from './series.js';

const HOUR = 3_600_000;

describe('fleet series', () => {
  test('bucket widths are round and give at most 240 buckets', () => {
    expect(bucketWidth(30 * 24 * HOUR)).toBe(3 * HOUR);
    expect(bucketWidth(24 * HOUR)).toBe(600_000);
    expect(bucketWidth(12_000)).toBe(1000);
    for (const d of [1, 999, 60_000, 7 * 24 * HOUR, 400 * 24 * HOUR]) expect(Math.ceil(d / bucketWidth(d))).toBeLessThanOrEqual(240);
  });

  test('online at each bucket end, the dip within a bucket, counters per bucket, carried over quiet buckets', () => {
    const s = new SeriesRecorder(10 * HOUR, HOUR);
    s.begin(1_000_000);
    const at = (h: number): number => 1_000_000 + h * HOUR;
    s.onlineChanged(1, at(0.1));
    s.onlineChanged(1, at(0.2));
    s.count('attaches', at(0.1), 2);
    s.onlineChanged(-1, at(3.1)); // a short drop inside bucket 3
    s.onlineChanged(1, at(3.2));
    s.count('reconnects', at(3.2));
    s.onlineChanged(-1, at(6.5));
    s.count('faultsInjected', at(11)); // after the end: not drawn
    const series = s.finish();
    s.onlineChanged(-1, at(9)); // the shutdown after finish() is not part of the run
    expect(series.bucketMs).toBe(HOUR);
    expect(series.online).toEqual([2, 2, 2, 2, 2, 2, 1, 1, 1, 1]);
    expect(series.onlineLow).toEqual([0, 2, 2, 1, 2, 2, 1, 1, 1, 1]);
    expect(series.counts.attaches).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(series.counts.reconnects[3]).toBe(1);
    expect(series.counts.faultsInjected.every((n) => n === 0)).toBe(true);
  });

  test('shards on the same grid add up bucket by bucket; a shard without a series or on another grid leaves none', () => {
    const a = { bucketMs: HOUR, online: [1, 2], onlineLow: [0, 1], counts: { attaches: [1, 1] } } as never;
    const b = { bucketMs: HOUR, online: [3, 3, 3], onlineLow: [2, 3, 3], counts: { attaches: [3, 0, 0] } } as never;
    const other = { bucketMs: 2 * HOUR, online: [100], onlineLow: [100], counts: {} } as never;
    const merged = mergeSeries([a, b])!;
    expect(merged.online).toEqual([4, 5, 3]);
    expect(merged.onlineLow).toEqual([2, 4, 3]);
    expect(merged.counts.attaches).toEqual([4, 1, 0]);
    expect(merged.counts.reconnects).toEqual([]);
    expect(mergeSeries([a, undefined])).toBeUndefined();
    expect(mergeSeries([a, other])).toBeUndefined();
  });
});
