import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformConfig } from '../platform/app/context.js';
import { DEFAULT_CALENDAR_SPECS } from '../platform/domain/transfer/calendar-config.js';
import { VirtualClock } from '../common/clock.js';
import { STREAMS } from '../platform/app/context.js';
import { startPlatform } from '../platform/index.js';
import type { Api, Creds } from './platform-support.js';

const CELL = { radioType: 'lte' as const, mcc: '295', mnc: '05', tac: 1, eci: 1 };
const MIN = 60_000;
let api: Api | undefined;
afterEach(async () => api?.platform.close());

/** A platform whose virtual clock starts at `start` (the seed's dates are in 2025). */
async function apiAt(start: number, config: Partial<PlatformConfig> = {}): Promise<Api> {
  const clock = new VirtualClock(start);
  const platform = await startPlatform({ dataDir: ':memory:', clock, config });
  const call: Api['call'] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) Object.assign(headers, { 'x-soracom-api-key': opts.auth.apiKey, 'x-soracom-token': opts.auth.token });
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    return platform.http.inject({ method: method as 'GET', url, headers, payload: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
  };
  api = { platform, clock, http: platform.http, call };
  return api;
}

let seq = 0;
interface Account {
  email: string;
  password: string;
  operatorId: string;
}
async function account(a: Api, registerPaymentMethod = true): Promise<Account> {
  const email = `support${seq++}@example.com`;
  const res = await a.call('POST', '/v1/sandbox/init', { body: { email, password: 'correct horse battery', registerPaymentMethod } });
  return { email, password: 'correct horse battery', operatorId: (res.json() as Creds).operatorId };
}
/** Fresh credentials (API tokens expire after a day; these tests span weeks). */
async function as(a: Api, acc: Account): Promise<Creds> {
  return (await a.call('POST', '/v1/auth', { body: { email: acc.email, password: acc.password } })).json() as Creds;
}
async function activeSim(a: Api, acc: Account): Promise<{ imsi: string; simId: string }> {
  const auth = await as(a, acc);
  const { imsi, registrationSecret } = (await a.call('POST', '/v1/sandbox/subscribers/create', { auth, body: {} })).json() as { imsi: string; registrationSecret: string };
  const sim = (await a.call('POST', `/v1/subscribers/${imsi}/register`, { auth, body: { registrationSecret } })).json() as { imsi: string; simId: string };
  await a.call('POST', `/v1/subscribers/${imsi}/activate`, { auth });
  return sim;
}
const at = (date: string, hour = 9): number => Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
const advanceTo = async (a: Api, t: number) => a.platform.scheduler.advance(a.clock, t - a.clock.now());

/** Seed 000 "Transfer Timing Examples", verbatim. */
const SEED_000 = `
May 9, 2025 | May 12, 2025 | May 15, 2025 | June 1, 2025 |
May 19, 2025 | May 22, 2025 | May 25, 2025 | June 1, 2025 |
May 19, 2025 | May 22, 2025 | May 27, 2025 | July 1, 2025 |
May 26, 2025 | May 28, 2025 | May 30, 2025 | July 1, 2025 |
May 19, 2025 | May 22, 2025 | (no reply) | Canceled |`;
const rows = SEED_000.trim().split('\n').map((l) => l.split('|').map((c) => c.trim()).filter(Boolean));
const isoDate = (s: string): string => new Date(Date.parse(`${s} UTC`)).toISOString().slice(0, 10);

