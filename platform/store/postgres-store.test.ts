import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgresCluster, type PostgresCluster } from '../../scripts/support/postgres-cluster.js';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations.js';
import { PostgresStore, redactPostgresUrl } from './postgres-store.js';
import { describeStoreContract } from './store-contract.js';

const availability = postgresAvailability();
let cluster: PostgresCluster;
beforeAll(async () => {
  if (availability.available) cluster = await startPostgresCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describe('PostgreSQL store', () => {
  it('has the SQLite migrations, version for version', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(SQLITE_MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('masks the password of a store URL', () => {
    expect(redactPostgresUrl('postgres://u:secret@db.example:5432/cellgate')).toBe('postgres://u:***@db.example:5432/cellgate');
  });
});

describe.skipIf(!availability.available)('PostgreSQL store (throwaway cluster)', () => {
  describeStoreContract('PostgreSQL', async () => {
    const url = await cluster.createDatabase();
    return { store: await PostgresStore.open(url), reopen: async () => PostgresStore.open(url) };
  });

  it('applies migrations once even when processes start together', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([PostgresStore.open(url), PostgresStore.open(url), PostgresStore.open(url)]);
    for (const s of stores) expect(await s.appliedMigrations()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('keeps read-modify-write safe across two stores (two processes) on one database', async () => {
    const url = await cluster.createDatabase();
    const a = await PostgresStore.open(url);
    const b = await PostgresStore.open(url);
    await a.transaction((tx) => tx.put('counter', 'c', { n: 0 }));
    const bump = (s: PostgresStore) =>
      s.transaction(async (tx) => {
        const c = (await tx.get<{ n: number }>('counter', 'c'))!;
        await tx.put('counter', 'c', { n: c.n + 1 });
        await tx.append('bumps', 'c', c.n, { by: s === a ? 'a' : 'b' });
      });
    await Promise.all(Array.from({ length: 30 }, (_, i) => bump(i % 2 ? a : b)));
    expect(await a.transaction((tx) => tx.get('counter', 'c'))).toEqual({ n: 30 });
    // Each bump saw the count the previous one left: the appended `at`s are 0..29, once each.
    const bumps = await b.transaction((tx) => tx.readStream('bumps'));
    expect(bumps.map((r) => r.at)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await Promise.all([a.close(), b.close()]);
  });

  it('never lets a stream reader skip a record that commits late (sequence order = commit order)', async () => {
    const url = await cluster.createDatabase();
    const writers = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    const reader = await PostgresStore.open(url);
    const seen: number[] = [];
    let cursor = 0;
    let done = false;
    const follow = (async () => {
      while (!done) {
        const records = await reader.transaction((tx) => tx.readStream<{ i: number }>('orders', { afterSeq: cursor }));
        for (const r of records) {
          seen.push(r.body.i);
          cursor = r.seq;
        }
      }
    })();
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        writers[i % 2]!.transaction(async (tx) => {
          await tx.append('orders', `k${i}`, i, { i });
          // Slow committers: the next writer's sequence number is drawn while this one is open.
          await new Promise((r) => setImmediate(r));
          await tx.put('noise', String(i), { i });
        }),
      ),
    );
    done = true;
    await follow;
    const tail = await reader.transaction((tx) => tx.readStream<{ i: number }>('orders', { afterSeq: cursor }));
    seen.push(...tail.map((r) => r.body.i));
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    await Promise.all([...writers, reader].map((s) => s.close()));
  });

  it('carries notifications and locks across stores, and frees a lock when its holder dies', async () => {
    const url = await cluster.createDatabase();
    const a = await PostgresStore.open(url, { applicationName: 'holder' });
    const b = await PostgresStore.open(url);
    let hear: (payload: string | null) => void = () => undefined;
    const heard = new Promise<string | null>((resolve) => (hear = resolve));
    // listen() resolves once LISTEN has run: a notification sent after it cannot be missed.
    await b.listen('delete-orders', (payload) => hear(payload));
    await a.transaction(async (tx) => tx.notify('delete-orders', '295050000000001'));
    expect(await heard).toBe('295050000000001');

    let holding: () => void = () => undefined;
    const held = new Promise<void>((r) => (holding = r));
    const holder = a.tryWithLock('job:month-close', async () => {
      holding();
      await new Promise(() => undefined); // a process that hangs or dies while holding
    });
    void holder.catch(() => undefined);
    await held;
    expect(await b.tryWithLock('job:month-close', async () => 'b')).toEqual({ acquired: false });
    // The holder's connection goes away (as when its process is SIGKILLed): the server frees the lock.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder' AND pid <> pg_backend_pid()");
    await admin.end();
    expect(await b.tryWithLock('job:month-close', async () => 'taken over')).toEqual({ acquired: true, value: 'taken over' });
    await b.close();
  });
});
