import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newOperator, newSim, startTestApi, type Api, type Creds } from './platform-support.js';

let api: Api;
let root: Creds & { email: string; password: string };
beforeEach(async () => {
  api = await startTestApi();
  root = await newOperator(api);
});
afterEach(async () => api.platform.close());

const HOUR = 3_600_000;
const cell = { radioType: 'lte-m' as const, mcc: '295', mnc: '05', tac: 1, eci: 2 };

describe('auth', () => {
  it('root email + password gives a key and token of ≥128 bits; wrong password is 401 AUM0004', async () => {
    const ok = await api.call('POST', '/v1/auth', { body: { email: root.email, password: root.password } });
    expect(ok.statusCode).toBe(200);
    const body = ok.json();
    expect(body.operatorId).toMatch(/^OP\d{10}$/);
    expect(Buffer.from(body.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(body.userName).toBeUndefined();
    const bad = await api.call('POST', '/v1/auth', { body: { email: root.email, password: 'wrong password' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ code: 'AUM0004', message: expect.any(String) });
  });

  it('tokens expire after tokenTimeoutSeconds (default 24 h); the maximum is 172800', async () => {
    const short = (await api.call('POST', '/v1/auth', { body: { email: root.email, password: root.password, tokenTimeoutSeconds: 600 } })).json();
    const creds = { ...short };
    expect((await api.call('GET', '/v1/subscribers', { auth: creds })).statusCode).toBe(200);
    await api.platform.scheduler.advance(api.clock, 600_000);
    const expired = await api.call('GET', '/v1/subscribers', { auth: creds });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('AUM0003');
    expect((await api.call('GET', '/v1/subscribers', { auth: root })).statusCode).toBe(200);
    await api.platform.scheduler.advance(api.clock, 24 * HOUR);
    expect((await api.call('GET', '/v1/subscribers', { auth: root })).statusCode).toBe(401);
    const tooLong = await api.call('POST', '/v1/auth', { body: { email: root.email, password: root.password, tokenTimeoutSeconds: 172_801 } });
    expect(tooLong.statusCode).toBe(400);
  });

  it('logout revokes the key and token', async () => {
    expect((await api.call('POST', '/v1/auth/logout', { auth: root })).statusCode).toBe(204);
    const after = await api.call('GET', '/v1/subscribers', { auth: root });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('AUM0002');
  });

  it('auth keys authenticate as root', async () => {
    const key = await api.call('POST', `/v1/operators/${root.operatorId}/auth_keys`, { auth: root });
    expect(key.statusCode).toBe(201);
    const { authKeyId, authKey } = key.json();
    const res = await api.call('POST', '/v1/auth', { body: { authKeyId, authKey } });
    expect(res.statusCode).toBe(200);
    expect(res.json().operatorId).toBe(root.operatorId);
    expect((await api.call('POST', '/v1/auth', { body: { authKeyId, authKey: 'secret-nope' } })).statusCode).toBe(401);
  });
});

describe('subscribers', () => {
  it('registers a sandbox SIM as ready with the reference shape', async () => {
    const s = await newSim(api, root);
    expect(s).toMatchObject({ status: 'ready', operatorId: root.operatorId, tags: { name: '' }, terminationEnabled: false, subscription: 'plan01s', speedClass: 's1.standard' });
    expect(s.sessionStatus).toMatchObject({ online: false });
    const got = await api.call('GET', `/v1/subscribers/${s.imsi}`, { auth: root });
    expect(got.json()).toEqual(s);
  });

  it('walks the status table through the API, with refusals as 400 + code', async () => {
    const { imsi } = await newSim(api, root);
    const post = (action: string) => api.call('POST', `/v1/subscribers/${imsi}/${action}`, { auth: root });
    expect((await post('activate')).json().status).toBe('active');
    expect((await post('set_to_standby')).json().status).toBe('standby');
    expect((await post('suspend')).json().status).toBe('suspended');
    const refused = await post('set_to_standby');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('SEM0002');
    const protectedTerminate = await post('terminate');
    expect(protectedTerminate.statusCode).toBe(400);
    expect(protectedTerminate.json().code).toBe('SEM0004');
    expect((await post('enable_termination')).json().terminationEnabled).toBe(true);
    expect((await post('terminate')).json().status).toBe('terminated');
    expect((await post('activate')).json().code).toBe('SEM0003');
  });

  it('refuses standby for plan-D', async () => {
    const { imsi } = await newSim(api, root, 'plan-D');
    const res = await api.call('POST', `/v1/subscribers/${imsi}/set_to_standby`, { auth: root });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('SEM0005');
  });

  it('lists with filters and pages with last_evaluated_key / x-soracom-next-key', async () => {
    const sims = [];
    for (let i = 0; i < 5; i++) sims.push(await newSim(api, root));
    const imsis = sims.map((s) => s.imsi).sort();
    await api.call('PUT', `/v1/subscribers/${imsis[1]}/tags`, { auth: root, body: [{ tagName: 'site', tagValue: 'osaka-1' }] });
    await api.call('POST', `/v1/subscribers/${imsis[2]}/activate`, { auth: root });
    await api.call('POST', `/v1/subscribers/${imsis[3]}/update_speed_class`, { auth: root, body: { speedClass: 's1.fast' } });

    const seen: string[] = [];
    let key: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await api.call('GET', `/v1/subscribers?limit=2${key ? `&last_evaluated_key=${key}` : ''}`, { auth: root });
      seen.push(...res.json().map((s: { imsi: string }) => s.imsi));
      key = res.headers['x-soracom-next-key'] as string | undefined;
      if (!key) break;
    }
    expect(seen).toEqual(imsis);
    const byTag = await api.call('GET', '/v1/subscribers?tag_name=site&tag_value=osaka&tag_value_match_mode=prefix', { auth: root });
    expect(byTag.json().map((s: { imsi: string }) => s.imsi)).toEqual([imsis[1]]);
    const byStatus = await api.call('GET', '/v1/subscribers?status_filter=active|suspended', { auth: root });
    expect(byStatus.json().map((s: { imsi: string }) => s.imsi)).toEqual([imsis[2]]);
    const bySpeed = await api.call('GET', '/v1/subscribers?speed_class_filter=s1.fast', { auth: root });
    expect(bySpeed.json().map((s: { imsi: string }) => s.imsi)).toEqual([imsis[3]]);
    // Serial numbers by prefix, several with `|` (reference: "starting with the specified value(s)").
    const serials = (await api.call('GET', '/v1/subscribers', { auth: root })).json().map((s: { imsi: string; serialNumber: string }) => [s.imsi, s.serialNumber]) as [string, string][];
    const [first, second] = [serials.find(([i]) => i === imsis[0])![1], serials.find(([i]) => i === imsis[2])![1]];
    const bySerial = await api.call('GET', `/v1/subscribers?serial_number_filter=${first}|${second.slice(0, -1)}`, { auth: root });
    expect(bySerial.json().map((s: { imsi: string }) => s.imsi).filter((i: string) => imsis.includes(i))).toEqual([imsis[0], imsis[2]]);
    expect((await api.call('GET', '/v1/subscribers?serial_number_filter=XX-none', { auth: root })).json()).toEqual([]);
  });

  it('puts and deletes tags; name is always there', async () => {
    const { imsi } = await newSim(api, root);
    const put = await api.call('PUT', `/v1/subscribers/${imsi}/tags`, { auth: root, body: [{ tagName: 'name', tagValue: 'pump 7' }, { tagName: 'a b', tagValue: 'x' }] });
    expect(put.json().tags).toEqual({ name: 'pump 7', 'a b': 'x' });
    expect((await api.call('DELETE', `/v1/subscribers/${imsi}/tags/a%20b`, { auth: root })).statusCode).toBe(204);
    expect((await api.call('DELETE', `/v1/subscribers/${imsi}/tags/name`, { auth: root })).statusCode).toBe(204);
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth: root })).json().tags).toEqual({ name: '' });
    const missing = await api.call('DELETE', `/v1/subscribers/${imsi}/tags/nope`, { auth: root });
    expect(missing.statusCode).toBe(404);
  });

  it('sets and unsets group, speed class and expiry; the expiry fires on the virtual clock', async () => {
    const { imsi } = await newSim(api, root);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/set_group`, { auth: root, body: { groupId: 'g-1' } })).json().groupId).toBe('g-1');
    expect((await api.call('POST', `/v1/subscribers/${imsi}/unset_group`, { auth: root })).json().groupId).toBeUndefined();
    expect((await api.call('POST', `/v1/subscribers/${imsi}/update_speed_class`, { auth: root, body: { speedClass: 'u1.slow' } })).json().code).toBe('SEM0009');
    const at = api.clock.now() + 2 * HOUR;
    const set = await api.call('POST', `/v1/subscribers/${imsi}/set_expiry_time`, { auth: root, body: { expiryTime: at, expiryAction: 'deactivate' } });
    expect(set.json()).toMatchObject({ expiryTime: at, expiryAction: 'deactivate' });
    const adv = await api.call('POST', '/_cellgate/clock', { auth: root, body: { advance: 2 * HOUR } });
    expect(adv.json().now).toBe(at);
    const s = (await api.call('GET', `/v1/subscribers/${imsi}`, { auth: root })).json();
    expect(s.status).toBe('inactive');
    expect(s.expiryTime).toBeUndefined();
    const past = await api.call('POST', `/v1/subscribers/${imsi}/set_expiry_time`, { auth: root, body: { expiryTime: 1 } });
    expect(past.json().code).toBe('SEM0010');
  });

  it('delete_session: SEM0016 offline; online drops the session and lists Created/Deleted events', async () => {
    const { imsi } = await newSim(api, root);
    const offline = await api.call('POST', `/v1/subscribers/${imsi}/delete_session`, { auth: root });
    expect(offline.statusCode).toBe(400);
    expect(offline.json().code).toBe('SEM0016');
    const orders: string[] = [];
    api.platform.gate.onSessionDeleteOrder((o) => orders.push(o.imsi));
    await api.platform.gate.createSession({ imsi, imei: '860000000000009', apn: 'soracom.io', cell });
    const online = (await api.call('GET', `/v1/subscribers/${imsi}`, { auth: root })).json();
    expect(online).toMatchObject({ status: 'active', sessionStatus: { online: true, imei: '860000000000009', ueIpAddress: expect.stringMatching(/^127\.(1[6-9]|2\d|3[01])\./) } });
    await api.platform.scheduler.advance(api.clock, 1000);
    const del = await api.call('POST', `/v1/subscribers/${imsi}/delete_session`, { auth: root });
    expect(del.json().sessionStatus.online).toBe(false);
    expect(orders).toEqual([imsi]);
    const events = await api.call('GET', `/v1/subscribers/${imsi}/events/sessions?limit=1`, { auth: root });
    expect(events.json().map((e: { event: string }) => e.event)).toEqual(['Deleted']);
    const next = events.headers['x-soracom-next-key'];
    const rest = await api.call('GET', `/v1/subscribers/${imsi}/events/sessions?last_evaluated_key=${next}`, { auth: root });
    expect(rest.json()).toEqual([expect.objectContaining({ event: 'Created', imei: '860000000000009', cell: expect.objectContaining({ radioType: 'LTE-M' }) })]);
  });

  it('keeps coverage types apart (X-Cellgate-Coverage)', async () => {
    const jp = await newSim(api, root, 'plan-D', 'jp');
    expect((await api.call('GET', `/v1/subscribers/${jp.imsi}`, { auth: root })).statusCode).toBe(404);
    expect((await api.call('GET', `/v1/subscribers/${jp.imsi}`, { auth: root, headers: { 'x-cellgate-coverage': 'jp' } })).statusCode).toBe(200);
    expect((await api.call('GET', '/v1/subscribers', { auth: root, headers: { 'x-cellgate-coverage': 'xx' } })).json().code).toBe('OPM0005');
  });

  it('another operator cannot see my subscribers or my operator', async () => {
    const { imsi } = await newSim(api, root);
    const other = await newOperator(api);
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth: other })).statusCode).toBe(404);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/activate`, { auth: other })).statusCode).toBe(404);
    expect((await api.call('GET', `/v1/operators/${root.operatorId}`, { auth: other })).statusCode).toBe(403);
  });
});

