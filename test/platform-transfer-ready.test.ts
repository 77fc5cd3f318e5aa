import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS } from '../platform/app/context.js';
import { newOperator, newSim, startTestApi, type Api, type Creds } from './platform-support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

const CELL = { radioType: 'lte' as const, mcc: '295', mnc: '05', tac: 1, eci: 1 };
const HOUR = 3_600_000;

async function parties(opts: { destinationPayment?: boolean } = {}) {
  const source = await newOperator(api);
  const dest = await (async () => {
    if (opts.destinationPayment === false) {
      const email = `nopay${Math.random().toString(36).slice(2)}@example.com`;
      const res = await api.call('POST', '/v1/sandbox/init', { body: { email, password: 'correct horse battery', registerPaymentMethod: false } });
      return { ...(res.json() as Creds), email, password: 'correct horse battery' };
    }
    return newOperator(api);
  })();
  return { source, dest };
}

async function issue(source: Creds, dest: Creds & { email: string }, imsis: string[]) {
  return api.call('POST', '/v1/subscribers/transfer_token/issue', {
    auth: source,
    body: { transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: imsis },
  });
}

const status = async (auth: Creds, imsi: string) => (await api.call('GET', `/v1/subscribers/${imsi}`, { auth })).json() as Record<string, unknown>;

