import { describe, expect, it } from 'vitest';
import { CredentialIssuer, InMemoryCredentialStore, hashPassword, verifyPassword } from './credentials.js';
import { mosquittoPasswordFile } from './mosquitto-config.js';

describe('credentials', () => {
  it('issues 256-bit secrets, stores only a hash, and verifies them', async () => {
    const issuer = new CredentialIssuer({ now: () => 42, iterations: 1_000 });
    const issued = await issuer.issueDevice('356938035643809');
    expect(issued.password).toMatch(/^[0-9a-f]{64}$/);
    const [record] = await issuer.store.list();
    expect(record).toMatchObject({ username: '356938035643809', role: 'device', createdAt: 42 });
    expect(JSON.stringify(record)).not.toContain(issued.password);
    expect(await issuer.verify(issued.username, issued.password)).toEqual({ username: issued.username, role: 'device' });
    expect(await issuer.verify(issued.username, `${issued.password}x`)).toBeUndefined();
    expect(await issuer.verify('unknown', issued.password)).toBeUndefined();
    expect(await issuer.verify(issued.username, undefined)).toBeUndefined();
  });

  it('replaces old secrets on reissue and forgets revoked accounts', async () => {
    const issuer = new CredentialIssuer({ now: () => 0, iterations: 1_000 });
    const first = await issuer.issueDevice('dev1');
    const second = await issuer.issueDevice('dev1');
    expect(await issuer.verify('dev1', first.password)).toBeUndefined();
    expect(await issuer.verify('dev1', second.password)).toBeDefined();
    await issuer.revoke('dev1');
    expect(await issuer.verify('dev1', second.password)).toBeUndefined();
  });

  it('remembers a successful check without the secret, and a changed or revoked record ends it', async () => {
    const store = new InMemoryCredentialStore();
    const issuer = new CredentialIssuer({ store, now: () => 0, iterations: 1_000 });
    const issued = await issuer.issueDevice('dev1');
    expect(await issuer.verify('dev1', issued.password)).toEqual({ username: 'dev1', role: 'device' });
    // A reconnect with the same secret is answered from memory; a wrong one still fails.
    expect(await issuer.verify('dev1', Buffer.from(issued.password))).toEqual({ username: 'dev1', role: 'device' });
    expect(await issuer.verify('dev1', `${issued.password}x`)).toBeUndefined();
    // Another issuer on the same store re-issues: the remembered check no longer matches the record.
    const other = new CredentialIssuer({ store, now: () => 0, iterations: 1_000 });
    const reissued = await other.issueDevice('dev1');
    expect(await issuer.verify('dev1', issued.password)).toBeUndefined();
    expect(await issuer.verify('dev1', reissued.password)).toBeDefined();
    await store.delete('dev1');
    expect(await issuer.verify('dev1', reissued.password)).toBeUndefined();
  });

  it('keeps verifying correctly when the cache is full or off', async () => {
    for (const verifiedCacheSize of [0, 1]) {
      const issuer = new CredentialIssuer({ now: () => 0, iterations: 1_000, verifiedCacheSize });
      const a = await issuer.issueDevice('dev-a');
      const b = await issuer.issueDevice('dev-b');
      for (let i = 0; i < 2; i++) {
        expect(await issuer.verify('dev-a', a.password)).toBeDefined();
        expect(await issuer.verify('dev-b', b.password)).toBeDefined();
        expect(await issuer.verify('dev-a', b.password)).toBeUndefined();
      }
    }
  });

  it('refuses usernames outside the device and service alphabets', async () => {
    const issuer = new CredentialIssuer({ now: () => 0 });
    await expect(issuer.issueDevice('a/b')).rejects.toThrow(/invalid device id/);
    await expect(issuer.issueService('platform')).rejects.toThrow(/invalid service username/);
  });

  it("writes hashes in mosquitto_passwd's $7$ format", async () => {
    const hash = await hashPassword('s3cret', 101);
    expect(hash).toMatch(/^\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret', '$6$abc$def')).toBe(false);
    expect(mosquittoPasswordFile([{ username: 'dev1', role: 'device', passwordHash: hash, createdAt: 0 }])).toBe(`dev1:${hash}\n`);
  });
});
