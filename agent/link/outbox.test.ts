import { mkdtempSync, readdirSync, readlinkSync, statSync } from 'node:fs';
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

  describe('journal', () => {
    /** The files of this outbox the process holds open (Linux: /proc/self/fd). */
    const openFiles = (o: Outbox): string[] =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.startsWith(o.path))
        .map((target) => target.slice(o.path.length) || 'db')
        .sort();
    const linux = process.platform === 'linux';

    it.runIf(linux)('wal (the default) keeps the database, its log and its shared memory open', () => {
      const o = fresh();
      o.append(entry('k1'));
      expect(openFiles(o)).toEqual(['-shm', '-wal', 'db']);
      o.close();
      expect(openFiles(o)).toEqual([]);
    });

    it.runIf(linux)('truncate keeps only the database open between transactions', () => {
      const o = fresh({ journal: 'truncate' });
      o.append(entry('k1'));
      o.appendCommandResult('c1', { key: 'res:c1', payload: '{}' });
      o.remove(['k1']);
      expect(o.pending().map((e) => e.key)).toEqual(['res:c1']);
      expect(openFiles(o)).toEqual(['db']);
      // Committed: the journal is left empty, so nothing rolls back on the next open.
      expect(statSync(`${o.path}-journal`).size).toBe(0);
    });

    it('truncate keeps what was appended across reopen, in either mode', () => {
      const a = fresh({ journal: 'truncate' });
      a.append(entry('k1'));
      a.append(entry('k2'));
      a.remove(['k1']);
      a.close();
      const b = new Outbox(a.path, { clock: new VirtualClock(), journal: 'truncate' });
      expect(b.pending().map((e) => e.key)).toEqual(['k2']);
      b.close();
      const c = new Outbox(a.path, { clock: new VirtualClock() });
      expect(c.pending().map((e) => e.key)).toEqual(['k2']);
      c.close();
    });
  });
});
