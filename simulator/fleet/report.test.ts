import { describe, expect, test } from 'vitest';
import { checkExpectations, finishReport, mergeReports, percentile } from './report.js';
import type { Expectations } from './scenario.js';

type Draft = Parameters<typeof finishReport>[0];

/** A shard report with every figure in order; `patch` changes what a test is about. */
function shard(patch: Partial<Draft> = {}, expect: Expectations = {}): Draft {
  return {
    version: 1,
    scenario: 's',
    mode: 'virtual',
    shards: [{ index: 0, count: 2 }],
    gateways: 10,
    simulatedMs: 86_400_000,
    wallMs: 1000,
    hops: 100,
    peakRssBytes: 100 * 2 ** 20,
    attachTimesMs: [0, 1000, 2000],
    online: { atEnd: 10, shouldBeOnline: 10 },
    reconnects: { total: 2, attempts: 12, maxAttemptsPerHour: 3 },
    faults: { injected: { reboot: 2 }, recovered: { reboot: 2 } },
    operator: { calls: 30, actions: { suspend: 1 }, failed: 0 },
    notifications: { available: true, delivered: 6, lost: 0 },
    link: { enabled: true, devices: 10, statusOnline: 10, sessionAgrees: 10, events: 40, duplicateEvents: 0 },
    esim: {
      gateways: 2,
      switches: { sent: 2, ok: 2, failed: 0, errors: [] },
      notifications: { delivered: 10, pending: 0, appliedTwice: 0, checked: true },
      activated: { expected: 2, actual: 2 },
    },
    transfers: { issued: 3, verified: 3, failed: 0 },
    billing: { available: true, total: 12.5, months: { '202601': 12.5 } },
    crashes: 0,
    crashMessages: [],
    expect,
    ...patch,
  };
}

const ALL: Expectations = {
  online: 'all',
  maxReconnectAttemptsPerHour: 5,
  lostNotifications: 0,
  billTotal: { min: 1, max: 100 },
  agentCrashes: 0,
  allFaultsRecovered: true,
  statusOnline: true,
  noDuplicateEvents: true,
  esimNotificationsDelivered: true,
};

const failing = (draft: Draft): string[] => checkExpectations({ ...draft, attach: { attached: 0, p50: 0, p90: 0, p99: 0, max: 0 } }).filter((e) => !e.ok).map((e) => e.name);

