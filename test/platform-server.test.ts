import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../platform/cli.js';
import { startPlatform } from '../platform/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cellgate-platform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function call(url: string, method: string, path: string, body?: unknown, auth?: { apiKey: string; token: string }) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth) Object.assign(headers, { 'X-Soracom-API-Key': auth.apiKey, 'X-Soracom-Token': auth.token });
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('startPlatform over a real socket', () => {
  it('serves the API, and keeps operators, tokens and subscribers across a restart', async () => {
    const first = await startPlatform({ dataDir: dir, http: { port: 0 } });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const init = await call(first.url, 'POST', '/v1/sandbox/init', { email: 'restart@example.com', password: 'restart password' });
    expect(init.status).toBe(201);
    const auth = init.body as { apiKey: string; token: string };
    const sim = (await call(first.url, 'POST', '/v1/sandbox/subscribers/create', {}, auth)).body as { imsi: string; registrationSecret: string };
    expect((await call(first.url, 'POST', `/v1/subscribers/${sim.imsi}/register`, { registrationSecret: sim.registrationSecret }, auth)).status).toBe(201);
    expect((await call(first.url, 'POST', `/v1/subscribers/${sim.imsi}/activate`, undefined, auth)).body.status).toBe('active');
    // On the wall clock the clock API tells the time but refuses to move it.
    const clock = await call(first.url, 'GET', '/_cellgate/clock', undefined, auth);
    expect(clock).toMatchObject({ status: 200, body: { virtual: false } });
    expect(Math.abs(clock.body.now - Date.now())).toBeLessThan(60_000);
    expect(await call(first.url, 'POST', '/_cellgate/clock', { advance: 'P1D' }, auth)).toMatchObject({ status: 400, body: { code: 'CGW0001' } });
    await first.close();

    const second = await startPlatform({ dataDir: dir, http: { port: 0 } });
    const got = await call(second.url, 'GET', `/v1/subscribers/${sim.imsi}`, undefined, auth);
    expect(got.status).toBe(200);
    expect(got.body.status).toBe('active');
    expect((await call(second.url, 'GET', '/v1/subscribers', undefined)).status).toBe(401);
    await second.close();
  });

  it('cellgate platform refuses a bad port with exit code 2', async () => {
    expect(await run(['--port', 'eighty'])).toBe(2);
    expect(await run(['--bogus'])).toBe(2);
  });
});
