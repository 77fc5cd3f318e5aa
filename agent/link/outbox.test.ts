import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { Outbox, OutboxFullError } from './outbox.js';

const fresh = (options: Partial<ConstructorParameters<typeof Outbox>[1]> = {}): Outbox =>
  new Outbox(join(mkdtempSync(join(tmpdir(), 'outbox-')), 'o.db'), { clock: new VirtualClock(), ...options });
const entry = (key: string, priority: 'low' | 'normal' | 'critical' = 'normal') => ({ key, kind: 'event' as const, priority, payload: `{"key":"${key}"}` });

describe('Outbox', () => {
  it('keeps entries in order across reopen until they are removed', () => {
    const a = fresh();
    a.append(entry('k1'));
    a.append(entry('k2'));
    a.close();
    const b = new Outbox(a.path, { clock: new VirtualClock() });
    expect(b.pending().map((e) => e.key)).toEqual(['k1', 'k2']);
    expect(b.remove(['k1', 'unknown'])).toEqual(['k1']);
    expect(b.pending().map((e) => e.key)).toEqual(['k2']);
  });

  it('treats a re-offered pending key as a duplicate', () => {
    const o = fresh();
    expect(o.append(entry('esim:1:7', 'critical'))).toEqual({ key: 'esim:1:7', duplicate: false });
    expect(o.append(entry('esim:1:7', 'critical'))).toEqual({ key: 'esim:1:7', duplicate: true });
    expect(o.size()).toBe(1);
  });

  it('refuses low-priority entries first, normal ones at the limit, and never critical ones', () => {
    const o = fresh({ maxEntries: 10, lowWatermark: 0.5 });
    for (let i = 0; i < 5; i++) o.append(entry(`low${i}`, 'low'));
    expect(() => o.append(entry('low5', 'low'))).toThrow(OutboxFullError);
    for (let i = 0; i < 5; i++) o.append(entry(`n${i}`));
    expect(() => o.append(entry('n5'))).toThrow(/outbox full: 10 entries pending, normal-priority/);
    o.append(entry('esim:x:1', 'critical'));
    expect(o.size()).toBe(11);
    expect(() => o.append({ ...entry('big'), payload: 'x'.repeat(70_000) })).toThrow(RangeError);
  });

  it('remembers executed commands with their result, and notifies removals', () => {
    const o = fresh();
    const removed: string[] = [];
    o.onRemoved((k) => removed.push(k));
    expect(o.hasExecutedCommand('c1')).toBe(false);
    o.appendCommandResult('c1', { key: 'res:c1', payload: '{}' });
    expect(o.hasExecutedCommand('c1')).toBe(true);
    expect(o.pending()[0]).toMatchObject({ key: 'res:c1', kind: 'command-result', priority: 'critical' });
    o.remove(['res:c1']);
    expect(removed).toEqual(['res:c1']);
    expect(o.hasExecutedCommand('c1')).toBe(true);
  });
});