describe('support-assisted transfer: seed 000 timing table through /_cellgate/support/transfers', () => {
  it.each(rows)('requested %s, email sent %s, reply %s → %s', async (requested, sent, reply, expected) => {
    const a = await apiAt(at(isoDate(requested!)));
    const source = await account(a);
    const dest = await account(a);
    const sim = await activeSim(a, source);
    const deleteOrders: string[] = [];
    a.platform.gate.onSessionDeleteOrder((o) => deleteOrders.push(o.imsi));
    const destGroup = (await a.call('POST', '/v1/groups', { auth: await as(a, dest), body: { tags: { name: 'arrivals' } } })).json().groupId as string;
    // The IMEI lock is one of the settings a support-assisted transfer keeps (seed 000).
    await a.call('POST', `/v1/subscribers/${sim.imsi}/set_imei_lock`, { auth: await as(a, source), body: { imei: '860000000000001' } });

    const req = await a.call('POST', '/_cellgate/support/transfers', {
      auth: await as(a, source),
      body: { simIds: [sim.simId], destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId, destinationGroupId: destGroup },
    });
    expect(req.statusCode).toBe(201);
    const id = (req.json() as { id: string; state: string }).id;
    expect(req.json().state).toBe('requested');

    await advanceTo(a, at(isoDate(sent!)));
    const review = await a.call('POST', `/_cellgate/support/transfers/${id}/review`, { auth: await as(a, source) });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toMatchObject({
      transfer: { state: 'awaiting-reply' },
      checks: { destinationTermsAccepted: true, sourceHasOutstandingCharges: false, destinationHasOutstandingCharges: false, destinationHasValidPaymentMethod: true, destinationGroupExists: true },
      findings: [],
    });
    const mail = ((await a.call('GET', '/_cellgate/outbox', { auth: await as(a, dest) })).json() as { kind: string; body: string }[]).find((m) => m.kind === 'support-transfer-confirmation');
    expect(mail?.body).toContain(sim.simId);

    if (expected === 'Canceled') {
      await advanceTo(a, at(isoDate(sent!)) + 30 * 86_400_000);
      const t = (await a.call('GET', `/_cellgate/support/transfers/${id}`, { auth: await as(a, source) })).json();
      expect(t.state).toBe('cancelled');
      const late = await a.call('POST', `/_cellgate/support/transfers/${id}/reply`, { auth: await as(a, dest), body: { accept: true } });
      expect([late.statusCode, late.json().code]).toEqual([400, 'STR0008']);
      return;
    }

    await advanceTo(a, at(isoDate(reply!)));
    // A speed class the transfer resets: `type` (the speed class, seed 003) must follow it.
    expect((await a.call('POST', `/v1/subscribers/${sim.imsi}/update_speed_class`, { auth: await as(a, source), body: { speedClass: 's1.fast' } })).json()).toMatchObject({ speedClass: 's1.fast', type: 's1.fast' });
    const accepted = await a.call('POST', `/_cellgate/support/transfers/${id}/reply`, { auth: await as(a, dest), body: { accept: true } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ state: 'scheduled', transferDate: isoDate(expected!) });

    // A live session just before the transfer: it is deleted on the day (radio side told).
    const transferTime = (accepted.json() as { transferTime: number }).transferTime;
    await advanceTo(a, transferTime - 30 * MIN);
    expect((await a.platform.gate.createSession({ imsi: sim.imsi, imei: '860000000000001', apn: 'soracom.io', cell: CELL })).allowed).toBe(true);
    await advanceTo(a, transferTime - 1);
    expect((await a.call('GET', `/_cellgate/support/transfers/${id}`, { auth: await as(a, source) })).json().state).toBe('scheduled');
    await advanceTo(a, transferTime);

    const done = (await a.call('GET', `/_cellgate/support/transfers/${id}`, { auth: await as(a, dest) })).json();
    expect(done).toMatchObject({ state: 'completed', transferredImsis: [sim.imsi] });
    expect(deleteOrders).toEqual([sim.imsi]);
    const moved = (await a.call('GET', `/v1/subscribers/${sim.imsi}`, { auth: await as(a, dest) })).json();
    expect(moved).toMatchObject({ operatorId: dest.operatorId, status: 'active', groupId: destGroup, speedClass: 's1.standard', type: 's1.standard', imeiLock: { imei: '860000000000001' } });
    expect(moved.sessionStatus?.online ?? false).toBe(false);
    const fees = await a.platform.store.transaction((tx) => tx.readStream<{ fee: string; operatorId: string; at: number }>(STREAMS.fees, { key: sim.imsi }));
    expect(fees.map((f) => f.body)).toContainEqual(expect.objectContaining({ fee: 'sim-transfer', operatorId: source.operatorId, at: transferTime }));
    const history = await a.platform.store.transaction((tx) => tx.readStream<Record<string, unknown>>(STREAMS.statusHistory, { key: sim.imsi }));
    expect(history.at(-1)!.body).toMatchObject({ type: 'status-changed', operatorId: dest.operatorId, fromStatus: 'active', toStatus: 'active', cause: 'transfer', at: transferTime });
  });
});

