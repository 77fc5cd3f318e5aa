import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { readDocument } from './port.js';
import { SqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cellgate-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStoreContract('SQLite file', async () => {
  const path = join(dir, `store-${n++}.sqlite`);
  return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path) };
});

describeStoreContract('SQLite :memory:', async () => ({ store: new SqliteStore(':memory:') }));

describe('SqliteStore', () => {
  it('applies migrations once and records them', async () => {
    const path = join(dir, 'migrations.sqlite');
    const a = new SqliteStore(path);
    expect(a.appliedMigrations()).toEqual([1, 2]);
    await a.close();
    const b = new SqliteStore(path);
    expect(b.appliedMigrations()).toEqual([1, 2]);
    await b.close();
  });

  it('upgrades a file of version 1: its records stay, and a stream\'s newest record is read by index', async () => {
    const path = join(dir, 'version-1.sqlite');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run(SQLITE_MIGRATIONS[0]!.name, new Date(0).toISOString());
    const insert = old.prepare('INSERT INTO streams (stream, key, at, body) VALUES (?, ?, ?, ?)');
    for (let i = 0; i < 50; i++) insert.run(i % 2 ? 'usage' : 'status-history', `k${i}`, i, JSON.stringify({ i }));
    old.close();

    const store = new SqliteStore(path);
    expect(store.appliedMigrations()).toEqual([1, 2]);
    const newest = await store.transaction((tx) => tx.readStream<{ i: number }>('status-history', { descending: true, limit: 1 }));
    expect(newest.map((r) => r.body)).toEqual([{ i: 48 }]);
    await store.close();
    // Without the index SQLite sorts every record of the stream to find the newest.
    const check = new Database(path, { readonly: true });
    const plan = check.prepare('EXPLAIN QUERY PLAN SELECT seq FROM streams WHERE stream = ? ORDER BY seq DESC LIMIT 1').all('usage') as Array<{ detail: string }>;
    check.close();
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/streams_by_seq/);
    expect(plan.map((p) => p.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
  });

  describe('readDocument (one statement, parsed documents kept until the data changes)', () => {
    const seeded = async (name: string): Promise<{ path: string; store: SqliteStore }> => {
      const path = join(dir, `${name}.sqlite`);
      const store = new SqliteStore(path);
      await store.transaction(async (tx) => tx.put('subscriber', '001', { status: 'active', tags: { name: 'a' } }));
      expect(await readDocument(store, 'subscriber', '001')).toEqual({ status: 'active', tags: { name: 'a' } });
      return { path, store };
    };

    it('sees a write committed by another process on the same file at the next read', async () => {
      const { path, store } = await seeded('other-process');
      // A separate OS process writes the row directly (its own connection, its own cache).
      const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 5000');
        db.prepare("UPDATE documents SET body = ? WHERE kind = 'subscriber' AND id = '001'").run(JSON.stringify({ status: 'inactive', tags: { name: 'b' } })); db.close();`;
      execFileSync(process.execPath, ['-e', script, path], { cwd: process.cwd() });
      expect(await readDocument(store, 'subscriber', '001')).toEqual({ status: 'inactive', tags: { name: 'b' } });
      await store.close();
    });

    it('sees a write of another store instance (another connection) on the same file', async () => {
      const { path, store } = await seeded('other-connection');
      const other = new SqliteStore(path);
      await other.transaction(async (tx) => tx.put('subscriber', '001', { status: 'suspended', tags: {} }));
      expect(await readDocument(store, 'subscriber', '001')).toEqual({ status: 'suspended', tags: {} });
      await other.close();
      await store.close();
    });

    it('hands out frozen documents, so no caller can change what the next one reads', async () => {
      const { store } = await seeded('frozen');
      const doc = (await readDocument<{ status: string; tags: Record<string, string> }>(store, 'subscriber', '001'))!;
      expect(() => {
        doc.status = 'terminated';
      }).toThrow(TypeError);
      expect(() => {
        doc.tags.name = 'changed';
      }).toThrow(TypeError);
      expect(await readDocument(store, 'subscriber', '001')).toEqual({ status: 'active', tags: { name: 'a' } });
      await store.close();
    });

    it('never reads inside an older snapshot that another read holds open', async () => {
      const { store } = await seeded('snapshot');
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      // A multi-statement read opens its snapshot and waits between statements.
      const slow = store.read!(async (tx) => {
        const first = await tx.get('subscriber', '001');
        await held;
        return first;
      });
      await new Promise((r) => setImmediate(r));
      await store.transaction(async (tx) => tx.put('subscriber', '001', { status: 'inactive', tags: {} }));
      const next = readDocument(store, 'subscriber', '001');
      release();
      expect(await slow).toEqual({ status: 'active', tags: { name: 'a' } });
      expect(await next).toEqual({ status: 'inactive', tags: {} });
      await store.close();
    });
  });
});
