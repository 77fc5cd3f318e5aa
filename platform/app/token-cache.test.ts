import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { createOperator, createUser, setUserPassword, setUserPermission } from './accounts.js';
import { authenticate, logout, verifyToken } from './auth.js';
import { createPlatformApp } from './platform-app.js';

const dir = mkdtempSync(join(tmpdir(), 'cellgate-token-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two platform processes' worth of app on ONE database file and one clock. */
function twoPlatforms(name: string) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const path = join(dir, `${name}.sqlite`);
  const a = createPlatformApp({ store: new SqliteStore(path), clock });
  const b = createPlatformApp({ store: new SqliteStore(path), clock });
  return { clock, a: a.ctx, b: b.ctx, close: async () => Promise.all([a.ctx.store.close(), b.ctx.store.close()]) };
}

const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string; error?: { code?: string } }) => e.error?.code ?? e.code ?? String(e));

describe('verified-token cache', () => {
  it('forgets a token at logout in this process at once, and in another process within the TTL', async () => {
    const { clock, a, b, close } = twoPlatforms('logout');
    await createOperator(a, { email: 'cache@example.com', password: 'p@ssw0rd!' });
    const { apiKey, token } = await authenticate(a, { email: 'cache@example.com', password: 'p@ssw0rd!' });
    expect(await code(verifyToken(a, apiKey, token))).toBe('ok');
    expect(await code(verifyToken(b, apiKey, token))).toBe('ok');
    await logout(a, apiKey);
    expect(await code(verifyToken(a, apiKey, token))).toMatch(/AUM0002/);
    // B learned of the logout only through the shared database: trusted for at most the TTL.
    await clock.advance(b.config.tokenCacheTtlMs);
    expect(await code(verifyToken(b, apiKey, token))).toMatch(/AUM0002/);
    await close();
  });

  it('never lets a cached token outlive its expiry or accept a wrong token', async () => {
    const { clock, a, close } = twoPlatforms('expiry');
    await createOperator(a, { email: 'exp@example.com', password: 'p@ssw0rd!' });
    const { apiKey, token } = await authenticate(a, { email: 'exp@example.com', password: 'p@ssw0rd!', tokenTimeoutSeconds: 180 });
    expect(await code(verifyToken(a, apiKey, token))).toBe('ok');
    expect(await code(verifyToken(a, apiKey, `${token.slice(0, -1)}x`))).toMatch(/AUM0002/);
    await clock.advance(180_000);
    expect(await code(verifyToken(a, apiKey, token))).toMatch(/AUM0003/);
    await close();
  });

  it('drops a SAM user’s cached permission when it changes in this process', async () => {
    const { a, close } = twoPlatforms('permission');
    const op = await createOperator(a, { email: 'sam@example.com', password: 'p@ssw0rd!' });
    await createUser(a, op.operatorId, 'ops');
    await setUserPassword(a, op.operatorId, 'ops', 'p@ssw0rd!-ops');
    const { apiKey, token } = await authenticate(a, { operatorId: op.operatorId, userName: 'ops', password: 'p@ssw0rd!-ops' });
    expect((await verifyToken(a, apiKey, token)).permission).toBeNull();
    const permission = JSON.stringify({ statements: [{ effect: 'allow', api: ['Subscriber:*'] }] });
    await setUserPermission(a, op.operatorId, 'ops', permission);
    expect((await verifyToken(a, apiKey, token)).permission).not.toBeNull();
    await close();
  });
});