describe('malformed input', () => {
  it.each([
    ['bad IMSI', 'GET', '/v1/subscribers/12345', undefined, undefined, 400, 'COM0004'],
    ['bad operator id', 'GET', '/v1/operators/OP12', undefined, undefined, 400, 'COM0005'],
    ['bad JSON', 'PUT', '/v1/subscribers/295050000000001/tags', undefined, '[{"tagName":', 400, 'COM0002'],
    ['unknown field', 'POST', '/v1/subscribers/295050000000001/set_group', { groupId: 'x', grupId: 'y' }, undefined, 400, 'COM0001'],
    ['wrong type', 'POST', '/v1/subscribers/295050000000001/set_expiry_time', { expiryTime: 'soon' }, undefined, 400, 'COM0001'],
    ['bad enum', 'POST', '/v1/subscribers/295050000000001/set_expiry_time', { expiryTime: 1, expiryAction: 'explode' }, undefined, 400, 'COM0001'],
    ['missing field', 'POST', '/v1/subscribers/295050000000001/update_speed_class', {}, undefined, 400, 'COM0001'],
    ['limit over 100', 'GET', '/v1/subscribers?limit=101', undefined, undefined, 400, 'COM0001'],
    ['unknown subscriber', 'GET', '/v1/subscribers/295050000000001', undefined, undefined, 404, 'SEM0001'],
    ['unknown route', 'GET', '/v1/nothing-here', undefined, undefined, 404, 'COM0003'],
  ])('%s: %s %s → %i %s', async (_name, method, url, body, raw, status, code) => {
    const res = await api.call(method, url, { auth: root, body, raw });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ code, message: expect.any(String) });
  });

  it('sandbox refuses a duplicate usage timestamp', async () => {
    const { imsi } = await newSim(api, root);
    const body = { unixtime: 1767225600, dataTrafficStatsMap: { 's1.standard': { uploadByteSizeTotal: 10, downloadByteSizeTotal: 20 } } };
    expect((await api.call('POST', `/v1/sandbox/stats/air/subscribers/${imsi}`, { auth: root, body })).statusCode).toBe(200);
    const dup = await api.call('POST', `/v1/sandbox/stats/air/subscribers/${imsi}`, { auth: root, body });
    expect(dup.json().code).toBe('SBX0001');
  });
});

