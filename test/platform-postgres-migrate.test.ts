import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgresCluster, type PostgresCluster } from '../scripts/support/postgres-cluster.js';
import { createPlatformApp } from '../platform/app/platform-app.js';
import { createOperator } from '../platform/app/accounts.js';
import { changeStatus, createSandboxSubscriber, registerSubscriber } from '../platform/app/subscribers.js';
import { STREAMS } from '../platform/app/context.js';
import { PostgresStore } from '../platform/store/postgres-store.js';
import { SqliteStore } from '../platform/store/sqlite-store.js';
import { builtCli, spawnCellgate, tempDir } from './support/process-stack.js';
import { join } from 'node:path';

const availability = postgresAvailability();
let cluster: PostgresCluster;
beforeAll(async () => {
  if (availability.available) cluster = await startPostgresCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describe.skipIf(!availability.available || !builtCli)('cellgate platform migrate (SQLite → PostgreSQL)', () => {
  it('moves an embedded data dir into PostgreSQL: same documents, streams with their sequence numbers, jobs', async () => {
    const dir = tempDir('migrate');
    const sqlite = new SqliteStore(join(dir, 'platform.sqlite'));
    const app = createPlatformApp({ store: sqlite });
    const op = await createOperator(app.ctx, { email: 'move@example.com', password: 'move password' });
    const imsis: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sim = await createSandboxSubscriber(app.ctx, op.operatorId, 'g', {});
      await registerSubscriber(app.ctx, { operatorId: op.operatorId }, sim.imsi, { registrationSecret: sim.registrationSecret });
      await changeStatus(app.ctx, { operatorId: op.operatorId }, sim.imsi, 'activate');
      imsis.push(sim.imsi);
    }
    const before = await sqlite.transaction(async (tx) => ({
      subscribers: await tx.list('subscriber'),
      history: await tx.readStream(STREAMS.statusHistory),
      next: await tx.nextJobDue(),
    }));
    await app.stop();
    await sqlite.close();

    const url = await cluster.createDatabase();
    const run = spawnCellgate(['platform', 'migrate', '--store', url, '--from-sqlite', dir]);
    expect(await run.exited()).toBe(0);
    expect(run.output()).toMatch(/copied .*: \d+ documents, \d+ stream records, \d+ jobs/);

    const pgStore = await PostgresStore.open(url);
    const after = await pgStore.transaction(async (tx) => ({
      subscribers: await tx.list('subscriber'),
      history: await tx.readStream(STREAMS.statusHistory),
      next: await tx.nextJobDue(),
    }));
    expect(after).toEqual(before);
    expect(before.history.length).toBeGreaterThanOrEqual(6);
    // New records continue after the copied ones.
    const seq = await pgStore.transaction((tx) => tx.append(STREAMS.statusHistory, imsis[0]!, 1, { later: true }));
    expect(seq).toBeGreaterThan(Math.max(...before.history.map((r) => r.seq)));
    await pgStore.close();

    const again = spawnCellgate(['platform', 'migrate', '--store', url, '--from-sqlite', dir]);
    expect(await again.exited()).toBe(1);
    expect(again.output()).toContain('already holds platform data');
  });

  it('says what is wrong with a bad invocation', async () => {
    const none = spawnCellgate(['platform', 'migrate']);
    expect(await none.exited()).toBe(2);
    expect(none.output()).toContain('--store is required');
    const unreachable = spawnCellgate(['platform', 'migrate', '--store', 'postgres://nobody@127.0.0.1:1/none']);
    expect(await unreachable.exited()).toBe(1);
    expect(unreachable.output()).toMatch(/cellgate platform migrate: .*ECONNREFUSED/);
  });
});
