import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOperator, newSim, startTestApi, type Api } from './platform-support.js';

const CELL = { radioType: 'lte' as const, mcc: '295', mnc: '05', tac: 1, eci: 1 };
const IMEI_A = '356938035643809';
const IMEI_B = '860000000000002';
let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

const session = (imsi: string, imei: string) => api.platform.gate.createSession({ imsi, imei, apn: 'soracom.io', cell: CELL });

describe('IMEI lock (setImeiLock / unsetImeiLock) and the network gate', () => {
  it('locks to a given IMEI: attach still allowed, a session from another IMEI refused with ESM #29 (permanent)', async () => {
    const auth = await newOperator(api);
    const { imsi } = await newSim(api, auth);
    const set = await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: { imei: IMEI_A } });
    expect(set.statusCode).toBe(200);
    expect(set.json().imeiLock).toEqual({ imei: IMEI_A });
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth })).json().imeiLock).toEqual({ imei: IMEI_A });

    expect(await api.platform.gate.attach({ imsi, imei: IMEI_B })).toEqual({ allowed: true });
    expect(await session(imsi, IMEI_B)).toEqual({ allowed: false, esmCause: 29, permanent: true });
    // Refused before any status rule: the ready SIM did not become active.
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth })).json().status).toBe('ready');
    expect((await session(imsi, IMEI_A)).allowed).toBe(true);

    const unset = await api.call('POST', `/v1/subscribers/${imsi}/unset_imei_lock`, { auth });
    expect(unset.statusCode).toBe(200);
    expect(unset.json().imeiLock).toBeUndefined();
    expect((await session(imsi, IMEI_B)).allowed).toBe(true);
  });

  it('an empty body locks to the IMEI of the live session; offline → SEM0016; malformed → SEM0017; |ANONYMOUS lets an unreported IMEI through', async () => {
    const auth = await newOperator(api);
    const { imsi } = await newSim(api, auth);
    const offline = await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: {} });
    expect([offline.statusCode, offline.json().code]).toEqual([400, 'SEM0016']);
    for (const imei of ['12345', '35693803564380X', `${IMEI_A}|anonymous`]) {
      const bad = await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: { imei } });
      expect([bad.statusCode, bad.json().code], imei).toEqual([400, 'SEM0017']);
    }
    const extra = await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: { imei: IMEI_A, lock: true } });
    expect([extra.statusCode, extra.json().code]).toEqual([400, 'COM0001']);

    expect((await session(imsi, IMEI_A)).allowed).toBe(true);
    const current = await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth });
    expect(current.json().imeiLock).toEqual({ imei: IMEI_A });

    expect((await session(imsi, '')).allowed).toBe(false);
    await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: { imei: `${IMEI_A}|ANONYMOUS` } });
    expect((await session(imsi, '')).allowed).toBe(true);
    expect((await session(imsi, IMEI_B)).allowed).toBe(false);

    const stranger = await newOperator(api);
    const foreign = await api.call('POST', `/v1/subscribers/${imsi}/unset_imei_lock`, { auth: stranger });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'SEM0001']);
    const unknown = await api.call('POST', '/v1/subscribers/295050000000000/set_imei_lock', { auth, body: { imei: IMEI_A } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'SEM0001']);
  });

  it('a live session that moves to another IMEI on a locked SIM is deleted (the radio side gets the order)', async () => {
    const auth = await newOperator(api);
    const { imsi } = await newSim(api, auth);
    await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth, body: { imei: IMEI_A } });
    const orders: string[] = [];
    const off = api.platform.gate.onSessionDeleteOrder((o) => orders.push(o.imsi));
    const d = await session(imsi, IMEI_A);
    if (!d.allowed) throw new Error('session refused');
    await api.platform.gate.modifySession!({ imsi, sessionId: d.sessionId, imei: IMEI_B, apn: 'soracom.io', cell: CELL });
    off();
    expect(orders).toEqual([imsi]);
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth })).json().sessionStatus?.online ?? false).toBe(false);
  });

  it('a Ready transfer keeps the lock (seed 000 resets only tags, expiry, group, protection)', async () => {
    const src = await newOperator(api);
    const dest = await newOperator(api);
    const { imsi } = await newSim(api, src);
    await api.call('POST', `/v1/subscribers/${imsi}/set_imei_lock`, { auth: src, body: { imei: IMEI_A } });
    const token = (
      await api.call('POST', '/v1/subscribers/transfer_token/issue', {
        auth: src,
        body: { transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [imsi] },
      })
    ).json().token as string;
    expect((await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } })).statusCode).toBe(200);
    const moved = (await api.call('GET', `/v1/subscribers/${imsi}`, { auth: dest })).json();
    expect(moved).toMatchObject({ operatorId: dest.operatorId, imeiLock: { imei: IMEI_A } });
    expect(await session(imsi, IMEI_B)).toMatchObject({ allowed: false, esmCause: 29 });
  });
});
