import { mkdtempSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { Outbox, OutboxFullError } from './outbox.js';
import { OutboxStore } from './outbox-store.js';

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), 'outbox-')), 'o.db');
const fresh = (options: Partial<ConstructorParameters<typeof Outbox>[1]> = {}): Outbox => new Outbox(dbPath(), { clock: new VirtualClock(), ...options });
const entry = (key: string, priority: 'low' | 'normal' | 'critical' = 'normal') => ({ key, kind: 'event' as const, priority, payload: `{"key":"${key}"}` });

describe('Outbox', () => {
  it('keeps entries in order across reopen until they are removed', async () => {
    const a = fresh();
    a.append(entry('k1'));
    a.append(entry('k2'));
    a.close();
    const b = new Outbox(a.path, { clock: new VirtualClock() });
    expect(b.pending().map((e) => e.key)).toEqual(['k1', 'k2']);
    expect(b.remove(['k1', 'unknown'])).toEqual(['k1']);
    expect(b.pending().map((e) => e.key)).toEqual(['k2']);
    await b.committed();
    b.close();
    expect(new Outbox(a.path, { clock: new VirtualClock() }).pending().map((e) => e.key)).toEqual(['k2']);
  });

  it('treats a re-offered pending key as a duplicate, queued or committed', async () => {
    const o = fresh();
    expect(o.append(entry('esim:1:7', 'critical'))).toEqual({ key: 'esim:1:7', duplicate: false });
    expect(o.append(entry('esim:1:7', 'critical'))).toEqual({ key: 'esim:1:7', duplicate: true });
    await o.committed();
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

  it('remembers executed commands with their result, and notifies removals once committed', async () => {
    const o = fresh();
    const removed: string[] = [];
    o.onRemoved((k) => removed.push(k));
    expect(o.hasExecutedCommand('c1')).toBe(false);
    o.appendCommandResult('c1', { key: 'res:c1', payload: '{}' });
    expect(o.hasExecutedCommand('c1')).toBe(true);
    await o.committed();
    expect(o.pending()[0]).toMatchObject({ key: 'res:c1', kind: 'command-result', priority: 'critical' });
    o.remove(['res:c1']);
    expect(o.has('res:c1')).toBe(false);
    expect(removed).toEqual([]);
    await o.committed();
    expect(removed).toEqual(['res:c1']);
    expect(o.hasExecutedCommand('c1')).toBe(true);
  });

  describe('group commit', () => {
    it('sends nothing before its commit, and commits one turn of appends in one transaction', async () => {
      const store = new OutboxStore(dbPath());
      const o = new Outbox(store, { clock: new VirtualClock() });
      await o.committed();
      const before = store.commits;
      const committed: number[] = [];
      o.onCommitted(() => committed.push(o.pending(1000).length));
      for (let i = 0; i < 100; i++) o.append(entry(`k${i}`));
      // Accepted only once on disk: not listed for sending yet.
      expect(o.pending()).toEqual([]);
      expect(o.size()).toBe(100);
      await o.committed();
      expect(store.commits - before).toBe(1);
      expect(committed).toEqual([100]);
      // Another connection (another process after a crash) reads them: they are in the file.
      const reader = new Database(store.path, { readonly: true });
      expect((reader.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n).toBe(100);
      reader.close();
      store.close();
    });

    it('shares one database between owners without mixing their entries or commands', async () => {
      const store = new OutboxStore(dbPath());
      const clock = new VirtualClock();
      const a = new Outbox(store, { clock, owner: 'dev-a', maxEntries: 2 });
      const b = new Outbox(store, { clock, owner: 'dev-b', maxEntries: 2 });
      a.append(entry('k1'));
      b.append(entry('k1'));
      a.append(entry('k2'));
      a.appendCommandResult('c1', { key: 'res:c1', payload: '{}' });
      expect(() => a.append(entry('k3'))).toThrow(OutboxFullError);
      const before = store.commits;
      await Promise.all([a.committed(), b.committed()]);
      expect(store.commits - before).toBe(1);
      expect(a.pending().map((e) => e.key)).toEqual(['k1', 'k2', 'res:c1']);
      expect(b.pending().map((e) => e.key)).toEqual(['k1']);
      expect(b.hasExecutedCommand('c1')).toBe(false);
      a.remove(['k1']);
      await a.committed();
      expect(b.has('k1')).toBe(true);
      store.close();
      const reopened = new OutboxStore(store.path);
      expect(new Outbox(reopened, { clock, owner: 'dev-a' }).pending().map((e) => e.key)).toEqual(['k2', 'res:c1']);
      expect(new Outbox(reopened, { clock, owner: 'dev-b' }).pending().map((e) => e.key)).toEqual(['k1']);
      reopened.close();
    });

    it("keeps the fleet's 'process' durability to WAL and commits at synchronous NORMAL, the others at FULL", () => {
      expect(() => new OutboxStore(dbPath(), 'truncate', 'process')).toThrow(/needs the WAL journal/);
      const fleet = new OutboxStore(dbPath(), 'wal', 'process');
      const agent = new OutboxStore(dbPath());
      // PRAGMA synchronous: 1 = NORMAL, 2 = FULL (sqlite.org/pragma.html#pragma_synchronous).
      expect(fleet.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(agent.db.pragma('synchronous', { simple: true })).toBe(2);
      fleet.close();
      agent.close();
    });

    it('reads an outbox file written before owners existed', () => {
      const path = dbPath();
      const old = new Database(path);
      old.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, priority TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE executed_commands (command_id TEXT PRIMARY KEY, executed_at INTEGER NOT NULL);
        INSERT INTO outbox (key, kind, priority, payload, created_at) VALUES ('old1', 'event', 'normal', '{}', 0);
        INSERT INTO executed_commands VALUES ('c0', 1);`);
      old.close();
      const o = new Outbox(path, { clock: new VirtualClock(), commandMemoryMs: 1e15 });
      expect(o.pending().map((e) => e.key)).toEqual(['old1']);
      expect(o.hasExecutedCommand('c0')).toBe(true);
      o.close();
    });
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
      o.flush();
      expect(openFiles(o)).toEqual(['-shm', '-wal', 'db']);
      o.close();
      expect(openFiles(o)).toEqual([]);
    });

    it.runIf(linux)('truncate keeps only the database open between transactions', () => {
      const o = fresh({ journal: 'truncate' });
      o.append(entry('k1'));
      o.appendCommandResult('c1', { key: 'res:c1', payload: '{}' });
      o.flush();
      o.remove(['k1']);
      o.flush();
      expect(o.pending().map((e) => e.key)).toEqual(['res:c1']);
      expect(openFiles(o)).toEqual(['db']);
      // Committed: the journal is left empty, so nothing rolls back on the next open.
      expect(statSync(`${o.path}-journal`).size).toBe(0);
    });

    it('truncate keeps what was appended across reopen, in either mode', () => {
      const a = fresh({ journal: 'truncate' });
      a.append(entry('k1'));
      a.append(entry('k2'));
      a.flush();
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
