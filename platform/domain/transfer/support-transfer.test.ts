import { describe, expect, it } from 'vitest';
import { businessCalendar } from './business-calendar.js';
import {
  executeSupportTransfer,
  resetForSupportTransfer,
  replyDeadlineFor,
  replyToSupportTransfer,
  requestSupportTransfer,
  reviewSupportTransfer,
  supportTransferDueAt,
  transferDateForReply,
  cancelUnansweredSupportTransfer,
  type SupportTransfer,
  type SupportTransferRequestBody,
  type SupportTransferReviewFacts,
} from './support-transfer.js';
import type { TransferSubscriber } from './transfer-subscriber.js';
import { DEST, OTHER, SOURCE, operator, sim } from './test-fixtures.js';

const T0 = Date.UTC(2025, 4, 12, 10); // Mon May 12 2025
const dest = operator(DEST, 'dest@example.com');
const findOperator = (id: string) => (id === DEST ? dest : id === SOURCE ? operator(SOURCE, 'src@example.com') : undefined);
const goodFacts: SupportTransferReviewFacts = { destination: dest, sourceHasOutstandingCharges: false, destinationHasOutstandingCharges: false, destinationGroupExists: true };

function body(simIds: string[], extra: Partial<SupportTransferRequestBody> = {}): SupportTransferRequestBody {
  return { simIds, destinationOperatorEmail: 'dest@example.com', destinationOperatorId: DEST, ...extra };
}

function request<S extends TransferSubscriber>(subscribers: S[], extra: Partial<SupportTransferRequestBody> = {}) {
  return requestSupportTransfer({ id: 'str-1', sourceOperatorId: SOURCE, request: body(subscribers.map((s) => s.simId!), extra), subscribers, findOperator, now: T0 });
}

function requested<S extends TransferSubscriber>(subscribers: S[], extra: Partial<SupportTransferRequestBody> = {}): SupportTransfer {
  const r = request(subscribers, extra);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.transfer;
}

function scheduled<S extends TransferSubscriber>(subscribers: S[], extra: Partial<SupportTransferRequestBody> = {}): SupportTransfer {
  const rv = reviewSupportTransfer({ transfer: requested(subscribers, extra), subscribers, facts: goodFacts, now: T0 });
  if (!rv.ok) throw new Error(rv.error.message);
  const rp = replyToSupportTransfer({ transfer: rv.value.transfer, replierOperatorId: DEST, accept: true, now: T0 + 86_400_000 });
  if (!rp.ok) throw new Error(rp.error.message);
  return rp.value.transfer;
}

describe('requestSupportTransfer', () => {
  it('takes active, inactive, standby and suspended SIMs and records the destination group', () => {
    const sims = (['active', 'inactive', 'standby', 'suspended'] as const).map((status, i) => sim(`44010000000000${i}`, { status }));
    const t = requested(sims, { destinationGroupId: 'group-dst' });
    expect(t).toMatchObject({ state: 'requested', destinationOperatorId: DEST, destinationGroupId: 'group-dst', imsis: sims.map((s) => s.imsi) });
  });

  it.each([
    ['ready', 'STR0006'],
    ['terminated', 'STR0006'],
    ['transferring', 'STR0006'],
  ] as const)('refuses a %s SIM, naming it', (status, code) => {
    const r = request([sim('440100000000001', { status: 'active' }), sim('440100000000002', { status })]);
    expect(!r.ok && r.error).toMatchObject({ code, subjects: [`89440100000000002 (${status})`] });
  });

  it('refuses bad destinations, foreign SIMs, mixed coverage and empty lists', () => {
    const a = sim('440100000000001', { status: 'active' });
    expect(request([a], { destinationOperatorId: 'op0000000002' })).toMatchObject({ ok: false, error: { code: 'STR0002' } });
    expect(request([a], { destinationOperatorEmail: 'nobody@example.com' })).toMatchObject({ ok: false, error: { code: 'STR0003' } });
    expect(request([a], { destinationOperatorId: SOURCE, destinationOperatorEmail: 'src@example.com' })).toMatchObject({ ok: false, error: { code: 'STR0004' } });
    expect(request([sim('440100000000001', { status: 'active', operatorId: OTHER })])).toMatchObject({ ok: false, error: { code: 'STR0005', kind: 'not-found' } });
    expect(request([a, sim('440100000000002', { status: 'active', coverageType: 'jp' })])).toMatchObject({ ok: false, error: { code: 'STR0007' } });
    expect(request([])).toMatchObject({ ok: false, error: { code: 'STR0001' } });
  });
});