describe('expectation checks', () => {
  test('a run where everything held passes every expectation', () => {
    const report = finishReport(shard({}, ALL));
    expect(report.expectations.map((e) => [e.name, e.ok])).toEqual(Object.keys(ALL).map((k) => [k, true]).sort((a, b) => order(a[0] as string) - order(b[0] as string)));
    expect(report.ok).toBe(true);
  });

  test('each figure out of bounds fails its own expectation and only that one', () => {
    expect(failing(shard({ online: { atEnd: 9, shouldBeOnline: 10 } }, ALL))).toEqual(['online']);
    expect(failing(shard({ reconnects: { total: 2, attempts: 12, maxAttemptsPerHour: 6 } }, ALL))).toEqual(['maxReconnectAttemptsPerHour']);
    expect(failing(shard({ notifications: { available: true, delivered: 5, lost: 1 } }, ALL))).toEqual(['lostNotifications']);
    expect(failing(shard({ billing: { available: true, total: 0.5, months: {} } }, ALL))).toEqual(['billTotal']);
    expect(failing(shard({ billing: { available: false, total: 0, months: {}, error: 'GET /v1/bills: 500' } }, ALL))).toEqual(['billTotal']);
    expect(failing(shard({ crashes: 1 }, ALL))).toEqual(['agentCrashes']);
    expect(failing(shard({ faults: { injected: { reboot: 2 }, recovered: { reboot: 1 } } }, ALL))).toEqual(['allFaultsRecovered']);
    expect(failing(shard({ link: { enabled: true, devices: 10, statusOnline: 9, sessionAgrees: 10, events: 40, duplicateEvents: 0 } }, ALL))).toEqual(['statusOnline']);
    expect(failing(shard({ link: { enabled: true, devices: 10, statusOnline: 10, sessionAgrees: 8, events: 40, duplicateEvents: 0 } }, ALL))).toEqual(['statusOnline']);
    expect(failing(shard({ link: { enabled: true, devices: 10, statusOnline: 10, sessionAgrees: 10, events: 40, duplicateEvents: 1 } }, ALL))).toEqual(['noDuplicateEvents']);
    const esim = shard().esim;
    expect(failing(shard({ esim: { ...esim, notifications: { ...esim.notifications, pending: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered']);
    expect(failing(shard({ esim: { ...esim, notifications: { ...esim.notifications, appliedTwice: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered']);
    expect(failing(shard({ esim: { ...esim, switches: { sent: 2, ok: 1, failed: 1, errors: ['x'] } } }, ALL))).toEqual(['esimNotificationsDelivered']);
    expect(failing(shard({ esim: { ...esim, activated: { expected: 2, actual: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered']);
  });

  test('a link expectation with no linked device, or no event stored, fails rather than passing empty', () => {
    const empty = { enabled: false, devices: 0, statusOnline: 0, sessionAgrees: 0, events: 0, duplicateEvents: 0 };
    expect(failing(shard({ link: empty }, { statusOnline: true, noDuplicateEvents: true }))).toEqual(['statusOnline', 'noDuplicateEvents']);
  });

  test('online as a fraction rounds up what must be online', () => {
    expect(failing(shard({ online: { atEnd: 98, shouldBeOnline: 100 } }, { online: 0.99 }))).toEqual(['online']);
    expect(failing(shard({ online: { atEnd: 99, shouldBeOnline: 100 } }, { online: 0.99 }))).toEqual([]);
  });

  test('lostNotifications without eSIM delivery is skipped, not failed', () => {
    const r = finishReport(shard({ notifications: { available: false, delivered: 0, lost: 0 } }, { lostNotifications: 0 }));
    expect(r.expectations[0]).toMatchObject({ name: 'lostNotifications', ok: true, skipped: expect.stringMatching(/no eSIM/) });
  });
});

describe('mergeReports', () => {
  test('sums counts, takes maxima of peaks, recomputes percentiles and re-checks expectations', () => {
    const a = finishReport(shard({ attachTimesMs: [0, 1000] }, ALL));
    const b = finishReport(
      shard(
        {
          shards: [{ index: 1, count: 2 }],
          attachTimesMs: [5000, 9000],
          peakRssBytes: 300 * 2 ** 20,
          wallMs: 4000,
          reconnects: { total: 1, attempts: 5, maxAttemptsPerHour: 4 },
          link: { enabled: true, devices: 10, statusOnline: 9, sessionAgrees: 10, events: 30, duplicateEvents: 0 },
          billing: { available: true, total: 7.5, months: { '202601': 7.5 } },
        },
        ALL,
      ),
    );
    const merged = mergeReports([a, b]);
    expect(merged.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    expect(merged.gateways).toBe(20);
    expect(merged.peakRssBytes).toBe(300 * 2 ** 20);
    expect(merged.wallMs).toBe(4000);
    expect(merged.attach).toEqual({ attached: 4, p50: 1000, p90: 9000, p99: 9000, max: 9000 });
    expect(merged.reconnects).toEqual({ total: 3, attempts: 17, maxAttemptsPerHour: 4 });
    expect(merged.link).toEqual({ enabled: true, devices: 20, statusOnline: 19, sessionAgrees: 20, events: 70, duplicateEvents: 0 });
    expect(merged.esim.switches).toMatchObject({ sent: 4, ok: 4 });
    expect(merged.transfers).toEqual({ issued: 6, verified: 6, failed: 0 });
    expect(merged.billing).toEqual({ available: true, total: 20, months: { '202601': 20 } });
    // Shard b alone failed statusOnline, so the merged fleet does too.
    expect(merged.expectations.filter((e) => !e.ok).map((e) => e.name)).toEqual(['statusOnline']);
    expect(merged.ok).toBe(false);
  });

  test('refuses reports of different scenarios, unknown versions, and nothing', () => {
    expect(() => mergeReports([])).toThrow('nothing to merge');
    expect(() => mergeReports([finishReport(shard()), finishReport(shard({ scenario: 'other' }))])).toThrow('reports of different scenarios: s, other');
    expect(() => mergeReports([{ ...finishReport(shard()), version: 2 as 1 }])).toThrow('unsupported report version 2');
  });

  test('percentile is nearest-rank', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
  });
});

function order(name: string): number {
  return ['online', 'maxReconnectAttemptsPerHour', 'lostNotifications', 'billTotal', 'agentCrashes', 'statusOnline', 'noDuplicateEvents', 'esimNotificationsDelivered', 'allFaultsRecovered'].indexOf(name);
}
