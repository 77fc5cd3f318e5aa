import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator } from '../platform/app/accounts.js';
import { issueToken, logout, verifyToken } from '../platform/app/auth.js';
import { createPlatformApp } from '../platform/app/platform-app.js';
import { PostgresStore } from '../platform/store/postgres-store.js';
import { postgresAvailability, startPostgresCluster, type PostgresCluster } from '../scripts/support/postgres-cluster.js';
import { until } from './support/process-stack.js';

const availability = postgresAvailability();
let cluster: PostgresCluster;
beforeAll(async () => {
  if (availability.available) cluster = await startPostgresCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describe.skipIf(!availability.available)('verified-token cache across processes sharing PostgreSQL', () => {
  it('a logout in one process refuses the token in the other at once, not after the cache TTL', async () => {
    const url = await cluster.createDatabase();
    // A TTL far longer than the test: only the cross-process forget can make B refuse the token.
    const config = { tokenCacheTtlMs: 3_600_000 };
    const a = createPlatformApp({ store: await PostgresStore.open(url), config });
    const b = createPlatformApp({ store: await PostgresStore.open(url), config });
    try {
      const op = await createOperator(a.ctx, { email: 'tokens@example.com', password: 'tokens password' });
      const auth = await issueToken(a.ctx, op.operatorId, null);
      // Verified (and cached) by B, a token A issued.
      expect((await verifyToken(b.ctx, auth.apiKey, auth.token)).operatorId).toBe(op.operatorId);
      await logout(a.ctx, auth.apiKey);
      await until(async () => verifyToken(b.ctx, auth.apiKey, auth.token).then(() => false, (e: Error & { code?: string }) => e.message.length > 0), 5_000, 'B refuses the logged-out token');
      await expect(verifyToken(b.ctx, auth.apiKey, auth.token)).rejects.toThrow();
    } finally {
      for (const app of [a, b]) {
        await app.stop();
        await app.ctx.store.close();
      }
    }
  });
});
