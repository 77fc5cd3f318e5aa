import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from './migrations.js';
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
});
