import { describe, expect, test } from 'vitest';
import { mergeNotes, noteGateways, TRACE_LIMIT, traceStep, type TracedGateway } from './gateway-notes.js';

function gateway(index: number, patch: Partial<TracedGateway> = {}): TracedGateway {
  return {
    spec: { index, dialect: 'bg96', region: 'north' },
    imsi: `00101000000${index}`,
    online: true,
    startedAt: 0,
    attachedAt: 1000 * index,
    reconnects: 0,
    attempts: 1,
    faultsHit: 0,
    faultsUnrecovered: 0,
    offlineMs: 0,
    trace: [],
    traceStartsOnline: false,
    ...patch,
  };
}

describe('notable gateways', () => {
  test('slowest: never attached first, then by attach time; troubled: unrecovered, then offline time, then reconnects', () => {
    const fleet = [
      gateway(0),
      gateway(1, { attachedAt: undefined, online: false }),
      gateway(2, { reconnects: 5 }),
      gateway(3, { offlineMs: 60_000, reconnects: 1 }),
      gateway(4, { faultsUnrecovered: 1, offlineSince: 90_000, online: false }),
      gateway(5),
    ];
    const notes = noteGateways(fleet, 0, 100_000, 3);
    expect(notes.slowest.map((n) => [n.index, n.attachMs])).toEqual([[1, null], [5, 5000], [4, 4000]]);
    expect(notes.troubled.map((n) => n.index)).toEqual([4, 3, 2]);
    // Still offline at the end: the open span counts.
    expect(notes.troubled[0]).toMatchObject({ offlineMs: 10_000, unrecovered: 1, onlineAtEnd: false, device: '001010000004' });
  });

  test('a trace keeps its latest entries and the state before them', () => {
    const gw = gateway(0);
    for (let i = 0; i < TRACE_LIMIT + 11; i++) traceStep(gw, { t: i, e: i % 2 === 0 ? 'online' : 'offline' });
    expect(gw.trace).toHaveLength(TRACE_LIMIT);
    expect(gw.trace[0]!.t).toBe(11);
    // Entry 10 (online) was the last dropped.
    expect(gw.traceStartsOnline).toBe(true);
  });

  test('shard lists merge by re-ranking', () => {
    const a = noteGateways([gateway(0, { reconnects: 1 }), gateway(2, { reconnects: 3 })], 0, 10_000, 2);
    const b = noteGateways([gateway(1, { reconnects: 2 }), gateway(3)], 0, 10_000, 2);
    const merged = mergeNotes([a, b, undefined], 2);
    expect(merged.troubled.map((n) => n.index)).toEqual([2, 1]);
    expect(merged.slowest.map((n) => n.index)).toEqual([3, 2]);
  });
});
