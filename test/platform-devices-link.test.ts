import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { deviceTopic } from '../platform/contract/topics.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { eventually, rawClient } from './link-fixtures.js';

const clock = new RealClock();
const fastBackoff = { initialMs: 20, maxMs: 200 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Creds {
  apiKey: string;
  token: string;
  operatorId: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the helper returns whatever JSON the API sent
async function api(p: RunningPlatform, method: string, path: string, auth?: Creds, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (auth) Object.assign(headers, { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(p.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

let n = 0;
async function operator(p: RunningPlatform): Promise<Creds> {
  const r = await api(p, 'POST', '/v1/sandbox/init', undefined, { email: `dev${n++}@example.com`, password: 'correct horse battery' });
  expect(r.status).toBe(201);
  return r.json;
}

async function platformIn(dir: string): Promise<RunningPlatform> {
  const p = await startPlatform({ dataDir: dir, http: { port: 0 } });
  cleanups.push(() => p.close());
  return p;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cg-devices-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function agent(dir: string, deviceId: string, url: string, password: string): AgentLink {
  const outbox = new Outbox(join(dir, `${deviceId}.outbox.db`), { clock });
  const link = new AgentLink({ deviceId, url, password, agentVersion: 'test', outbox, clock, backoff: fastBackoff, ackTimeoutMs: 500 });
  cleanups.push(async () => {
    await link.stop();
    outbox.close();
  });
  return link;
}

describe('devices registered through the platform HTTP API', () => {
  it('register → agent connects → status, events and a command round trip; another operator sees nothing', async () => {
    const dir = tempDir();
    const p = await platformIn(dir);
    const root = await operator(p);
    const reg = await api(p, 'POST', '/_cellgate/devices', root, { deviceId: 'gw-1' });
    expect(reg.status).toBe(201);
    expect(reg.json).toMatchObject({ deviceId: 'gw-1', username: 'gw-1', mqttUrl: p.mqttUrl, operatorId: root.operatorId });
    expect(reg.json.password).toMatch(/^[0-9a-f]{64}$/);

    const link = agent(dir, 'gw-1', reg.json.mqttUrl, reg.json.password);
    link.handleCommand('refresh-status', () => ({ status: 'ok', result: { refreshed: true } }));
    link.updateStatus({ registration: { state: 'registered-home', rat: 'lte-m' } });
    link.start();
    await link.whenConnected();

    const key = link.emitEvent('session.up', { apn: 'soracom.io' });
    await link.whenAcknowledged(key);
    const events = await api(p, 'GET', '/_cellgate/devices/gw-1/events', root);
    expect(events.status).toBe(200);
    expect(events.json).toMatchObject([{ deviceId: 'gw-1', key, type: 'session.up', data: { apn: 'soracom.io' } }]);

    await eventually(async () => (await api(p, 'GET', '/_cellgate/devices/gw-1', root)).json.status?.registration?.state === 'registered-home', 5_000, 'retained status');
    const listed = await api(p, 'GET', '/_cellgate/devices', root);
    expect(listed.json).toMatchObject([{ deviceId: 'gw-1', status: { online: true } }]);

    const result = await api(p, 'POST', '/_cellgate/devices/gw-1/commands', root, { command: { name: 'refresh-status' }, timeoutMs: 5_000 });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ deviceId: 'gw-1', command: 'refresh-status', status: 'ok', result: { refreshed: true } });

    const bad = await api(p, 'POST', '/_cellgate/devices/gw-1/commands', root, { command: { name: 'format-disk' } });
    expect([bad.status, bad.json.code]).toEqual([400, 'DEV0004']);

    const other = await operator(p);
    expect((await api(p, 'GET', '/_cellgate/devices/gw-1', other)).json.code).toBe('DEV0001');
    expect((await api(p, 'GET', '/_cellgate/devices', other)).json).toEqual([]);
    expect((await api(p, 'POST', '/_cellgate/devices', other, { deviceId: 'gw-1' })).json.code).toBe('DEV0002');
    expect((await api(p, 'POST', '/_cellgate/devices/gw-1/commands', other, { command: { name: 'reconnect' } })).json.code).toBe('DEV0001');
    expect((await api(p, 'POST', '/_cellgate/devices', root, { deviceId: 'a/b' })).json.code).toBe('DEV0003');
  });

  it('a command to an offline device times out with 504 DEV0005', async () => {
    const p = await platformIn(tempDir());
    const root = await operator(p);
    await api(p, 'POST', '/_cellgate/devices', root, { deviceId: 'gw-off' });
    const r = await api(p, 'POST', '/_cellgate/devices/gw-off/commands', root, { command: { name: 'reconnect' }, timeoutMs: 300 });
    expect([r.status, r.json.code]).toEqual([504, 'DEV0005']);
  });

  it('keeps the ACL: a registered device cannot read or write another device, and a deleted device cannot log in', async () => {
    const p = await platformIn(tempDir());
    const root = await operator(p);
    const a = (await api(p, 'POST', '/_cellgate/devices', root, { deviceId: 'gw-a' })).json;
    const b = (await api(p, 'POST', '/_cellgate/devices', root, { deviceId: 'gw-b' })).json;
    const client = await rawClient(p.mqttUrl, { clientId: 'gw-b', username: 'gw-b', password: b.password, clean: true });
    cleanups.push(() => void client.end(true));
    // SUBACK 0x80: mqtt.js reports a refused subscription as an error.
    await expect(client.subscribeAsync(deviceTopic('gw-a', 'commands/req'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    // A wrong-topic publish makes aedes drop the connection.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(deviceTopic('gw-a', 'events'), '{}', { qos: 1 });
    await closed;
    await expect(rawClient(p.mqttUrl, { clientId: 'gw-a', username: 'gw-a', password: b.password })).rejects.toThrow();

    expect((await api(p, 'DELETE', '/_cellgate/devices/gw-a', root)).status).toBe(204);
    await expect(rawClient(p.mqttUrl, { clientId: 'gw-a', username: 'gw-a', password: a.password })).rejects.toThrow();
    expect((await api(p, 'GET', '/_cellgate/devices/gw-a', root)).json.code).toBe('DEV0001');
  });
});

describe('exactly-once application with the SQLite inbox', () => {
  it('a message resent after a platform restart is acknowledged again and stored once', async () => {
    const dir = tempDir();
    let p = await platformIn(dir);
    const root = await operator(p);
    const creds = await p.devices.register(root.operatorId, 'gw-dup');
    const event = { v: 1, key: 'evt:dup-1', deviceId: 'gw-dup', createdAt: clock.now(), type: 'modem.rebooted', data: { n: 1 } };

    const send = async (platform: RunningPlatform): Promise<string[]> => {
      const client = await rawClient(platform.mqttUrl, { clientId: 'gw-dup', username: 'gw-dup', password: creds.password, clean: true });
      try {
        const acks: string[] = [];
        client.on('message', (_t, payload) => acks.push(...(JSON.parse(payload.toString()) as { keys: string[] }).keys));
        await client.subscribeAsync(deviceTopic('gw-dup', 'acks'), { qos: 1 });
        await client.publishAsync(deviceTopic('gw-dup', 'events'), JSON.stringify(event), { qos: 1 });
        await eventually(() => acks.includes(event.key), 5_000, 'ack');
        return acks;
      } finally {
        client.end(true);
      }
    };

    await send(p);
    await p.close();
    cleanups.pop();
    p = await platformIn(dir);
    // Credentials live in the platform store: the device logs in to the restarted broker.
    await send(p);
    await send(p);
    const events = await api(p, 'GET', '/_cellgate/devices/gw-dup/events', root);
    expect(events.json.map((e: { key: string }) => e.key)).toEqual(['evt:dup-1']);
  });
});
