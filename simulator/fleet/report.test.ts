import { describe, expect, test } from 'vitest';
import { checkExpectations, finishReport, formatSummary, mergeReports, percentile, recoverySummary, type FleetReport } from './report.js';
import type { Expectations } from './scenario.js';

type Draft = Parameters<typeof finishReport>[0];

/** A shard report with every figure in order; `patch` changes what a test is about. */
function shard(patch: Partial<Draft> = {}, expect: Expectations = {}): Draft {
  return {
    version: 2,
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
    faults: faults({ injected: { reboot: 2 }, recovered: { reboot: 2 }, recoveryTimesMs: { reboot: [1000, 30_000] } }),
    operator: { calls: 30, actions: { suspend: 1 }, failed: 0 },
    notifications: { available: true, delivered: 6, lost: 0 },
    link: link(),
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
    notable: { slowest: [], troubled: [] },
    expect,
    ...patch,
  };
}

function faults(patch: Partial<FleetReport['faults']> = {}): FleetReport['faults'] {
  return { injected: {}, recovered: {}, notObserved: {}, notRecovered: {}, recoveryTimesMs: {}, stillDownMs: {}, ...patch };
}

function link(patch: Partial<FleetReport['link']> = {}): FleetReport['link'] {
  return {
    enabled: true, devices: 10, statusOnline: 10, sessionAgrees: 10, events: 40, duplicateEvents: 0,
    deliveryTracked: true, acceptedEvents: 40, lostEvents: 0, pendingEvents: 0, lostEventKeys: [], ...patch,
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
  lostEvents: 0,
  allFaultsObserved: true,
  recoveryTime: { reboot: 60_000 },
};

const failing = (draft: Draft): string[] =>
  checkExpectations({ ...draft, attach: { attached: 0, p50: 0, p90: 0, p99: 0, max: 0 }, recovery: recoverySummary(draft.faults) }).filter((e) => !e.ok).map((e) => e.name);

describe('expectation checks', () => {
  test('a run where everything held passes every expectation, each a structured value', () => {
    const report = finishReport(shard({}, ALL));
    expect(report.expectations.map((e) => e.name)).toEqual([
      'online',
      'maxReconnectAttemptsPerHour',
      'lostNotifications',
      'lostEvents',
      'billTotal.min',
      'billTotal.max',
      'agentCrashes',
      'statusOnline',
      'statusOnline.sessionAgrees',
      'noDuplicateEvents',
      'noDuplicateEvents.stored',
      'esimNotificationsDelivered.pending',
      'esimNotificationsDelivered.appliedTwice',
      'esimNotificationsDelivered.switches',
      'esimNotificationsDelivered.activated',
      'allFaultsRecovered.reboot',
      'allFaultsObserved.reboot',
      'recoveryTime.reboot',
    ]);
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(report.expectations.find((e) => e.name === 'lostEvents')).toMatchObject({ op: '<=', expected: 0, actual: 0, ok: true });
    expect(report.expectations.find((e) => e.name === 'recoveryTime.reboot')).toMatchObject({ op: '<=', expected: 60_000, actual: 30_000, unit: 'ms', ok: true });
    expect(report.ok).toBe(true);
    expect(report.recovery).toEqual({ reboot: { count: 2, p50: 1000, p90: 30_000, max: 30_000 } });
    expect(report.shardResults).toEqual([{ shard: '0/2', gateways: 10, wallMs: 1000, ok: true, failed: [] }]);
  });

  test('each figure out of bounds fails its own expectation and only that one', () => {
    expect(failing(shard({ online: { atEnd: 9, shouldBeOnline: 10 } }, ALL))).toEqual(['online']);
    expect(failing(shard({ reconnects: { total: 2, attempts: 12, maxAttemptsPerHour: 6 } }, ALL))).toEqual(['maxReconnectAttemptsPerHour']);
    expect(failing(shard({ notifications: { available: true, delivered: 5, lost: 1 } }, ALL))).toEqual(['lostNotifications']);
    expect(failing(shard({ billing: { available: true, total: 0.5, months: {} } }, ALL))).toEqual(['billTotal.min']);
    expect(failing(shard({ billing: { available: true, total: 500, months: {} } }, ALL))).toEqual(['billTotal.max']);
    expect(failing(shard({ billing: { available: false, total: 0, months: {}, error: 'GET /v1/bills: 500' } }, ALL))).toEqual(['billTotal.min', 'billTotal.max']);
    expect(failing(shard({ crashes: 1 }, ALL))).toEqual(['agentCrashes']);
    expect(failing(shard({ link: link({ statusOnline: 9 }) }, ALL))).toEqual(['statusOnline']);
    expect(failing(shard({ link: link({ sessionAgrees: 8 }) }, ALL))).toEqual(['statusOnline.sessionAgrees']);
    expect(failing(shard({ link: link({ duplicateEvents: 1 }) }, ALL))).toEqual(['noDuplicateEvents']);
    expect(failing(shard({ link: link({ lostEvents: 2, lostEventKeys: ['d evt:1', 'd evt:2'] }) }, ALL))).toEqual(['lostEvents']);
    const esim = shard().esim;
    expect(failing(shard({ esim: { ...esim, notifications: { ...esim.notifications, pending: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered.pending']);
    expect(failing(shard({ esim: { ...esim, notifications: { ...esim.notifications, appliedTwice: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered.appliedTwice']);
    expect(failing(shard({ esim: { ...esim, switches: { sent: 2, ok: 1, failed: 1, errors: ['x'] } } }, ALL))).toEqual(['esimNotificationsDelivered.switches']);
    expect(failing(shard({ esim: { ...esim, activated: { expected: 2, actual: 1 } } }, ALL))).toEqual(['esimNotificationsDelivered.activated']);
  });

  test('faults: recovered only when they took the gateway down; slow or missing recoveries fail their kind', () => {
    // One reboot took its gateway down and never came back: not recovered, and its recovery time is at least what it has been down.
    const down = faults({ injected: { reboot: 2 }, recovered: { reboot: 1 }, notRecovered: { reboot: 1 }, recoveryTimesMs: { reboot: [1000] }, stillDownMs: { reboot: 3_600_000 } });
    expect(failing(shard({ faults: down }, ALL))).toEqual(['allFaultsRecovered.reboot', 'recoveryTime.reboot']);
    // One reboot never took its gateway down: not observed. It does not count as recovered, and fails only allFaultsObserved.
    const unseen = faults({ injected: { reboot: 2 }, recovered: { reboot: 1 }, notObserved: { reboot: 1 }, recoveryTimesMs: { reboot: [1000] } });
    expect(failing(shard({ faults: unseen }, ALL))).toEqual(['allFaultsObserved.reboot']);
    const report = finishReport(shard({ faults: unseen }, ALL));
    expect(report.expectations.find((e) => e.name === 'allFaultsRecovered.reboot')).toMatchObject({ op: '==', expected: 1, actual: 1, ok: true });
    // Recovered, but slower than the bound of its kind.
    expect(failing(shard({ faults: faults({ injected: { reboot: 1 }, recovered: { reboot: 1 }, recoveryTimesMs: { reboot: [61_000] } }) }, ALL))).toEqual(['recoveryTime.reboot']);
    // A kind without an explicit bound gets its documented default (coverage-loss: 10 min).
    const coverage = faults({ injected: { 'coverage-loss': 1 }, recovered: { 'coverage-loss': 1 }, recoveryTimesMs: { 'coverage-loss': [11 * 60_000] } });
    expect(failing(shard({ faults: coverage }, ALL))).toEqual(['recoveryTime.coverage-loss']);
    // Nothing of a kind took a gateway down: its recovery time is skipped, not passed on nothing.
    const r = finishReport(shard({ faults: faults({ injected: { mute: 3 }, notObserved: { mute: 3 } }) }, { recoveryTime: {} }));
    expect(r.expectations).toEqual([expect.objectContaining({ name: 'recoveryTime.mute', ok: true, skipped: 'no fault of this kind took a gateway down' })]);
  });

  test('a link expectation with no linked device, or no event stored, fails rather than passing empty', () => {
    const empty = link({ enabled: false, devices: 0, statusOnline: 0, sessionAgrees: 0, events: 0, acceptedEvents: 0 });
    expect(failing(shard({ link: empty }, { statusOnline: true, noDuplicateEvents: true }))).toEqual(['statusOnline', 'statusOnline.sessionAgrees', 'noDuplicateEvents.stored']);
  });

  test('online as a fraction rounds up what must be online', () => {
    expect(failing(shard({ online: { atEnd: 98, shouldBeOnline: 100 } }, { online: 0.99 }))).toEqual(['online']);
    expect(failing(shard({ online: { atEnd: 99, shouldBeOnline: 100 } }, { online: 0.99 }))).toEqual([]);
  });

  test('lostNotifications without eSIM delivery, and lostEvents without tracked outboxes, are skipped, not failed', () => {
    const r = finishReport(shard({ notifications: { available: false, delivered: 0, lost: 0 }, link: link({ deliveryTracked: false }) }, { lostNotifications: 0, lostEvents: 0 }));
    expect(r.expectations[0]).toMatchObject({ name: 'lostNotifications', ok: true, skipped: expect.stringMatching(/no eSIM/) });
    expect(r.expectations[1]).toMatchObject({ name: 'lostEvents', ok: true, skipped: expect.stringMatching(/outboxes/) });
  });

  test('the text summary gives durations in readable units', () => {
    const text = formatSummary(finishReport(shard({ faults: faults({ injected: { reboot: 1 }, notRecovered: { reboot: 1 }, stillDownMs: { reboot: 5_400_000 } }) }, ALL)));
    expect(text).toContain('FAIL recoveryTime.reboot: expected ≤ 1m, got 1h 30m');
    expect(text).toContain("reboot: 1 hit, 0 recovered; 0 not observed; 1 not recovered (down 1h 30m past the fault's end)");
    expect(text).toContain('simulated            1d');
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
          link: link({ statusOnline: 9, events: 30, acceptedEvents: 31, lostEvents: 1, lostEventKeys: ['d evt:1'] }),
          faults: faults({ injected: { reboot: 1, mute: 2 }, recovered: { reboot: 1 }, notObserved: { mute: 2 }, recoveryTimesMs: { reboot: [90_000] } }),
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
    expect(merged.link).toEqual(link({ devices: 20, statusOnline: 19, sessionAgrees: 20, events: 70, acceptedEvents: 71, lostEvents: 1, lostEventKeys: ['d evt:1'] }));
    expect(merged.faults).toEqual(
      faults({ injected: { reboot: 3, mute: 2 }, recovered: { reboot: 3 }, notObserved: { mute: 2 }, recoveryTimesMs: { reboot: [1000, 30_000, 90_000] } }),
    );
    expect(merged.recovery).toEqual({ reboot: { count: 3, p50: 30_000, p90: 90_000, max: 90_000 } });
    expect(merged.esim.switches).toMatchObject({ sent: 4, ok: 4 });
    expect(merged.transfers).toEqual({ issued: 6, verified: 6, failed: 0 });
    expect(merged.billing).toEqual({ available: true, total: 20, months: { '202601': 20 } });
    // Shard b alone failed these, so the merged fleet does too; each shard keeps its own result.
    expect(merged.expectations.filter((e) => !e.ok).map((e) => e.name)).toEqual(['lostEvents', 'statusOnline', 'allFaultsObserved.mute', 'recoveryTime.reboot']);
    expect(merged.shardResults).toEqual([
      { shard: '0/2', gateways: 10, wallMs: 1000, ok: true, failed: [] },
      { shard: '1/2', gateways: 10, wallMs: 4000, ok: false, failed: ['lostEvents', 'statusOnline', 'allFaultsObserved.mute', 'recoveryTime.reboot'] },
    ]);
    expect(merged.ok).toBe(false);
  });

  test('a version-1 report (before recovery, lost events and series) still merges with a version-2 one', () => {
    const v2 = finishReport(shard({}, { allFaultsRecovered: true, lostEvents: 0 }));
    const { series: _s, notable: _n, shardResults: _r, recovery: _rec, ...rest } = finishReport(shard({ shards: [{ index: 1, count: 2 }] }, { allFaultsRecovered: true, lostEvents: 0 }));
    const v1 = {
      ...rest,
      version: 1,
      faults: { injected: { reboot: 1 }, recovered: { reboot: 1 } },
      link: { enabled: true, devices: 10, statusOnline: 10, sessionAgrees: 10, events: 40, duplicateEvents: 0 },
      expectations: [{ name: 'allFaultsRecovered', expected: '1', actual: '1', ok: true }],
    } as unknown as FleetReport;
    const merged = mergeReports([v2, v1]);
    expect(merged.version).toBe(2);
    expect(merged.series).toBeUndefined(); // half a fleet's series would mislead
    expect(merged.faults).toEqual(faults({ injected: { reboot: 3 }, recovered: { reboot: 3 }, recoveryTimesMs: { reboot: [1000, 30_000] } }));
    // The old shard did not track its outboxes: lostEvents cannot be checked for the whole fleet.
    expect(merged.link.deliveryTracked).toBe(false);
    expect(merged.expectations.find((e) => e.name === 'lostEvents')).toMatchObject({ ok: true, skipped: expect.stringMatching(/outboxes/) });
    expect(merged.shardResults.map((r) => [r.shard, r.ok])).toEqual([['0/2', true], ['1/2', true]]);
  });

  test('refuses reports of different scenarios, unknown versions, and nothing', () => {
    expect(() => mergeReports([])).toThrow('nothing to merge');
    expect(() => mergeReports([finishReport(shard()), finishReport(shard({ scenario: 'other' }))])).toThrow('reports of different scenarios: s, other');
    expect(() => mergeReports([{ ...finishReport(shard()), version: 3 as 2 }])).toThrow('unsupported report version 3');
  });

  test('percentile is nearest-rank', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
  });
});
