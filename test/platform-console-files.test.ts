/** The console's static files under `/console`: served from the build, nothing outside it. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../platform/index.js';

let platform: RunningPlatform;
let unbuilt: RunningPlatform;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'cellgate-console-'));
  const dir = join(root, 'console');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'outside the console');
  platform = await startPlatform({ dataDir: ':memory:', mqtt: false, consoleDir: dir });
  unbuilt = await startPlatform({ dataDir: ':memory:', mqtt: false, consoleDir: null });
});
afterAll(async () => {
  await platform.close();
  await unbuilt.close();
});

describe('console files', () => {
  it('serves the page without credentials, always fresh, and hashed assets as immutable', async () => {
    const redirect = await platform.http.inject({ method: 'GET', url: '/console' });
    expect([redirect.statusCode, redirect.headers.location]).toEqual([302, '/console/']);
    const page = await platform.http.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>console</title>');
    const js = await platform.http.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect([js.statusCode, js.headers['content-type'], js.headers['cache-control']]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  it('answers 404 for a missing file and for any path that leaves the console directory', async () => {
    expect((await platform.http.inject({ method: 'GET', url: '/console/nope.js' })).statusCode).toBe(404);
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/%2e%2e/%2e%2e/secret.txt', '/console/..%2fsecret.txt']) {
      const res = await platform.http.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('outside the console');
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
  });

  it('says how to build it when the build is missing', async () => {
    const res = await unbuilt.http.inject({ method: 'GET', url: '/console/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/npm run build/);
  });
});