describe('support-assisted transfer rules and refusals', () => {
  it('refuses malformed and ineligible requests with their codes', async () => {
    const a = await apiAt(at('2026-03-02'));
    const source = await account(a);
    const dest = await account(a);
    const auth = await as(a, source);
    const active = await activeSim(a, source);
    const { imsi, registrationSecret } = (await a.call('POST', '/v1/sandbox/subscribers/create', { auth, body: {} })).json();
    const ready = (await a.call('POST', `/v1/subscribers/${imsi}/register`, { auth, body: { registrationSecret } })).json() as { simId: string };
    const body = (simIds: unknown, extra: Record<string, unknown> = {}) => ({ simIds, destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId, ...extra });
    const cases: [unknown, number, string][] = [
      [body([]), 400, 'STR0001'],
      [body([active.simId], { destinationOperatorId: 'OP1' }), 400, 'STR0002'],
      [body([active.simId], { destinationOperatorEmail: 'x@example.com' }), 400, 'STR0003'],
      [body([active.simId], { destinationOperatorEmail: source.email, destinationOperatorId: source.operatorId }), 400, 'STR0004'],
      [body(['8900000000000000000']), 404, 'STR0005'],
      [body([ready.simId]), 400, 'STR0006'],
      [body([active.simId], { extra: 1 }), 400, 'COM0001'],
      [{ simIds: [active.simId] }, 400, 'COM0001'],
    ];
    for (const [b, status, code] of cases) {
      const res = await a.call('POST', '/_cellgate/support/transfers', { auth, body: b });
      expect([res.statusCode, res.json().code], JSON.stringify(b)).toEqual([status, code]);
    }
  });

  it('review reports findings (no payment method at the destination) and rejects; only the source reviews; only the destination replies', async () => {
    const a = await apiAt(at('2026-03-02'));
    const source = await account(a);
    const poor = await account(a, false);
    const sim = await activeSim(a, source);
    const id = (
      await a.call('POST', '/_cellgate/support/transfers', { auth: await as(a, source), body: { simIds: [sim.simId], destinationOperatorEmail: poor.email, destinationOperatorId: poor.operatorId } })
    ).json().id as string;
    const byDest = await a.call('POST', `/_cellgate/support/transfers/${id}/review`, { auth: await as(a, poor) });
    expect([byDest.statusCode, byDest.json().code]).toEqual([404, 'STR0012']);
    const review = await a.call('POST', `/_cellgate/support/transfers/${id}/review`, { auth: await as(a, source) });
    expect(review.json()).toMatchObject({ transfer: { state: 'rejected' }, checks: { destinationHasValidPaymentMethod: false } });
    expect((review.json().findings as { code: string }[]).map((f) => f.code)).toEqual(['STR0023']);
    const notice = ((await a.call('GET', '/_cellgate/outbox', { auth: await as(a, source) })).json() as { kind: string; body: string }[]).find((m) => m.kind === 'support-transfer-review-result');
    expect(notice?.body).toContain('STR0023');

    const dest = await account(a);
    const stranger = await account(a);
    const id2 = (
      await a.call('POST', '/_cellgate/support/transfers', { auth: await as(a, source), body: { simIds: [sim.simId], destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId } })
    ).json().id as string;
    await a.call('POST', `/_cellgate/support/transfers/${id2}/review`, { auth: await as(a, source) });
    const bySource = await a.call('POST', `/_cellgate/support/transfers/${id2}/reply`, { auth: await as(a, source), body: { accept: true } });
    expect([bySource.statusCode, bySource.json().code]).toEqual([403, 'STR0010']);
    const byStranger = await a.call('GET', `/_cellgate/support/transfers/${id2}`, { auth: await as(a, stranger) });
    expect([byStranger.statusCode, byStranger.json().code]).toEqual([404, 'STR0012']);
    const badReply = await a.call('POST', `/_cellgate/support/transfers/${id2}/reply`, { auth: await as(a, dest), body: { accept: 'yes please' } });
    expect([badReply.statusCode, badReply.json().code]).toEqual([400, 'COM0001']);
    const declined = await a.call('POST', `/_cellgate/support/transfers/${id2}/reply`, { auth: await as(a, dest), body: { accept: false } });
    expect(declined.json().state).toBe('declined');
    const list = (await a.call('GET', '/_cellgate/support/transfers', { auth: await as(a, dest) })).json() as { id: string }[];
    expect(list.map((t) => t.id)).toEqual([id2]);
  });

  it('review finds a requested group the destination does not own (STR0024) and rejects', async () => {
    const a = await apiAt(at('2026-03-02'));
    const source = await account(a);
    const dest = await account(a);
    const sim = await activeSim(a, source);
    // A group of the SOURCE, and an id nobody has: neither exists in the destination.
    const sourceGroup = (await a.call('POST', '/v1/groups', { auth: await as(a, source), body: {} })).json().groupId as string;
    for (const groupId of [sourceGroup, 'no-such-group']) {
      const id = (
        await a.call('POST', '/_cellgate/support/transfers', {
          auth: await as(a, source),
          body: { simIds: [sim.simId], destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId, destinationGroupId: groupId },
        })
      ).json().id as string;
      const review = (await a.call('POST', `/_cellgate/support/transfers/${id}/review`, { auth: await as(a, source) })).json();
      expect(review).toMatchObject({ transfer: { state: 'rejected' }, checks: { destinationGroupExists: false } });
      expect((review.findings as { code: string }[]).map((f) => f.code)).toEqual(['STR0024']);
    }
  });

  it('business days follow the configured time zone and holidays', async () => {
    // Sent Mon 2026-03-02; with Tue 03-03 a holiday the 5th business day is Tue 03-10, so the deadline is 03-11 00:00.
    const a = await apiAt(at('2026-03-02'), { businessCalendars: { g: { timeZone: 'UTC', holidays: ['2026-03-03'] }, jp: DEFAULT_CALENDAR_SPECS.jp } });
    const source = await account(a);
    const dest = await account(a);
    const sim = await activeSim(a, source);
    const id = (
      await a.call('POST', '/_cellgate/support/transfers', { auth: await as(a, source), body: { simIds: [sim.simId], destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId } })
    ).json().id as string;
    const review = (await a.call('POST', `/_cellgate/support/transfers/${id}/review`, { auth: await as(a, source) })).json();
    expect(review.transfer.replyDeadline).toBe(Date.parse('2026-03-11T00:00:00Z'));
    await advanceTo(a, Date.parse('2026-03-11T00:00:00Z') - 1);
    expect((await a.call('GET', `/_cellgate/support/transfers/${id}`, { auth: await as(a, source) })).json().state).toBe('awaiting-reply');
    await advanceTo(a, Date.parse('2026-03-11T00:00:00Z'));
    expect((await a.call('GET', `/_cellgate/support/transfers/${id}`, { auth: await as(a, source) })).json().state).toBe('cancelled');
  });
});