describe('reviewSupportTransfer', () => {
  const sims = [sim('440100000000001', { status: 'active' }), sim('440100000000002', { status: 'standby' })];

  it.each([
    ['destination terms not accepted', { destination: operator(DEST, 'dest@example.com', { coverage: { g: { termsAccepted: false, paymentMethod: 'credit_card' } } }) }, ['STR0020']],
    ['source owes money', { sourceHasOutstandingCharges: true }, ['STR0021']],
    ['destination owes money', { destinationHasOutstandingCharges: true }, ['STR0022']],
    ['no payment method for the coverage', { destination: operator(DEST, 'dest@example.com', { coverage: { g: { termsAccepted: true, paymentMethod: 'none' } } }) }, ['STR0023']],
    ['an invalid payment method', { destination: operator(DEST, 'dest@example.com', { coverage: { g: { termsAccepted: true, paymentMethod: 'credit_card', paymentMethodValid: false } } }) }, ['STR0023']],
    ['terms only for the other coverage', { destination: operator(DEST, 'dest@example.com', { coverage: { jp: { termsAccepted: true, paymentMethod: 'credit_card' } } }) }, ['STR0020', 'STR0023']],
  ] as const)('rejects when %s, telling the source why', (_n, override, codes) => {
    const r = reviewSupportTransfer({ transfer: requested(sims), subscribers: sims, facts: { ...goodFacts, ...override } as SupportTransferReviewFacts, now: T0 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transfer.state).toBe('rejected');
    expect(r.value.transfer.findings.map((f) => f.code)).toEqual(codes);
    expect(r.value.notices).toEqual([expect.objectContaining({ kind: 'support-transfer-review-result', toOperatorId: SOURCE })]);
    expect(r.value.notices[0]!.body).toContain(codes[0]);
  });

  it('rejects a requested group that does not exist in the destination', () => {
    const r = reviewSupportTransfer({ transfer: requested(sims, { destinationGroupId: 'nope' }), subscribers: sims, facts: { ...goodFacts, destinationGroupExists: false }, now: T0 });
    expect(r.ok && r.value.transfer.findings.map((f) => f.code)).toEqual(['STR0024']);
  });

  it('reports non-transferable SIMs back to the source and sends the confirmation for the others', () => {
    const mixed = [sims[0]!, sim('440100000000002', { status: 'active', transferable: false })];
    const r = reviewSupportTransfer({ transfer: requested(mixed), subscribers: mixed, facts: goodFacts, now: T0 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transfer).toMatchObject({ state: 'awaiting-reply', notTransferableSimIds: ['89440100000000002'], imsis: ['440100000000001'], noticeSentTime: T0 });
    const [confirmation, report] = r.value.notices;
    expect(confirmation).toMatchObject({ kind: 'support-transfer-confirmation', toOperatorId: DEST });
    expect(confirmation!.body).toContain(SOURCE);
    expect(confirmation!.body).toContain('89440100000000001');
    expect(report).toMatchObject({ kind: 'support-transfer-review-result', toOperatorId: SOURCE });
    expect(report!.body).toContain('89440100000000002');
  });

  it('rejects when no SIM is transferable; a second review is refused', () => {
    const none = [sim('440100000000001', { status: 'active', transferable: false })];
    const r = reviewSupportTransfer({ transfer: requested(none), subscribers: none, facts: goodFacts, now: T0 });
    expect(r.ok && r.value.transfer.findings.map((f) => f.code)).toEqual(['STR0025']);
    if (!r.ok) return;
    expect(reviewSupportTransfer({ transfer: r.value.transfer, subscribers: none, facts: goodFacts, now: T0 })).toMatchObject({ ok: false, error: { code: 'STR0008' } });
  });
});

describe('reply deadline and transfer date', () => {
  it('allows a reply until the end of the 5th business day after the sending date', () => {
    const sent = Date.UTC(2025, 4, 22, 9); // Thu
    expect(replyDeadlineFor(sent)).toBe(Date.UTC(2025, 4, 30)); // end of Thu May 29
    expect(replyDeadlineFor(sent, businessCalendar({ holidays: ['2025-05-26'] }))).toBe(Date.UTC(2025, 4, 31));
    expect(replyDeadlineFor(Date.UTC(2025, 4, 22, 9), businessCalendar({ timeZone: 'Asia/Tokyo' }))).toBe(Date.UTC(2025, 4, 29, 15));
  });

  it('refuses a late reply, a reply from another operator, and replies after the request ended', () => {
    const sims = [sim('440100000000001', { status: 'active' })];
    const rv = reviewSupportTransfer({ transfer: requested(sims), subscribers: sims, facts: goodFacts, now: T0 });
    if (!rv.ok) throw new Error();
    const t = rv.value.transfer;
    expect(replyToSupportTransfer({ transfer: t, replierOperatorId: OTHER, accept: true, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'STR0010' } });
    expect(replyToSupportTransfer({ transfer: t, replierOperatorId: DEST, accept: true, now: t.replyDeadline! - 1 }).ok).toBe(true);
    expect(replyToSupportTransfer({ transfer: t, replierOperatorId: DEST, accept: true, now: t.replyDeadline! })).toMatchObject({ ok: false, error: { code: 'STR0009' } });
    expect(cancelUnansweredSupportTransfer({ transfer: t, now: t.replyDeadline! - 1 })).toBeUndefined();
    const cancelled = cancelUnansweredSupportTransfer({ transfer: t, now: t.replyDeadline! })!;
    expect(cancelled.transfer.state).toBe('cancelled');
    expect(cancelled.notices[0]).toMatchObject({ kind: 'support-transfer-cancelled', toOperatorId: SOURCE });
    expect(supportTransferDueAt(cancelled.transfer)).toBeUndefined();
    expect(replyToSupportTransfer({ transfer: cancelled.transfer, replierOperatorId: DEST, accept: true, now: T0 })).toMatchObject({ ok: false, error: { code: 'STR0008' } });
  });

  it('ends the request when the destination declines', () => {
    const sims = [sim('440100000000001', { status: 'active' })];
    const rv = reviewSupportTransfer({ transfer: requested(sims), subscribers: sims, facts: goodFacts, now: T0 });
    if (!rv.ok) throw new Error();
    const r = replyToSupportTransfer({ transfer: rv.value.transfer, replierOperatorId: DEST, accept: false, now: T0 + 1 });
    expect(r.ok && r.value.transfer.state).toBe('declined');
  });

  it('decides the month by the reply date in the business time zone, across year ends', () => {
    expect(transferDateForReply(Date.UTC(2025, 11, 25, 23, 59))).toEqual({ year: 2026, month: 1, day: 1 });
    expect(transferDateForReply(Date.UTC(2025, 11, 26))).toEqual({ year: 2026, month: 2, day: 1 });
    expect(transferDateForReply(Date.UTC(2025, 10, 30))).toEqual({ year: 2026, month: 1, day: 1 });
    const tokyo = businessCalendar({ timeZone: 'Asia/Tokyo' });
    expect(transferDateForReply(Date.UTC(2025, 4, 25, 16), tokyo)).toEqual({ year: 2025, month: 7, day: 1 }); // May 26 in Tokyo
  });
});

describe('executeSupportTransfer', () => {
  it('moves the SIMs on the transfer date: deletes sessions and stored data, keeps and resets settings, charges the source', () => {
    const online = sim('440100000000001', { status: 'active', subscription: 'plan-DU', speedClass: 'u1.slow', sessionStatus: { online: true, sessionId: 'sess-1' } });
    const offline = sim('440100000000002', { status: 'suspended', subscription: 'plan01s', speedClass: 's1.4xfast' });
    const t = scheduled([online, offline], { destinationGroupId: 'group-dst' });
    expect(t.transferDate).toBe('2025-06-01');
    expect(supportTransferDueAt(t)).toBe(Date.UTC(2025, 5, 1));
    expect(executeSupportTransfer({ transfer: t, subscribers: [online, offline], now: Date.UTC(2025, 5, 1) - 1 })).toMatchObject({ ok: false, error: { code: 'STR0011' } });

    const now = Date.UTC(2025, 5, 1);
    const r = executeSupportTransfer({ transfer: t, subscribers: [online, offline], now });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [a, b] = r.value.subscribers;
    expect(a).toMatchObject({
      operatorId: DEST,
      status: 'active',
      speedClass: 'u1.standard',
      groupId: 'group-dst',
      eventHandlerIds: [],
      tags: online.tags,
      expiryTime: online.expiryTime,
      expiryAction: online.expiryAction,
      imeiLock: online.imeiLock,
      terminationEnabled: online.terminationEnabled,
    });
    expect(b).toMatchObject({ operatorId: DEST, status: 'suspended', speedClass: 's1.standard', groupId: 'group-dst' });
    // A subscriber's `type` mirrors its speed class (seed 003) and follows the reset.
    expect(resetForSupportTransfer({ ...offline, type: 's1.4xfast' }, { destinationOperatorId: DEST, destinationGroupId: null })).toMatchObject({ speedClass: 's1.standard', type: 's1.standard' });
    const types = r.value.events.map((e) => `${e.type}:${e.imsi}`);
    expect(types).toEqual([
      'session-delete-ordered:440100000000001',
      'stored-data-delete-ordered:440100000000001',
      'event-handlers-reset-ordered:440100000000001',
      'fee-incurred:440100000000001',
      'ownership-changed:440100000000001',
      'stored-data-delete-ordered:440100000000002',
      'event-handlers-reset-ordered:440100000000002',
      'fee-incurred:440100000000002',
      'ownership-changed:440100000000002',
    ]);
    expect(r.value.events).toContainEqual(expect.objectContaining({ type: 'fee-incurred', fee: 'sim-transfer', operatorId: SOURCE, at: now }));
    expect(r.value.events).toContainEqual(expect.objectContaining({ type: 'session-delete-ordered', sessionId: 'sess-1' }));
    expect(r.value.transfer).toMatchObject({ state: 'completed', transferredImsis: ['440100000000001', '440100000000002'], skippedImsis: [] });
    expect(executeSupportTransfer({ transfer: r.value.transfer, subscribers: [a!, b!], now })).toMatchObject({ ok: false, error: { code: 'STR0008' } });
  });

  it('leaves the group unset when none was requested, and skips SIMs terminated meanwhile', () => {
    const a = sim('440100000000001', { status: 'active' });
    const b = sim('440100000000002', { status: 'active' });
    const t = scheduled([a, b]);
    const r = executeSupportTransfer({ transfer: t, subscribers: [a, { ...b, status: 'terminated' }], now: t.transferTime! });
    expect(r.ok && r.value.subscribers.map((s) => [s.imsi, s.groupId])).toEqual([['440100000000001', null]]);
    expect(r.ok && r.value.transfer.skippedImsis).toEqual(['440100000000002']);
    expect(r.ok && r.value.events.filter((e) => e.type === 'fee-incurred')).toHaveLength(1);
  });
});