describe('SAM users', () => {
  async function samUser(permission?: object): Promise<Creds> {
    const base = `/v1/operators/${root.operatorId}/users/ops-bot`;
    expect((await api.call('POST', base, { auth: root, body: { description: 'robot' } })).statusCode).toBe(201);
    expect((await api.call('POST', `${base}/password`, { auth: root, body: { password: 'robot password' } })).statusCode).toBe(201);
    if (permission) expect((await api.call('PUT', `${base}/permission`, { auth: root, body: { permission: JSON.stringify(permission) } })).statusCode).toBe(200);
    const res = await api.call('POST', '/v1/auth', { body: { operatorId: root.operatorId, userName: 'ops-bot', password: 'robot password' } });
    expect(res.json().userName).toBe('ops-bot');
    return res.json();
  }

  it('a new SAM user may do nothing', async () => {
    const sam = await samUser();
    const res = await api.call('GET', '/v1/subscribers', { auth: sam });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUM0005');
  });

  it('allow patterns grant exactly the matching operations; deny beats allow', async () => {
    const { imsi } = await newSim(api, root);
    const sam = await samUser({
      statements: [
        { effect: 'allow', api: ['Subscriber:list*', 'Subscriber:getSubscriber', 'Subscriber:*Subscriber'] },
        { effect: 'deny', api: ['Subscriber:terminateSubscriber'] },
      ],
    });
    expect((await api.call('GET', '/v1/subscribers', { auth: sam })).statusCode).toBe(200);
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth: sam })).statusCode).toBe(200);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/activate`, { auth: sam })).statusCode).toBe(200);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/terminate`, { auth: sam })).statusCode).toBe(403);
    expect((await api.call('PUT', `/v1/subscribers/${imsi}/tags`, { auth: sam, body: [] })).statusCode).toBe(403);
    expect((await api.call('POST', '/_cellgate/clock', { auth: sam, body: { advance: 1 } })).statusCode).toBe(403);
  });

  it('refuses an invalid permission document', async () => {
    await api.call('POST', `/v1/operators/${root.operatorId}/users/u1`, { auth: root });
    const res = await api.call('PUT', `/v1/operators/${root.operatorId}/users/u1/permission`, { auth: root, body: { permission: '{"statements":[{"effect":"maybe","api":"*"}]}' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('USM0004');
  });
});
