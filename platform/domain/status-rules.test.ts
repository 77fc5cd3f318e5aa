import { describe, expect, it } from 'vitest';
import { applyOperatorAction, isPurgeDue, type OperatorAction } from './status-rules.js';
import { openSession } from './session.js';
import { SUBSCRIBER_STATUSES, SUBSCRIPTIONS, type SubscriberStatus, type Subscription } from './subscriber.js';
import { subscriberIn } from './test-fixtures.js';

/**
 * SPEC §1.2's table, written out here independently of ACTION_RULES so the generated cases
 * check the implementation against the specification, not against itself.
 */
const SPEC_TABLE = `
activate       | active     | ready, inactive, standby, suspended
deactivate     | inactive   | ready, active, standby, suspended
set_to_standby | standby    | ready, active, inactive
suspend        | suspended  | ready, active, inactive, standby
terminate      | terminated | ready, active, inactive, standby, suspended
`;
const NO_STANDBY: Subscription[] = ['plan-D', 'plan-DU', 'plan-K'];

const rows = SPEC_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [action, to, from] = line.split('|').map((c) => c.trim());
    return { action: action as OperatorAction, to: to as SubscriberStatus, from: from!.split(',').map((s) => s.trim()) as SubscriberStatus[] };
  });

function expectedFee(sub: Subscription, from: SubscriberStatus, to: SubscriberStatus): string | null {
  if (['standby', 'suspended'].includes(from) && ['active', 'inactive'].includes(to)) return 'reactivation';
  if (to === 'suspended' && ['active', 'inactive'].includes(from) && ['plan-D', 'plan-K'].includes(sub)) return 'suspension';
  return null;
}

const cases = rows.flatMap((row) =>
  SUBSCRIBER_STATUSES.flatMap((from) =>
    SUBSCRIPTIONS.flatMap((subscription) => [true, false].map((terminationEnabled) => ({ ...row, fromStatus: from, subscription, terminationEnabled }))),
  ),
);

describe('operator status actions (generated from SPEC §1.2)', () => {
  it('covers every action × status × subscription × protection', () => {
    expect(cases.length).toBe(5 * 7 * SUBSCRIPTIONS.length * 2);
  });

  it.each(cases)('$action from $fromStatus ($subscription, terminationEnabled=$terminationEnabled)', (c) => {
    const s = subscriberIn(c.fromStatus, c.subscription, { terminationEnabled: c.terminationEnabled });
    const r = applyOperatorAction(s, c.action, 1000);
    const allowed =
      c.from.includes(c.fromStatus) &&
      !(c.action === 'set_to_standby' && NO_STANDBY.includes(c.subscription)) &&
      !(c.action === 'terminate' && !c.terminationEnabled);
    if (!allowed) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        const code = r.error.code;
        if (c.fromStatus === 'terminated') expect(code).toBe('SEM0003');
        else if (c.fromStatus === 'transferring') expect(code).toBe('SEM0006');
        else if (c.action === 'set_to_standby' && NO_STANDBY.includes(c.subscription)) expect(code).toBe('SEM0005');
        else if (c.action === 'terminate' && c.from.includes(c.fromStatus)) expect(code).toBe('SEM0004');
        else expect(['SEM0002', 'SEM0013']).toContain(code);
      }
      expect(s.status).toBe(c.fromStatus);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.subscriber.status).toBe(c.to);
    const history = r.value.events.filter((e) => e.type === 'status-changed');
    expect(history).toEqual([
      expect.objectContaining({ imsi: s.imsi, fromStatus: c.fromStatus, toStatus: c.to, at: 1000, subscription: c.subscription, coverageType: 'g' }),
    ]);
    const fees = r.value.events.filter((e) => e.type === 'fee-incurred').map((e) => (e.type === 'fee-incurred' ? e.fee : null));
    const fee = expectedFee(c.subscription, c.fromStatus, c.to);
    expect(fees).toEqual(fee ? [fee] : []);
  });
});

describe('terminated is final and never back to ready', () => {
  it('no action leaves terminated, and no action leads to ready', () => {
    for (const row of rows) {
      expect(row.to).not.toBe('ready');
      expect(applyOperatorAction(subscriberIn('terminated', 'plan01s', { terminationEnabled: true }), row.action, 1).ok).toBe(false);
    }
  });
  it('purges a terminated subscriber after 30 days, not before', () => {
    const day = 24 * 3600 * 1000;
    const t = subscriberIn('terminated', 'plan01s', { terminatedAt: 0 });
    expect(isPurgeDue(t, 30 * day - 1)).toBe(false);
    expect(isPurgeDue(t, 30 * day)).toBe(true);
    expect(isPurgeDue(subscriberIn('active'), 365 * day)).toBe(false);
  });
});

const cell = { radioType: 'LTE-M', mcc: 295, mnc: 5, tac: 1, eci: 2 };
const open = { sessionId: 's-1', imei: '860000012345678', apn: 'soracom.io', cell, dnsServers: ['100.127.0.53'], at: 5000 };

describe('network-driven changes (SPEC §1.2)', () => {
  const table: { from: SubscriberStatus; allowed: boolean; to?: SubscriberStatus; fee?: string; dropOut?: boolean; permanent?: boolean }[] = [
    { from: 'ready', allowed: true, to: 'active' },
    { from: 'standby', allowed: true, to: 'active', fee: 'reactivation' },
    { from: 'transferring', allowed: true, to: 'active', dropOut: true },
    { from: 'active', allowed: true, to: 'active' },
    { from: 'inactive', allowed: false, permanent: false },
    { from: 'suspended', allowed: false, permanent: true },
    { from: 'terminated', allowed: false, permanent: true },
  ];
  it.each(table)('session request from $from', (c) => {
    const v = openSession(subscriberIn(c.from), open);
    expect(v.allowed).toBe(c.allowed);
    if (!v.allowed) {
      expect(v.permanent).toBe(c.permanent);
      return;
    }
    expect(v.subscriber.status).toBe(c.to);
    expect(v.subscriber.sessionStatus).toMatchObject({ online: true, imei: open.imei, sessionId: 's-1', cell });
    const fees = v.events.filter((e) => e.type === 'fee-incurred');
    expect(fees.map((f) => (f.type === 'fee-incurred' ? f.fee : ''))).toEqual(c.fee ? [c.fee] : []);
    expect(v.events.some((e) => e.type === 'transfer-drop-out')).toBe(!!c.dropOut);
    expect(v.events.filter((e) => e.type === 'status-changed').length).toBe(c.from === 'active' ? 0 : 1);
    expect(v.events.at(-1)).toMatchObject({ type: 'session-event', event: 'Created', imei: open.imei, time: 5000 });
  });

  it('leaving active ends the session and orders the radio side to drop it', () => {
    const v = openSession(subscriberIn('active'), open);
    if (!v.allowed) throw new Error('refused');
    const r = applyOperatorAction(v.subscriber, 'suspend', 9000);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.subscriber.sessionStatus?.online).toBe(false);
    expect(r.value.subscriber.previousSession).toMatchObject({ createdTime: 5000, deletedTime: 9000, sessionId: 's-1' });
    expect(r.value.events.map((e) => e.type)).toEqual(['session-event', 'session-delete-ordered', 'status-changed']);
  });
});
