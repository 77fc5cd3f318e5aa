import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOperator, newSim, startTestApi, type Api, type Creds } from './platform-support.js';

/**
 * The Sim API (reference tag `Sim`) and the API gaps of issue 13: one SIM seen through
 * `/v1/sims/{sim_id}` agrees with `/v1/subscribers/{imsi}`; paging with `link: <…>; rel=next`;
 * nullable fields; group tags and members; exportSubscribers; refusals naming their reason.
 * Shapes are validated against the reference by test/platform-conformance.test.ts.
 */
let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

const CELL = { radioType: 'lte' as const, mcc: '295', mnc: '05', tac: 1, eci: 1 };
const HOUR = 3_600_000;

async function simsOf(auth: Creds, n: number): Promise<{ imsi: string; simId: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await newSim(api, auth)) as unknown as { imsi: string; simId: string });
  return out;
}

describe('Sim API', () => {
  it('shows the same SIM as the Subscriber API, change after change, whichever API made the change', async () => {
    const auth = await newOperator(api);
    const [sim] = await simsOf(auth, 1);
    const group = (await api.call('POST', '/v1/groups', { auth, body: {} })).json().groupId as string;
    const both = async () => {
      const bySim = (await api.call('GET', `/v1/sims/${sim!.simId}`, { auth })).json();
      const bySub = (await api.call('GET', `/v1/subscribers/${sim!.imsi}`, { auth })).json();
      const profile = bySim.profiles[bySub.iccid];
      expect(bySim.activeProfileId).toBe(bySub.iccid);
      expect(profile).toMatchObject({ iccid: bySub.iccid, primaryImsi: bySub.imsi });
      expect(profile.subscribers[bySub.imsi]).toMatchObject({ imsi: bySub.imsi, msisdn: bySub.msisdn, status: bySub.status, subscription: bySub.subscription });
      for (const field of ['simId', 'operatorId', 'status', 'speedClass', 'tags', 'terminationEnabled', 'expiryTime', 'expiryAction', 'groupId', 'imeiLock', 'sessionStatus', 'previousSession', 'createdTime', 'lastModifiedTime', 'serialNumber', 'moduleType']) {
        expect(bySim[field], field).toEqual(bySub[field]);
      }
      return { bySim, bySub };
    };
    await both();
    const steps: [string, string, unknown?][] = [
      [`/v1/sims/${sim!.simId}/activate`, 'POST'],
      [`/v1/subscribers/${sim!.imsi}/update_speed_class`, 'POST', { speedClass: 's1.fast' }],
      [`/v1/sims/${sim!.simId}/tags`, 'PUT', [{ tagName: 'name', tagValue: 'pump 7' }, { tagName: 'site', tagValue: 'north' }]],
      [`/v1/sims/${sim!.simId}/set_group`, 'POST', { groupId: group }],
      [`/v1/subscribers/${sim!.imsi}/set_expiry_time`, 'POST', { expiryTime: api.clock.now() + 10 * HOUR, expiryAction: 'suspend' }],
      [`/v1/sims/${sim!.simId}/set_imei_lock`, 'POST', { imei: '356938035643809' }],
    ];
    for (const [url, method, body] of steps) {
      const res = await api.call(method, url, { auth, ...(body !== undefined ? { body } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    }
    await api.platform.gate.createSession({ imsi: sim!.imsi, imei: '356938035643809', apn: 'soracom.io', cell: CELL });
    const { bySim, bySub } = await both();
    expect(bySim).toMatchObject({ status: 'active', speedClass: 's1.fast', type: 'uicc', groupId: group, tags: { name: 'pump 7', site: 'north' }, sessionStatus: { online: true } });
    expect(bySub.type).toBe('s1.fast');
    await api.call('POST', `/v1/sims/${sim!.simId}/delete_session`, { auth });
    await both();
    const events = (await api.call('GET', `/v1/sims/${sim!.simId}/events/sessions`, { auth })).json() as { event: string }[];
    expect(events.map((e) => e.event)).toEqual(['Deleted', 'Created']);
    expect(events).toEqual((await api.call('GET', `/v1/subscribers/${sim!.imsi}/events/sessions`, { auth })).json());
  });

  it('registers a sandbox SIM by its SIM ID, and refuses unknown and foreign SIMs with SEM0001', async () => {
    const auth = await newOperator(api);
    const created = (await api.call('POST', '/v1/sandbox/subscribers/create', { auth, body: {} })).json();
    expect(created.simId).toBe(created.iccid);
    const reg = await api.call('POST', `/v1/sims/${created.simId}/register`, { auth, body: { registrationSecret: created.registrationSecret, tags: { name: 'x' } } });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toMatchObject({ simId: created.simId, status: 'ready', tags: { name: 'x' } });
    expect((await api.call('POST', `/v1/sims/${created.simId}/register`, { auth, body: { registrationSecret: created.registrationSecret } })).json().code).toBe('SEM0008');
    const other = await newOperator(api);
    for (const [who, id] of [[other, created.simId], [auth, '8942310000000000000']] as const) {
      const res = await api.call('GET', `/v1/sims/${id}`, { auth: who });
      expect([res.statusCode, res.json().code]).toEqual([404, 'SEM0001']);
    }
  });

  it('pages every list with x-soracom-next-key and a link rel=next that can be followed as is', async () => {
    const auth = await newOperator(api);
    const sims = await simsOf(auth, 5);
    const seen: string[] = [];
    let url: string | undefined = '/v1/sims?limit=2';
    let pages = 0;
    while (url) {
      const res = await api.call('GET', url, { auth });
      seen.push(...(res.json() as { simId: string }[]).map((s) => s.simId));
      pages++;
      const link = res.headers.link as string | undefined;
      const key = res.headers['x-soracom-next-key'] as string | undefined;
      if (!link) {
        expect(key).toBeUndefined();
        break;
      }
      const m = /^<(.+)>; rel=next$/.exec(link)!;
      const next = new URL(m[1]!);
      expect(next.searchParams.get('last_evaluated_key')).toBe(key);
      expect(next.searchParams.get('limit')).toBe('2');
      url = `${next.pathname}${next.search}`;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(sims.map((s) => s.simId).sort());
    const subs = await api.call('GET', '/v1/subscribers?limit=4&status_filter=ready', { auth });
    expect(subs.headers.link).toMatch(/^<http:\/\/[^>]+\/v1\/subscribers\?limit=4&status_filter=ready&last_evaluated_key=\d{15}>; rel=next$/);
    expect((await api.call('GET', '/v1/sims?last_evaluated_key=nope', { auth })).json().code).toBe('COM0007');
  });

  it('lists status history with the speed class and group each change left, newest first or oldest first, paged', async () => {
    const auth = await newOperator(api);
    const [sim] = await simsOf(auth, 1);
    const url = `/v1/sims/${sim!.simId}`;
    await api.call('POST', `${url}/update_speed_class`, { auth, body: { speedClass: 's1.slow' } });
    for (const action of ['activate', 'deactivate', 'activate', 'suspend']) {
      await api.platform.scheduler.advance(api.clock, 1000);
      await api.call('POST', `${url}/${action}`, { auth });
    }
    const desc = (await api.call('GET', `${url}/statuses/history`, { auth })).json() as { status: string; speedClass?: string; applyDateTimeEpochSec: number }[];
    expect(desc.map((h) => h.status)).toEqual(['suspended', 'active', 'inactive', 'active', 'ready']);
    expect(desc[0]).toMatchObject({ simId: sim!.simId, imsi: sim!.imsi, primaryImsi: sim!.imsi, isPrimary: true, speedClass: 's1.slow', subscription: 'plan01s' });
    const first = await api.call('GET', `${url}/statuses/history?sort=asc&limit=2`, { auth });
    expect((first.json() as { status: string }[]).map((h) => h.status)).toEqual(['ready', 'active']);
    const rest = await api.call('GET', `${url}/statuses/history?sort=asc&limit=2&last_evaluated_key=${first.headers['x-soracom-next-key']}`, { auth });
    expect((rest.json() as { status: string }[]).map((h) => h.status)).toEqual(['inactive', 'active']);
  });

  it('accepts a null expiryAction (and the reference enum\'s "(null value)") on both APIs', async () => {
    const auth = await newOperator(api);
    const [sim] = await simsOf(auth, 1);
    for (const [url, expiryAction] of [[`/v1/subscribers/${sim!.imsi}/set_expiry_time`, null], [`/v1/sims/${sim!.simId}/set_expiry_time`, '(null value)']] as const) {
      const res = await api.call('POST', url, { auth, body: { expiryTime: api.clock.now() + HOUR, expiryAction } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().expiryAction).toBeUndefined();
    }
    // Null means "doNothing" when the time comes: the SIM stays as it was.
    await api.platform.scheduler.advance(api.clock, 2 * HOUR);
    expect((await api.call('GET', `/v1/subscribers/${sim!.imsi}`, { auth: await relogin(auth) })).json()).toMatchObject({ status: 'ready' });
  });
});

async function relogin(auth: Creds & { email?: string; password?: string }): Promise<Creds> {
  return (await api.call('POST', '/v1/auth', { body: { email: (auth as { email: string }).email, password: (auth as { password: string }).password } })).json();
}

describe('Group API gaps', () => {
  it('tags a group, lists its SIMs as Sim objects, deletes a tag and a configuration namespace', async () => {
    const auth = await newOperator(api);
    const sims = await simsOf(auth, 3);
    const groupId = (await api.call('POST', '/v1/groups', { auth, body: { configuration: { SoracomAir: { userdata: 'x' } } } })).json().groupId as string;
    expect((await api.call('PUT', `/v1/groups/${groupId}/tags`, { auth, body: [{ tagName: 'name', tagValue: 'pumps' }, { tagName: 'site', tagValue: 'north' }] })).json().tags).toEqual({ name: 'pumps', site: 'north' });
    for (const s of sims.slice(0, 2)) await api.call('POST', `/v1/sims/${s.simId}/set_group`, { auth, body: { groupId } });
    const members = await api.call('GET', `/v1/groups/${groupId}/subscribers?limit=1`, { auth });
    expect(members.headers.link).toContain('rel=next');
    const all = [...members.json(), ...(await api.call('GET', `/v1/groups/${groupId}/subscribers?last_evaluated_key=${members.headers['x-soracom-next-key']}`, { auth })).json()] as { simId: string; groupId: string }[];
    expect(all.map((s) => s.simId).sort()).toEqual(sims.slice(0, 2).map((s) => s.simId).sort());
    expect(all.every((s) => s.groupId === groupId)).toBe(true);
    expect((await api.call('DELETE', `/v1/groups/${groupId}/tags/site`, { auth })).statusCode).toBe(204);
    expect((await api.call('DELETE', `/v1/groups/${groupId}/tags/site`, { auth })).json().code).toBe('GRP0004');
    expect((await api.call('DELETE', `/v1/groups/${groupId}/configuration/SoracomAir`, { auth })).statusCode).toBe(204);
    expect((await api.call('GET', `/v1/groups/${groupId}`, { auth })).json()).toMatchObject({ tags: { name: 'pumps' }, configuration: {} });
    expect((await api.call('DELETE', `/v1/groups/${groupId}/configuration/SoracomAir`, { auth })).json().code).toBe('GRP0003');
    const other = await newOperator(api);
    expect((await api.call('GET', `/v1/groups/${groupId}/subscribers`, { auth: other })).json().code).toBe('GRP0001');
  });
});

describe('exportSubscribers', () => {
  it('exports every subscriber of the coverage as CSV, downloadable once exported', async () => {
    const auth = await newOperator(api);
    const sims = await simsOf(auth, 2);
    await api.call('PUT', `/v1/subscribers/${sims[0]!.imsi}/tags`, { auth, body: [{ tagName: 'name', tagValue: 'a, "quoted" one' }, { tagName: 'site', tagValue: 'n' }] });
    const sync = (await api.call('POST', '/v1/subscribers/export', { auth })).json() as { url: string };
    const file = await api.call('GET', new URL(sync.url).pathname, { auth });
    expect(file.headers['content-type']).toContain('text/csv');
    const lines = file.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('imsi,msisdn,iccid,simId,serialNumber,name,status,online,subscription,speedClass,moduleType,groupId,ipAddress,ueIpAddress,imei,terminationEnabled,expiryTime,expiryAction,imeiLock,createdTime,lastModifiedTime,tag:site');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith(sims[0]!.imsi))).toContain(',"a, ""quoted"" one",ready,false,plan01s,s1.standard,trio,');
    expect((await api.call('POST', '/v1/subscribers/export?export_mode=async', { auth })).json()).toMatchObject({ exportedFileId: expect.stringMatching(/^fe_/) });
  });
});

describe('refusals name the real reason', () => {
  it('a declined card carries the card error code as a field, not only in the message', async () => {
    const auth = await newOperator(api);
    const res = await api.call('POST', '/_cellgate/payment_methods/credit_card', { auth, body: { number: '4000000000000002', expMonth: 12, expYear: 2030, cvc: '123' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'PAY0002', errorCode: 'card_declined' });
  });
});
