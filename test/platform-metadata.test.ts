import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../platform/index.js';

let p: RunningPlatform;
let root: { apiKey: string; token: string; operatorId: string };
beforeAll(async () => {
  p = await startPlatform({ dataDir: ':memory:', http: { port: 0 }, mqtt: false });
  root = (await api('POST', '/v1/sandbox/init', undefined, { email: 'meta@example.com', password: 'correct horse battery' })).json;
});
afterAll(async () => p.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the helper returns whatever JSON the API sent
async function api(method: string, path: string, auth?: { apiKey: string; token: string }, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (auth) Object.assign(headers, { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(p.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** GET with the socket bound to `localAddress`, as a device on that session address would. */
function getFrom(localAddress: string, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(p.url + path);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function onlineSim(groupId?: string): Promise<{ imsi: string; ip: string }> {
  const c = (await api('POST', '/v1/sandbox/subscribers/create', root, {})).json;
  await api('POST', `/v1/subscribers/${c.imsi}/register`, root, { registrationSecret: c.registrationSecret, ...(groupId ? { groupId } : {}) });
  if (groupId) await api('POST', `/v1/subscribers/${c.imsi}/set_group`, root, { groupId });
  const s = await p.gate.createSession({ imsi: c.imsi, imei: '359221090000018', apn: 'soracom.io', cell: { radioType: 'lte-m', mcc: '440', mnc: '10', tac: 1, eci: 2 } });
  if (!s.allowed) throw new Error('session refused');
  return { imsi: c.imsi, ip: s.ueIpAddress };
}

describe('metadata service', () => {
  it('answers a device on its session address with its own subscriber and user data, when its group enables it', async () => {
    const group = (await api('POST', '/v1/groups', root, { tags: { name: 'meta' } })).json;
    expect(group).toMatchObject({ operatorId: root.operatorId, tags: { name: 'meta' }, configuration: {} });
    const put = await api('PUT', `/v1/groups/${group.groupId}/configuration/SoracomAir`, root, [
      { key: 'metadata', value: { enabled: true, readonly: true, allowOrigin: 'http://example.com' } },
      { key: 'userdata', value: 'firmware=1.2.3' },
    ]);
    expect(put.json.configuration.SoracomAir.metadata).toEqual({ enabled: true, readonly: true, allowOrigin: 'http://example.com' });

    const a = await onlineSim(group.groupId);
    const b = await onlineSim(group.groupId);
    const mine = await getFrom(a.ip, '/v1/subscriber');
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.body)).toMatchObject({ imsi: a.imsi, groupId: group.groupId, sessionStatus: { online: true, ueIpAddress: a.ip } });
    expect(mine.headers['access-control-allow-origin']).toBe('http://example.com');
    expect(JSON.parse((await getFrom(b.ip, '/v1/subscriber')).body).imsi).toBe(b.imsi);
    const userdata = await getFrom(a.ip, '/v1/userdata');
    expect([userdata.status, userdata.body]).toEqual([200, 'firmware=1.2.3']);

    // Not a session address (the API's own loopback) → refused; so is a SIM whose session ended.
    const stranger = await getFrom('127.0.0.1', '/v1/subscriber');
    expect([stranger.status, JSON.parse(stranger.body).code]).toEqual([403, 'MDS0001']);
    await api('POST', `/v1/subscribers/${b.imsi}/delete_session`, root);
    expect(JSON.parse((await getFrom(b.ip, '/v1/subscriber')).body).code).toBe('MDS0001');

    // Turning metadata off in the group closes it again.
    expect((await api('DELETE', `/v1/groups/${group.groupId}/configuration/SoracomAir/metadata`, root)).status).toBe(204);
    const off = await getFrom(a.ip, '/v1/subscriber');
    expect([off.status, JSON.parse(off.body).code]).toEqual([403, 'MDS0002']);
  });

  it('refuses a SIM without a group, or in a group without the metadata service', async () => {
    const plain = await onlineSim();
    expect(JSON.parse((await getFrom(plain.ip, '/v1/subscriber')).body).code).toBe('MDS0002');
    const group = (await api('POST', '/v1/groups', root, { tags: { name: 'no-meta' }, configuration: { SoracomAir: { metadata: { enabled: false } } } })).json;
    const inGroup = await onlineSim(group.groupId);
    const r = await getFrom(inGroup.ip, '/v1/subscriber');
    expect([r.status, JSON.parse(r.body).code]).toEqual([403, 'MDS0002']);
  });

  it('groups: list, get, delete; another operator cannot see them', async () => {
    const g = (await api('POST', '/v1/groups', root, { tags: { name: 'listed' } })).json;
    expect((await api('GET', '/v1/groups?tag_name=name&tag_value=listed', root)).json.map((x: { groupId: string }) => x.groupId)).toEqual([g.groupId]);
    expect((await api('GET', `/v1/groups/${g.groupId}`, root)).json.groupId).toBe(g.groupId);
    const other = (await api('POST', '/v1/sandbox/init', undefined, { email: 'meta2@example.com', password: 'correct horse battery' })).json;
    expect((await api('GET', `/v1/groups/${g.groupId}`, other)).json.code).toBe('GRP0001');
    const bad = await api('PUT', `/v1/groups/${g.groupId}/configuration/SoracomAir`, root, [{ key: 'metadata', value: { enabled: 'yes' } }]);
    expect([bad.status, bad.json.code]).toEqual([400, 'GRP0002']);
    expect((await api('DELETE', `/v1/groups/${g.groupId}`, root)).status).toBe(204);
    expect((await api('GET', `/v1/groups/${g.groupId}`, root)).status).toBe(404);
  });
});
