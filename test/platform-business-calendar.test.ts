import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, killAllCellgate } from './support/process-stack.js';
import { startVirtualPlatform, type Creds, type VirtualPlatform } from './support/virtual-platform.js';

/**
 * "Done means" of issue 13, business calendar: the shipped CLI on a virtual clock, over HTTP only.
 * A support-assisted transfer across New Year in Japan coverage (public holidays and the year-end
 * closure count as non-business days), and a jp transfer whose reply at 05:00 JST on the 26th is
 * judged in JST — after the 25th — so it executes at 00:00 JST on the 1st of the month after next.
 */
afterAll(async () => killAllCellgate());

const jp = { coverage: 'jp' as const };

async function parties(vp: VirtualPlatform): Promise<{ source: Creds; dest: Creds }> {
  return { source: await vp.newOperator(), dest: await vp.newOperator() };
}

async function activeJpSim(vp: VirtualPlatform, owner: Creds): Promise<{ imsi: string; simId: string }> {
  const sim = await vp.newSim(owner, 'plan-D', 'jp');
  const res = await vp.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: owner, ...jp });
  expect(res.status).toBe(200);
  return sim;
}

/** Files and reviews a support-assisted transfer; returns the transfer after review. */
async function requestAndReview(vp: VirtualPlatform, source: Creds, dest: Creds, simId: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const filed = await vp.call('POST', '/_cellgate/support/transfers', { auth: source, ...jp, body: { simIds: [simId], destinationOperatorEmail: dest.email, destinationOperatorId: dest.operatorId } });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  const review = await vp.call('POST', `/_cellgate/support/transfers/${filed.body.id}/review`, { auth: source, ...jp });
  expect(review.body.findings, JSON.stringify(review.body)).toEqual([]);
  return review.body.transfer;
}

async function login(vp: VirtualPlatform, who: Creds): Promise<Creds> {
  return { ...who, ...(await vp.call('POST', '/v1/auth', { body: { email: who.email, password: who.password } })).body };
}

describe.skipIf(!builtCli)('business calendars on a virtual platform, over HTTP', () => {
  it('a jp support transfer across New Year: the year-end closure and New Year holidays stretch the 5 business days', async () => {
    const vp = await startVirtualPlatform('2026-12-24T01:00:00Z'); // Thursday 24 December, 10:00 JST
    const calendar = await vp.call('GET', '/_cellgate/business_calendar?from=2026-12-20&to=2027-01-15', { auth: (await vp.newOperator()), ...jp });
    expect(calendar.body).toEqual({
      coverageType: 'jp',
      timeZone: 'Asia/Tokyo',
      from: '2026-12-20',
      to: '2027-01-15',
      today: '2026-12-24',
      holidays: ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-11'],
    });
    const { source, dest } = await parties(vp);
    const answered = await activeJpSim(vp, source);
    const ignored = await activeJpSim(vp, source);
    const a = await requestAndReview(vp, source, dest, answered.simId);
    const b = await requestAndReview(vp, source, dest, ignored.simId);
    // Business days after 24 Dec: 25, 28 Dec, then 4, 5, 6 Jan → a reply is late from 7 Jan 00:00 JST.
    expect(new Date(a.replyDeadline).toISOString()).toBe('2027-01-06T15:00:00.000Z');
    expect(b.replyDeadline).toBe(a.replyDeadline);

    // Over New Year: the month close runs, nothing cancels the requests.
    const newYear = await vp.advance({ to: '2027-01-06T23:00:00+09:00' });
    expect(newYear.ran.map((r: { job: string }) => r.job)).toEqual(['billing-month-close']);
    const destAuth = await login(vp, dest);
    const reply = await vp.call('POST', `/_cellgate/support/transfers/${a.id}/reply`, { auth: destAuth, ...jp, body: { accept: true } });
    expect(reply.body).toMatchObject({ state: 'scheduled', transferDate: '2027-02-01', transferTime: Date.parse('2027-02-01T00:00:00+09:00') });

    // 7 Jan 00:00 JST: the unanswered one is cancelled.
    const deadline = await vp.advance({ to: '2027-01-07T00:00:00+09:00' });
    expect(deadline.ran).toMatchObject([{ job: 'support-transfer-step', dueIso: '2027-01-06T15:00:00.000Z', summary: `support transfer ${b.id} cancelled: no reply within 5 business days` }]);
    const late = await vp.call('POST', `/_cellgate/support/transfers/${b.id}/reply`, { auth: destAuth, ...jp, body: { accept: true } });
    expect(late).toMatchObject({ status: 400, body: { code: 'STR0008' } });

    // 1 February 00:00 JST (31 January 15:00 UTC): the transfer runs, before the UTC month close.
    const moved = await vp.advance({ to: '2027-02-01T00:00:00Z' });
    expect(moved.ran.map((r: { job: string; dueIso: string }) => `${r.dueIso} ${r.job}`)).toEqual(['2027-01-31T15:00:00.000Z support-transfer-step', '2027-02-01T00:00:00.000Z billing-month-close']);
    const sim = await vp.call('GET', `/v1/subscribers/${answered.imsi}`, { auth: await login(vp, dest), ...jp });
    expect(sim.body).toMatchObject({ operatorId: dest.operatorId, status: 'active' });
    await vp.proc.stop();
  });

  it('a jp reply at 05:00 JST on the 26th (20:00 UTC on the 25th) is after the 25th: transfer on the 1st of the month after next, 00:00 JST', async () => {
    const vp = await startVirtualPlatform('2027-01-20T01:00:00Z'); // Wednesday 20 January, 10:00 JST
    const { source, dest } = await parties(vp);
    const sim = await activeJpSim(vp, source);
    const t = await requestAndReview(vp, source, dest, sim.simId);
    expect(new Date(t.replyDeadline).toISOString()).toBe('2027-01-27T15:00:00.000Z');
    await vp.advance({ to: '2027-01-26T05:00:00+09:00' });
    const reply = await vp.call('POST', `/_cellgate/support/transfers/${t.id}/reply`, { auth: await login(vp, dest), ...jp, body: { accept: true } });
    expect(reply.body).toMatchObject({ state: 'scheduled', replyTime: Date.parse('2027-01-25T20:00:00Z'), transferDate: '2027-03-01', transferTime: Date.parse('2027-02-28T15:00:00Z') });
    const before = await vp.advance({ to: '2027-02-28T14:59:59Z' });
    expect(before.ran.map((r: { job: string }) => r.job)).toEqual(['billing-month-close']);
    const at = await vp.advance({ advance: 1000 });
    expect(at.ran).toMatchObject([{ job: 'support-transfer-step', summary: `support transfer ${t.id} executed on 2027-03-01: 1 SIMs moved to ${dest.operatorId}` }]);
    await vp.proc.stop();
  });
});

it.skipIf(builtCli)('business calendars on a virtual platform (skipped: run `npm run build` first)', () => {});