describe('Ready transfer (SPEC §1.3) through the API', () => {
  it('issues a token, marks SIMs transferring and mails the destination; verify moves them with settings reset', async () => {
    const { source, dest } = await parties();
    const a = await newSim(api, source);
    const b = await newSim(api, source);
    await api.call('PUT', `/v1/subscribers/${a.imsi}/tags`, { auth: source, body: [{ tagName: 'name', tagValue: 'pump-1' }, { tagName: 'site', tagValue: 'x' }] });
    await api.call('POST', `/v1/subscribers/${a.imsi}/set_group`, { auth: source, body: { groupId: 'g-1' } });
    await api.call('POST', `/v1/subscribers/${a.imsi}/enable_termination`, { auth: source });
    await api.call('POST', `/v1/subscribers/${a.imsi}/set_expiry_time`, { auth: source, body: { expiryTime: api.clock.now() + 30 * 24 * HOUR, expiryAction: 'suspend' } });

    const res = await issue(source, dest, [a.imsi, b.imsi]);
    expect(res.statusCode).toBe(200);
    const { token } = res.json() as { token: string };
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await status(source, a.imsi)).status).toBe('transferring');
    expect((await status(source, b.imsi)).status).toBe('transferring');

    const outbox = (await api.call('GET', '/_cellgate/outbox', { auth: dest })).json() as { kind: string; data: { token: string; imsis: string[]; expiryTime: number } }[];
    const notice = outbox.find((m) => m.kind === 'ready-transfer-request')!;
    expect(notice.data.token).toBe(token);
    expect(notice.data.imsis).toEqual([a.imsi, b.imsi]);
    expect(notice.data.expiryTime).toBe(api.clock.now() + 24 * HOUR);
    // The source's own outbox does not carry the destination's mail.
    expect(((await api.call('GET', '/_cellgate/outbox', { auth: source })).json() as unknown[]).length).toBe(0);

    const verified = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ transferredImsi: [a.imsi, b.imsi] });

    expect((await api.call('GET', `/v1/subscribers/${a.imsi}`, { auth: source })).statusCode).toBe(404);
    const moved = await status(dest, a.imsi);
    expect(moved).toMatchObject({ operatorId: dest.operatorId, status: 'ready', tags: { name: '' }, terminationEnabled: false });
    expect(moved.groupId).toBeUndefined();
    expect(moved.expiryTime).toBeUndefined();

    // Billing sees the owner change at acceptance in the status history.
    const history = await api.platform.store.transaction((tx) => tx.readStream<{ type: string; operatorId?: string; toOperatorId?: string }>(STREAMS.statusHistory, { key: a.imsi }));
    expect(history.at(-2)!.body).toMatchObject({ type: 'status-changed', operatorId: source.operatorId, toStatus: 'transferring' });
    expect(history.at(-1)!.body).toMatchObject({ type: 'status-changed', operatorId: dest.operatorId, fromStatus: 'transferring', toStatus: 'ready' });

    // The token is spent.
    const again = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } });
    expect([again.statusCode, again.json().code]).toEqual([404, 'TRN0010']);
  });

  it('refuses bad requests as a whole, naming the SIMs, and changes nothing', async () => {
    const { source, dest } = await parties();
    const ready = await newSim(api, source);
    const active = await newSim(api, source);
    await api.call('POST', `/v1/subscribers/${active.imsi}/activate`, { auth: source });
    const locked = await newSim(api, source);
    const flag = await api.call('POST', `/_cellgate/subscribers/${locked.imsi}/transferable`, { auth: source, body: { transferable: false } });
    expect(flag.statusCode).toBe(200);

    const cases: [unknown, number, string][] = [
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [] }, 400, 'TRN0001'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi, ready.imsi] }, 400, 'TRN0002'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: 'OP123', transferImsi: [ready.imsi] }, 400, 'TRN0003'],
      [{ transferDestinationOperatorEmail: 'someone@example.com', transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi] }, 400, 'TRN0004'],
      [{ transferDestinationOperatorEmail: source.email, transferDestinationOperatorId: source.operatorId, transferImsi: [ready.imsi] }, 400, 'TRN0005'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi, '295059999999999'] }, 404, 'TRN0006'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi, locked.imsi] }, 400, 'TRN0007'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi, active.imsi] }, 400, 'TRN0008'],
      [{ transferDestinationOperatorId: dest.operatorId, transferImsi: [ready.imsi] }, 400, 'COM0001'],
      [{ transferDestinationOperatorEmail: dest.email, transferDestinationOperatorId: dest.operatorId, transferImsi: [{}] }, 400, 'COM0001'],
    ];
    for (const [body, code, errorCode] of cases) {
      const res = await api.call('POST', '/v1/subscribers/transfer_token/issue', { auth: source, body });
      expect([res.statusCode, res.json().code], JSON.stringify(body)).toEqual([code, errorCode]);
    }
    const named = await issue(source, dest, [ready.imsi, locked.imsi]);
    expect(named.json().message).toContain(locked.imsi);
    expect((await status(source, ready.imsi)).status).toBe('ready');
    const bad = await api.call('POST', '/v1/subscribers/transfer_token/issue', { auth: source, raw: '{"transferImsi": [' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'COM0002']);
  });

  it('verify: only the named destination, coverage must match, payment method required', async () => {
    const { source, dest } = await parties({ destinationPayment: false });
    const third = await newOperator(api);
    const sim = await newSim(api, source);
    const { token } = (await issue(source, dest, [sim.imsi])).json() as { token: string };

    const byThird = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: third, body: { token } });
    expect([byThird.statusCode, byThird.json().code]).toEqual([403, 'TRN0012']);
    const bySource = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: source, body: { token } });
    expect([bySource.statusCode, bySource.json().code]).toEqual([403, 'TRN0012']);
    const wrongCoverage = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token }, headers: { 'x-cellgate-coverage': 'jp' } });
    expect([wrongCoverage.statusCode, wrongCoverage.json().code]).toEqual([400, 'TRN0013']);
    const noPayment = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } });
    expect([noPayment.statusCode, noPayment.json().code]).toEqual([400, 'TRN0014']);
    expect((await status(source, sim.imsi)).status).toBe('transferring');
    const unknown = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token: 'nope' } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'TRN0010']);
    const empty = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: {} });
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'COM0001']);
  });

  it('cancel: the source deletes the token, all SIMs back to ready; others get 404', async () => {
    const { source, dest } = await parties();
    const a = await newSim(api, source);
    const b = await newSim(api, source);
    const { token } = (await issue(source, dest, [a.imsi, b.imsi])).json() as { token: string };
    const byDest = await api.call('DELETE', `/v1/subscribers/transfer_token/${token}`, { auth: dest });
    expect([byDest.statusCode, byDest.json().code]).toEqual([404, 'TRN0010']);
    const res = await api.call('DELETE', `/v1/subscribers/transfer_token/${token}`, { auth: source });
    expect(res.statusCode).toBe(204);
    expect((await status(source, a.imsi)).status).toBe('ready');
    expect((await status(source, b.imsi)).status).toBe('ready');
    const twice = await api.call('DELETE', `/v1/subscribers/transfer_token/${token}`, { auth: source });
    expect([twice.statusCode, twice.json().code]).toEqual([404, 'TRN0010']);
    const verify = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } });
    expect(verify.statusCode).toBe(404);
  });

  it('the token expires after 24 h on the scheduler: SIMs back to ready, verify refused', async () => {
    const { source, dest } = await parties();
    const sim = await newSim(api, source);
    const { token } = (await issue(source, dest, [sim.imsi])).json() as { token: string };
    await api.call('POST', '/_cellgate/clock', { auth: source, body: { advance: 24 * HOUR - 1 } });
    expect((await status(source, sim.imsi)).status).toBe('transferring');
    await api.call('POST', '/_cellgate/clock', { auth: source, body: { advance: 1 } });
    // API tokens live 24 h too: log in again.
    const login = async (c: { email: string; password: string }) => (await api.call('POST', '/v1/auth', { body: { email: c.email, password: c.password } })).json() as Creds;
    expect((await status(await login(source), sim.imsi)).status).toBe('ready');
    // The refusal names the real reason: the token expired.
    const verify = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: await login(dest), body: { token } });
    expect([verify.statusCode, verify.json().code]).toEqual([400, 'TRN0011']);
  });

  it('a SIM that connects while transferring drops out; the others stay and still transfer', async () => {
    const { source, dest } = await parties();
    const a = await newSim(api, source);
    const b = await newSim(api, source);
    const { token } = (await issue(source, dest, [a.imsi, b.imsi])).json() as { token: string };
    const decision = await api.platform.gate.createSession({ imsi: a.imsi, imei: '860000000000001', apn: 'soracom.io', cell: CELL });
    expect(decision.allowed).toBe(true);
    expect((await status(source, a.imsi)).status).toBe('active');
    expect((await status(source, b.imsi)).status).toBe('transferring');
    const verified = await api.call('POST', '/v1/subscribers/transfer_token/verify', { auth: dest, body: { token } });
    expect(verified.json()).toEqual({ transferredImsi: [b.imsi] });
    expect((await status(source, a.imsi)).operatorId).toBe(source.operatorId);
    expect((await status(dest, b.imsi)).status).toBe('ready');
  });

  it('when the only SIM drops out the transfer ends and the token is gone', async () => {
    const { source, dest } = await parties();
    const a = await newSim(api, source);
    const { token } = (await issue(source, dest, [a.imsi])).json() as { token: string };
    await api.platform.gate.createSession({ imsi: a.imsi, imei: '860000000000001', apn: 'soracom.io', cell: CELL });
    const res = await api.call('DELETE', `/v1/subscribers/transfer_token/${token}`, { auth: source });
    expect([res.statusCode, res.json().code]).toEqual([404, 'TRN0010']);
    expect((await status(source, a.imsi)).status).toBe('active');
  });

  it('the transferable flag endpoint is root-only and validates its body', async () => {
    const { source } = await parties();
    const sim = await newSim(api, source);
    const bad = await api.call('POST', `/_cellgate/subscribers/${sim.imsi}/transferable`, { auth: source, body: { transferable: 'no' } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'COM0001']);
  });
});
