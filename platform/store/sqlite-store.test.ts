import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(a.appliedMigrations()).toEqual([1]);
    await a.close();
    const b = new SqliteStore(path);
    expect(b.appliedMigrations()).toEqual([1]);
    await b.close();
  });
});
