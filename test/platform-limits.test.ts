/**
 * The HTTP API's limits (docs/api.md "Limits"): failed logins back off per account and per
 * source, and the right user gets in after the documented delay; each route reads at most its
 * body limit; device credentials carry the advertised URLs, not the bind address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { DEFAULT_LOGIN_THROTTLE } from '../platform/domain/login-throttle.js';
import { BODY_LIMITS } from '../platform/http/body-limits.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { newOperator, startTestApi, type Api } from './platform-support.js';

const login = (api: Api, body: Record<string, unknown>, remoteAddress = '192.0.2.1') =>
  api.http.inject({ method: 'POST', url: '/v1/auth', headers: { 'content-type': 'application/json' }, remoteAddress, payload: JSON.stringify(body) });

describe('POST /v1/auth under a password guessing attack', () => {
  it('100 wrong passwords: throttled with 429 AUM0009 and Retry-After; the right password works after the documented delay', async () => {
    const api = await startTestApi();
    const op = await newOperator(api);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 100; i++) {
      last = await login(api, { email: op.email, password: `wrong-${i}` });
      statuses.push(last.statusCode);
    }
    const free = DEFAULT_LOGIN_THROTTLE.account.freeFailures;
    expect(statuses.slice(0, free + 1)).toEqual(Array(free + 1).fill(401));
    expect(statuses.slice(free + 1)).toEqual(Array(100 - free - 1).fill(429));
    expect(last!.json()).toMatchObject({ code: 'AUM0009' });
    expect(last!.headers['retry-after']).toBe('1');
    // Blocked for the right password too, but only until the delay has passed (1 s here; at
    // most 30 s after the last checked failure, however many refused attempts came after it).
    expect((await login(api, { email: op.email, password: op.password })).statusCode).toBe(429);
    await api.clock.advance(1_000);
    const ok = await login(api, { email: op.email, password: op.password });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ operatorId: op.operatorId });
    // A success starts the account afresh: five more free failures.
    for (let i = 0; i < free; i++) expect((await login(api, { email: op.email, password: 'nope' })).statusCode).toBe(401);
    await api.platform.close();
  });

  it('another account is not blocked by one under attack; a source guessing many accounts is', async () => {
    const api = await startTestApi();
    const victim = await newOperator(api);
    const other = await newOperator(api);
    for (let i = 0; i < 20; i++) await login(api, { email: victim.email, password: 'x' }, '198.51.100.7');
    expect((await login(api, { email: other.email, password: other.password }, '198.51.100.8')).statusCode).toBe(200);
    // 50 free checked failures per source across accounts (6 of the 20 above were checked),
    // then the source is held back.
    for (let i = 0; i < DEFAULT_LOGIN_THROTTLE.source.freeFailures - 6; i++) await login(api, { email: `nobody${i}@example.com`, password: 'x' }, '198.51.100.7');
    expect((await login(api, { email: 'someone@example.com', password: 'x' }, '198.51.100.7')).statusCode).toBe(401);
    expect((await login(api, { email: 'someone@example.com', password: 'x' }, '198.51.100.7')).statusCode).toBe(429);
    expect((await login(api, { email: 'someone@example.com', password: 'x' }, '198.51.100.9')).statusCode).toBe(401);
    // Auth keys and SAM users are accounts of their own.
    expect((await login(api, { authKeyId: 'keyId-none', authKey: 'secret-x' }, '198.51.100.9')).statusCode).toBe(401);
    await api.platform.close();
  });
});

describe('request body limits per route', () => {
  it('refuses a body over the route limit with 413 COM0008 before reading it', async () => {
    const api = await startTestApi();
    const op = await newOperator(api);
    const big = (bytes: number) => JSON.stringify({ email: op.email, password: 'p'.repeat(bytes) });
    const auth = await api.http.inject({ method: 'POST', url: '/v1/auth', headers: { 'content-type': 'application/json' }, payload: big(BODY_LIMITS.login) });
    expect(auth.statusCode).toBe(413);
    expect(auth.json()).toMatchObject({ code: 'COM0008' });
    const headers = { 'content-type': 'application/json', 'x-soracom-api-key': op.apiKey, 'x-soracom-token': op.token };
    const tags = await api.http.inject({ method: 'PUT', url: '/v1/subscribers/295050000000001/tags', headers, payload: JSON.stringify([{ tagName: 'a', tagValue: 'v'.repeat(BODY_LIMITS.default) }]) });
    expect(tags.statusCode).toBe(413);
    // A device command may carry up to an MQTT message's worth (256 KiB): past the size check,
    // it fails for another reason (no such device).
    const command = await api.http.inject({
      method: 'POST',
      url: '/_cellgate/devices/356938035643809/commands',
      headers,
      payload: JSON.stringify({ command: { name: 'x', data: 'd'.repeat(256 * 1024) } }),
    });
    expect(command.statusCode).not.toBe(413);
    await api.platform.close();
  });
});

describe('advertised addresses in device credentials', () => {
  let platform: RunningPlatform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  const register = async (p: RunningPlatform): Promise<Record<string, string>> => {
    const init = await p.http.inject({ method: 'POST', url: '/v1/sandbox/init', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'adv@example.com', password: 'correct horse battery' }) });
    const creds = init.json() as { apiKey: string; token: string };
    const res = await p.http.inject({
      method: 'POST',
      url: '/_cellgate/devices',
      headers: { 'content-type': 'application/json', 'x-soracom-api-key': creds.apiKey, 'x-soracom-token': creds.token },
      payload: JSON.stringify({ deviceId: '356938035643809' }),
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  };

  it('names the configured public URLs', async () => {
    platform = await startPlatform({
      dataDir: ':memory:',
      clock: new VirtualClock(),
      http: { port: 0 },
      mqtt: { port: 0 },
      publicUrl: 'https://api.gw.example',
      publicMqttUrl: 'mqtt://broker.gw.example:1883',
    });
    expect(await register(platform)).toMatchObject({ mqttUrl: 'mqtt://broker.gw.example:1883', apiUrl: 'https://api.gw.example' });
  });

  it('says loopback only when the servers listen on loopback; a wildcard bind is never advertised', async () => {
    platform = await startPlatform({ dataDir: ':memory:', clock: new VirtualClock(), http: { port: 0 }, mqtt: { port: 0 } });
    const local = await register(platform);
    expect(local.mqttUrl).toBe(platform.mqttUrl);
    expect(local.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await platform.close();
    platform = await startPlatform({ dataDir: ':memory:', clock: new VirtualClock(), http: { port: 0, host: '0.0.0.0' }, mqtt: { port: 0, host: '0.0.0.0' } });
    const wide = await register(platform);
    expect(wide.mqttUrl).not.toMatch(/0\.0\.0\.0/);
    expect(wide.apiUrl).not.toMatch(/0\.0\.0\.0/);
    expect(new URL(wide.mqttUrl!).port).toBe(new URL(platform.mqttUrl).port);
  });
});
