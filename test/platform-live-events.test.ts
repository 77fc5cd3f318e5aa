/**
 * `GET /_cellgate/events` over a real socket: the console's live updates come from the durable
 * store streams, only the caller's operator's, only the kinds a SAM user may read, and a dropped
 * connection resumes with `Last-Event-ID` without losing anything.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { ApiClient } from '../cli/stack-provision.js';

let platform: RunningPlatform;

interface Creds {
  apiKey: string;
  token: string;
  operatorId: string;
}

async function operator(name: string): Promise<{ api: ApiClient; creds: Creds }> {
  const api = new ApiClient(platform.url);
  const creds = await api.call<Creds>('POST', '/v1/sandbox/init', { email: `${name}@example.com`, password: 'live-events-password' });
  api.use(creds);
  return { api, creds };
}

async function newSim(api: ApiClient): Promise<string> {
  const sim = await api.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
  await api.call('POST', `/v1/subscribers/${sim.imsi}/register`, { registrationSecret: sim.registrationSecret });
  return sim.imsi;
}

interface Received {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

/** Opens the stream and collects its events until `close()`. */
async function follow(headers: Record<string, string>): Promise<{ status: number; events: Received[]; next(n: number): Promise<Received[]>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${platform.url}/_cellgate/events`, { headers, signal: abort.signal });
  const events: Received[] = [];
  const waiters: (() => void)[] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
            const data = field('data');
            if (data) events.push({ id: field('id'), event: field('event')!, data: JSON.parse(data) as Record<string, unknown> });
            waiters.splice(0).forEach((w) => w());
          }
        }
      } catch {
        // aborted
      }
    })();
  } else {
    await res.body?.cancel();
  }
  return {
    status: res.status,
    events,
    async next(n) {
      while (events.length < n) await new Promise<void>((done) => waiters.push(done));
      return events.slice(0, n);
    },
    close: () => abort.abort(),
  };
}

const auth = (c: Creds) => ({ 'x-soracom-api-key': c.apiKey, 'x-soracom-token': c.token });

beforeAll(async () => {
  platform = await startPlatform({ dataDir: ':memory:', clock: new VirtualClock(Date.UTC(2026, 0, 5)), http: { port: 0 }, mqtt: false });
});
afterAll(async () => platform.close());

describe('live events for the console', () => {
  it('streams the caller’s own SIM changes as they happen, not another operator’s', async () => {
    const a = await operator('live-a');
    const b = await operator('live-b');
    const simA = await newSim(a.api);
    const simB = await newSim(b.api);
    const stream = await follow(auth(a.creds));
    expect(stream.status).toBe(200);
    await b.api.call('POST', `/v1/subscribers/${simB}/activate`);
    await a.api.call('POST', `/v1/subscribers/${simA}/activate`);
    // Sessions opened by the network side: the online state the SIM list shows.
    const session = await platform.gate.createSession({ imsi: simA, imei: '358926090000017', apn: 'soracom.io', cell: { radioType: 'lte-m', mcc: '295', mnc: '05', tac: 1, eci: 1 } });
    expect(session.allowed).toBe(true);
    const [changed, online] = await stream.next(2);
    expect(changed).toMatchObject({ event: 'sim', data: { kind: 'sim', imsi: simA, status: 'active' } });
    expect(online).toMatchObject({ event: 'sim', data: { kind: 'sim', imsi: simA, online: true, sessionEvent: 'Created' } });
    expect(stream.events.some((e) => e.data.imsi === simB)).toBe(false);
    stream.close();
  });

  it('resumes after a drop with Last-Event-ID: what happened in between arrives, nothing twice', async () => {
    const a = await operator('live-resume');
    const sim = await newSim(a.api);
    const first = await follow(auth(a.creds));
    await a.api.call('POST', `/v1/subscribers/${sim}/activate`);
    const [seen] = await first.next(1);
    first.close();
    expect(seen!.id).toMatch(/^\d+\.\d+\.\d+$/);
    await a.api.call('POST', `/v1/subscribers/${sim}/suspend`); // while nobody listens
    const again = await follow({ ...auth(a.creds), 'last-event-id': seen!.id! });
    const [missed] = await again.next(1);
    expect(missed!.data).toMatchObject({ imsi: sim, status: 'suspended' });
    await a.api.call('POST', `/v1/subscribers/${sim}/activate`);
    const [, next] = await again.next(2);
    expect(next!.data).toMatchObject({ imsi: sim, status: 'active' });
    expect(again.events).toHaveLength(2);
    again.close();
  });

  it('refuses a missing token, and a SAM user without the permission', async () => {
    const none = await follow({});
    expect(none.status).toBe(401);
    const a = await operator('live-sam');
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/viewer`, {});
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/viewer/password`, { password: 'viewer-password' });
    await a.api.call('PUT', `/v1/operators/${a.creds.operatorId}/users/viewer/permission`, { permission: JSON.stringify({ statements: [{ effect: 'allow', api: ['Subscriber:*'] }] }) });
    const viewer = await new ApiClient(platform.url).call<Creds>('POST', '/v1/auth', { operatorId: a.creds.operatorId, userName: 'viewer', password: 'viewer-password' });
    const refused = await follow(auth(viewer));
    expect(refused.status).toBe(403);
  });

  it('gives a SAM user with the stream but without Subscriber permission no SIM events', async () => {
    const a = await operator('live-sam-devices');
    const sim = await newSim(a.api);
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/devices`, {});
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/devices/password`, { password: 'devices-password' });
    await a.api.call('PUT', `/v1/operators/${a.creds.operatorId}/users/devices/permission`, {
      permission: JSON.stringify({ statements: [{ effect: 'allow', api: ['Device:*', 'Cellgate:streamCellgateEvents'] }] }),
    });
    const user = await new ApiClient(platform.url).call<Creds>('POST', '/v1/auth', { operatorId: a.creds.operatorId, userName: 'devices', password: 'devices-password' });
    const limited = await follow(auth(user));
    const root = await follow(auth(a.creds));
    expect(limited.status).toBe(200);
    await a.api.call('POST', `/v1/subscribers/${sim}/activate`);
    await root.next(1); // the change was published and read
    await a.api.call('POST', `/v1/subscribers/${sim}/suspend`);
    await root.next(2);
    expect(limited.events).toEqual([]);
    limited.close();
    root.close();
  });
});

describe('live events with two platform instances on one store', () => {
  it('a change committed by the other instance reaches a stream held by this one (from the store, not memory)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-live-two-'));
    const first = await startPlatform({ dataDir, http: { port: 0 }, mqtt: false, consoleDir: null });
    const second = await startPlatform({ dataDir, http: { port: 0 }, mqtt: false, consoleDir: null });
    try {
      const viaFirst = new ApiClient(first.url);
      const creds = await viaFirst.call<Creds>('POST', '/v1/sandbox/init', { email: 'two-instances@example.com', password: 'two-instances-pw' });
      viaFirst.use(creds);
      const sim = await newSim(viaFirst);
      const abort = new AbortController();
      const res = await fetch(`${first.url}/_cellgate/events`, { headers: auth(creds), signal: abort.signal });
      const reader = res.body!.getReader();
      // The other instance (another process in production) changes the SIM; this one's in-process
      // listeners never hear of it, so only reading the store can bring it.
      const viaSecond = new ApiClient(second.url);
      viaSecond.use(creds);
      await viaSecond.call('POST', `/v1/subscribers/${sim}/activate`);
      let text = '';
      while (!text.includes('"status":"active"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain(`"imsi":"${sim}"`);
      abort.abort();
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('SIM status history', () => {
  it('lists the caller’s status changes newest first; another operator’s SIM is unknown', async () => {
    const a = await operator('history-a');
    const b = await operator('history-b');
    const sim = await newSim(a.api);
    await a.api.call('POST', `/v1/subscribers/${sim}/activate`);
    await a.api.call('POST', `/v1/subscribers/${sim}/suspend`);
    const history = await a.api.call<{ fromStatus: string | null; toStatus: string; cause: string }[]>('GET', `/_cellgate/subscribers/${sim}/status_history`);
    expect(history.map((h) => [h.fromStatus, h.toStatus, h.cause])).toEqual([
      ['active', 'suspended', 'operator'],
      ['ready', 'active', 'operator'],
      [null, 'ready', 'registration'],
    ]);
    await expect(b.api.call('GET', `/_cellgate/subscribers/${sim}/status_history`)).rejects.toThrow(/404.*SEM0001/);
  });
});

describe('what the caller may do (GET /_cellgate/me)', () => {
  it('answers root with everything, a SAM user with its permission, payment never', async () => {
    const a = await operator('me-a');
    const ask = '/_cellgate/me?api=Subscriber:suspendSubscriber&api=Subscriber:terminateSubscriber&api=Payment:getPaymentMethod';
    expect(await a.api.call('GET', ask)).toEqual({
      operatorId: a.creds.operatorId,
      userName: null,
      root: true,
      allowed: { 'Subscriber:suspendSubscriber': true, 'Subscriber:terminateSubscriber': true, 'Payment:getPaymentMethod': true },
    });
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/ops`, {});
    await a.api.call('POST', `/v1/operators/${a.creds.operatorId}/users/ops/password`, { password: 'ops-password-1' });
    await a.api.call('PUT', `/v1/operators/${a.creds.operatorId}/users/ops/permission`, {
      permission: JSON.stringify({ statements: [{ effect: 'allow', api: '*' }, { effect: 'deny', api: ['Subscriber:terminateSubscriber'] }] }),
    });
    const ops = new ApiClient(platform.url);
    ops.use(await ops.call<Creds>('POST', '/v1/auth', { operatorId: a.creds.operatorId, userName: 'ops', password: 'ops-password-1' }));
    expect(await ops.call('GET', ask)).toMatchObject({
      userName: 'ops',
      root: false,
      allowed: { 'Subscriber:suspendSubscriber': true, 'Subscriber:terminateSubscriber': false, 'Payment:getPaymentMethod': false },
    });
    // The answer is the rule every call passes: the denied call is refused.
    const sim = await newSim(a.api);
    await expect(ops.call('POST', `/v1/subscribers/${sim}/terminate`)).rejects.toThrow(/403.*AUM0005/);
    await expect(ops.call('GET', '/_cellgate/me?api=not-an-api')).rejects.toThrow(/400/);
  });
});
