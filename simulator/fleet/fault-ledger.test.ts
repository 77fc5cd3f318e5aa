import { describe, expect, test } from 'vitest';
import { FaultLedger, mergeFaultFigures, type FaultHolder } from './fault-ledger.js';

const MIN = 60_000;
const gateway = (): FaultHolder => ({ openFaults: [], faultsHit: 0, faultsUnrecovered: 0 });
const ledger = (): FaultLedger => new FaultLedger(() => 10 * MIN);

describe('FaultLedger', () => {
  test('a fault that took the gateway down and came back after the fault ended: recovered, timed from the end', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'coverage-loss', 2 * 60 * MIN); // hits at 0, lifted at 2 h
    l.stateChanged(gw, false, 5_000);
    expect(l.lifted(gw, 2 * 60 * MIN)).toBe(0); // still offline when lifted
    expect(l.stateChanged(gw, true, 2 * 60 * MIN + 45_000)).toBe(1);
    expect(l.finish(3 * 60 * MIN)).toMatchObject({ injected: { 'coverage-loss': 1 }, recovered: { 'coverage-loss': 1 }, recoveryTimesMs: { 'coverage-loss': [45_000] }, notObserved: {}, notRecovered: {} });
  });

  test('back online before the fault ended (and still online then): recovered in 0', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'garbage', 10 * MIN);
    l.stateChanged(gw, false, MIN);
    expect(l.stateChanged(gw, true, 2 * MIN)).toBe(0); // the fault still runs
    expect(l.lifted(gw, 10 * MIN)).toBe(1);
    expect(l.finish(60 * MIN).recoveryTimesMs).toEqual({ garbage: [0] });
  });

  test('a fault that never took the gateway down is not observed, never recovered', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'mute', 10 * MIN);
    expect(l.lifted(gw, 10 * MIN)).toBe(0);
    expect(l.finish(60 * MIN)).toMatchObject({ injected: { mute: 1 }, recovered: {}, notObserved: { mute: 1 } });
  });

  test('a loss long after the fault and its window is not the fault\'s doing', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'garbage', 10 * MIN);
    l.lifted(gw, 10 * MIN);
    // Three days later an operator deletes the session: the garbage burst is not "recovered" by that.
    l.stateChanged(gw, false, 3 * 24 * 60 * MIN);
    l.stateChanged(gw, true, 3 * 24 * 60 * MIN + 1000);
    expect(l.finish(4 * 24 * 60 * MIN)).toMatchObject({ recovered: {}, notObserved: { garbage: 1 }, recoveryTimesMs: {} });
  });

  test('still down at the end: not recovered, with how long past the fault\'s end', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'registration-reject', 60 * MIN);
    l.stateChanged(gw, false, 1000);
    const figures = l.finish(5 * 60 * MIN);
    expect(figures).toMatchObject({ notRecovered: { 'registration-reject': 1 }, stillDownMs: { 'registration-reject': 4 * 60 * MIN } });
    expect(gw.faultsUnrecovered).toBe(1);
  });

  test('down, back, down again before the end: the last return counts', () => {
    const l = ledger();
    const gw = gateway();
    l.inject(gw, 'reboot', 0);
    l.stateChanged(gw, false, 100);
    l.inject(gw, 'pdp-deactivation', 200, true); // already offline because of it
    expect(l.stateChanged(gw, true, 5_000)).toBe(2);
    expect(l.finish(10_000).recoveryTimesMs).toEqual({ reboot: [5_000], 'pdp-deactivation': [4_800] });
  });

  test('merge adds counts, concatenates times, keeps the longest still-down time', () => {
    const merged = mergeFaultFigures([
      { injected: { reboot: 2 }, recovered: { reboot: 1 }, notRecovered: { reboot: 1 }, recoveryTimesMs: { reboot: [10] }, stillDownMs: { reboot: 500 } },
      { injected: { reboot: 1, mute: 1 }, recovered: { reboot: 1 }, notObserved: { mute: 1 }, recoveryTimesMs: { reboot: [20] }, stillDownMs: { reboot: 100 } },
      // A version-1 report has only these two.
      { injected: { reboot: 1 }, recovered: { reboot: 1 } },
    ]);
    expect(merged).toEqual({
      injected: { reboot: 4, mute: 1 },
      recovered: { reboot: 3 },
      notObserved: { mute: 1 },
      notRecovered: { reboot: 1 },
      recoveryTimesMs: { reboot: [10, 20] },
      stillDownMs: { reboot: 500 },
    });
  });
});
