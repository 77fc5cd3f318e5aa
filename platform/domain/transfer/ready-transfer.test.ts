import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../common/clock.js';
import {
  READY_TRANSFER_TTL_MS,
  cancelReadyTransfer,
  dropOutOnConnect,
  expireReadyTransfer,
  issueReadyTransfer,
  readyTransferDueAt,
  verifyReadyTransfer,
  type ReadyTransfer,
} from './ready-transfer.js';
import { isTransferTokenShape, newTransferToken } from './transfer-token.js';
import type { TransferSubscriber } from './transfer-subscriber.js';
import { DEST, OTHER, SOURCE, countingBytes, operator, sim } from './test-fixtures.js';

const T0 = Date.UTC(2025, 4, 12, 9, 0, 0);
const dest = operator(DEST, 'dest@example.com');
const operators = new Map([
  [DEST, dest],
  [SOURCE, operator(SOURCE, 'src@example.com')],
  [OTHER, operator(OTHER, 'other@example.com')],
]);
const findOperator = (id: string) => operators.get(id);

function request(imsis: string[], overrides: Record<string, unknown> = {}) {
  return {
    transferDestinationOperatorEmail: 'dest@example.com',
    transferDestinationOperatorId: DEST,
    transferImsi: imsis,
    ...overrides,
  };
}

function issue<S extends TransferSubscriber>(subscribers: S[], req = request(subscribers.map((s) => s.imsi)), now = T0) {
  return issueReadyTransfer({ sourceOperatorId: SOURCE, request: req, subscribers, findOperator, randomBytes: countingBytes(), now });
}

function issued<S extends TransferSubscriber>(subscribers: S[]) {
  const r = issue(subscribers);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Replaces records by IMSI, as the store would on save. */
function save<S extends TransferSubscriber>(all: S[], changed: S[]): S[] {
  const byImsi = new Map(changed.map((s) => [s.imsi, s]));
  return all.map((s) => byImsi.get(s.imsi) ?? s);
}

describe('issueReadyTransfer', () => {
  it('puts every named ready SIM into transferring and writes a notice with token, SIMs and expiry', () => {
    const sims = [sim('440100000000001'), sim('440100000000002')];
    const { transfer, subscribers, notice, events } = issued(sims);
    expect(subscribers.map((s) => s.status)).toEqual(['transferring', 'transferring']);
    expect(subscribers[0]!.tags).toEqual(sims[0]!.tags);
    expect(transfer).toMatchObject({ state: 'pending', sourceOperatorId: SOURCE, destinationOperatorId: DEST, imsis: ['440100000000001', '440100000000002'] });
    expect(transfer.expiryTime - transfer.issuedTime).toBe(24 * 3600 * 1000);
    expect(notice).toMatchObject({ toEmail: 'dest@example.com', toOperatorId: DEST, token: transfer.token, imsis: transfer.imsis, expiryTime: T0 + READY_TRANSFER_TTL_MS });
    expect(notice.body).toContain(transfer.token);
    expect(events.filter((e) => e.type === 'status-changed').map((e) => e.type === 'status-changed' && e.toStatus)).toEqual(['transferring', 'transferring']);
  });

  it('draws a 256-bit token from the injected random source in the real two-UUID shape', () => {
    const asked: number[] = [];
    const r = issueReadyTransfer({
      sourceOperatorId: SOURCE,
      request: request(['440100000000001']),
      subscribers: [sim('440100000000001')],
      findOperator,
      randomBytes: (n) => (asked.push(n), new Uint8Array(n).fill(0xab)),
      now: T0,
    });
    expect(r.ok && r.value.transfer.token).toBe('abababab-abab-abab-abab-abababababab-abababab-abab-abab-abab-abababababab');
    expect(asked).toEqual([32]);
    expect(isTransferTokenShape(newTransferToken(countingBytes(7)))).toBe(true);
    expect(() => newTransferToken(() => new Uint8Array(15))).toThrow(/needed 32/);
  });

  it('accepts the destination email in any letter case', () => {
    expect(issue([sim('440100000000001')], request(['440100000000001'], { transferDestinationOperatorEmail: ' Dest@Example.COM ' })).ok).toBe(true);
  });

  it.each([
    ['no IMSI', request([]), 'TRN0001'],
    ['a repeated IMSI', request(['440100000000001', '440100000000001']), 'TRN0002'],
    ['a malformed operator id', request(['440100000000001'], { transferDestinationOperatorId: 'OP123' }), 'TRN0003'],
    ['an unknown operator', request(['440100000000001'], { transferDestinationOperatorId: 'OP9999999999' }), 'TRN0004'],
    ['an email of another operator', request(['440100000000001'], { transferDestinationOperatorEmail: 'other@example.com' }), 'TRN0004'],
    ['the source itself', request(['440100000000001'], { transferDestinationOperatorId: SOURCE, transferDestinationOperatorEmail: 'src@example.com' }), 'TRN0005'],
  ])('refuses %s', (_name, req, code) => {
    const r = issue([sim('440100000000001')], req as ReturnType<typeof request>);
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });

  it('refuses the whole request naming every non-transferable SIM, and changes nothing', () => {
    const sims = [sim('440100000000001'), sim('440100000000002', { transferable: false }), sim('440100000000003', { transferable: false })];
    const r = issue(sims);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('TRN0007');
    expect(r.error.subjects).toEqual(['440100000000002', '440100000000003']);
    expect(r.error.message).toContain('440100000000002, 440100000000003');
    expect(sims.every((s) => s.status === 'ready')).toBe(true);
  });

  it('refuses SIMs that are not ready, naming them with their status', () => {
    const r = issue([sim('440100000000001'), sim('440100000000002', { status: 'active' })]);
    expect(!r.ok && r.error).toMatchObject({ code: 'TRN0008', subjects: ['440100000000002 (active)'] });
  });

  it('treats another operator\'s SIM and a missing SIM as not found', () => {
    const r = issue([sim('440100000000001', { operatorId: OTHER })], request(['440100000000001', '440100000000009']));
    expect(!r.ok && r.error).toMatchObject({ code: 'TRN0006', kind: 'not-found', subjects: ['440100000000001', '440100000000009'] });
  });

  it('refuses SIMs of mixed coverage types', () => {
    const r = issue([sim('440100000000001'), sim('440100000000002', { coverageType: 'jp' })]);
    expect(!r.ok && r.error.code).toBe('TRN0009');
  });
});

describe('expiry and cancel', () => {
  it('expires after 24 hours on a virtual clock and returns the SIMs to ready in the source', async () => {
    const clock = new VirtualClock(T0);
    let sims: TransferSubscriber[] = [sim('440100000000001'), sim('440100000000002')];
    const first = issued(sims);
    sims = save(sims, first.subscribers);
    let transfer: ReadyTransfer = first.transfer;
    const due = readyTransferDueAt(transfer)!;
    expect(due).toBe(T0 + 24 * 3600 * 1000);

    await clock.advance(24 * 3600 * 1000 - 1);
    expect(expireReadyTransfer({ transfer, subscribers: sims, now: clock.now() })).toBeUndefined();
    expect(verifyReadyTransfer({ transfer, destination: dest, requestCoverageType: 'g', subscribers: sims, now: clock.now() }).ok).toBe(true);

    await clock.advance(1);
    expect(verifyReadyTransfer({ transfer, destination: dest, requestCoverageType: 'g', subscribers: sims, now: clock.now() })).toMatchObject({ ok: false, error: { code: 'TRN0011' } });
    const expired = expireReadyTransfer({ transfer, subscribers: sims, now: clock.now() })!;
    transfer = expired.transfer;
    sims = save(sims, expired.subscribers);
    expect(transfer.state).toBe('expired');
    expect(sims.map((s) => [s.status, s.operatorId])).toEqual([['ready', SOURCE], ['ready', SOURCE]]);
    expect(readyTransferDueAt(transfer)).toBeUndefined();
    expect(cancelReadyTransfer({ transfer, callerOperatorId: SOURCE, subscribers: sims, now: clock.now() })).toMatchObject({ ok: false, error: { code: 'TRN0010' } });
  });

  it('cancels all SIMs of the token at once; a second cancel, a foreign caller or an unknown token is not found', () => {
    let sims: TransferSubscriber[] = [sim('440100000000001'), sim('440100000000002')];
    const first = issued(sims);
    sims = save(sims, first.subscribers);
    expect(cancelReadyTransfer({ transfer: first.transfer, callerOperatorId: DEST, subscribers: sims, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0010' } });
    expect(cancelReadyTransfer({ transfer: undefined, callerOperatorId: SOURCE, subscribers: sims, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0010', kind: 'not-found' } });
    const r = cancelReadyTransfer({ transfer: first.transfer, callerOperatorId: SOURCE, subscribers: sims, now: T0 + 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transfer.state).toBe('cancelled');
    expect(r.value.subscribers.map((s) => s.status)).toEqual(['ready', 'ready']);
    expect(cancelReadyTransfer({ transfer: r.value.transfer, callerOperatorId: SOURCE, subscribers: sims, now: T0 + 2 }).ok).toBe(false);
    expect(verifyReadyTransfer({ transfer: r.value.transfer, destination: dest, requestCoverageType: 'g', subscribers: save(sims, r.value.subscribers), now: T0 + 3 })).toMatchObject({ ok: false, error: { code: 'TRN0010' } });
  });
});

describe('a SIM that connects while transferring', () => {
  it('drops out and becomes active while the others stay transferring and still move on verify', () => {
    let sims: TransferSubscriber[] = [sim('440100000000001'), sim('440100000000002')];
    const first = issued(sims);
    sims = save(sims, first.subscribers);
    const drop = dropOutOnConnect({ transfer: first.transfer, subscriber: sims[0]!, now: T0 + 60_000 });
    expect(drop.ok).toBe(true);
    if (!drop.ok) return;
    expect(drop.value.subscriber.status).toBe('active');
    expect(drop.value.events.map((e) => e.type)).toEqual(['transfer-drop-out', 'status-changed']);
    expect(drop.value.transfer).toMatchObject({ state: 'pending', droppedImsis: ['440100000000001'] });
    sims = save(sims, [drop.value.subscriber]);
    expect(sims[1]!.status).toBe('transferring');

    const v = verifyReadyTransfer({ transfer: drop.value.transfer, destination: dest, requestCoverageType: 'g', subscribers: sims, now: T0 + 120_000 });
    expect(v.ok && v.value.transferredImsi).toEqual(['440100000000002']);

    // Cancelling instead would only return the one still transferring.
    const c = cancelReadyTransfer({ transfer: drop.value.transfer, callerOperatorId: SOURCE, subscribers: sims, now: T0 + 120_000 });
    expect(c.ok && c.value.subscribers.map((s) => s.imsi)).toEqual(['440100000000002']);
  });

  it('ends the transfer as cancelled when its last SIM drops out', () => {
    let sims: TransferSubscriber[] = [sim('440100000000001')];
    const first = issued(sims);
    sims = save(sims, first.subscribers);
    const drop = dropOutOnConnect({ transfer: first.transfer, subscriber: sims[0]!, now: T0 + 1 });
    expect(drop.ok && drop.value.transfer.state).toBe('cancelled');
    expect(dropOutOnConnect({ transfer: first.transfer, subscriber: sim('440100000000009'), now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0015' } });
  });
});

describe('verifyReadyTransfer', () => {
  function pending(sims: Array<ReturnType<typeof sim>>) {
    const first = issued(sims);
    return { transfer: first.transfer, sims: save(sims, first.subscribers) };
  }

  it('moves the SIMs to the destination as ready, resets tags, expiry, protection, group and event handlers, keeps the rest', () => {
    const { transfer, sims } = pending([sim('440100000000001'), sim('440100000000002')]);
    const at = T0 + 3_600_000;
    const r = verifyReadyTransfer({ transfer, destination: dest, requestCoverageType: 'g', subscribers: sims, now: at });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transferredImsi).toEqual(['440100000000001', '440100000000002']);
    const moved = r.value.subscribers[0]!;
    expect(moved).toMatchObject({
      operatorId: DEST,
      status: 'ready',
      tags: { name: '' },
      expiryTime: null,
      expiryAction: null,
      terminationEnabled: false,
      groupId: null,
      eventHandlerIds: [],
      // kept
      msisdn: sims[0]!.msisdn,
      speedClass: 's1.fast',
      subscription: 'plan01s',
      imeiLock: { imei: '356938035643809' },
    });
    expect(r.value.transfer).toMatchObject({ state: 'accepted', endedTime: at, transferredImsis: ['440100000000001', '440100000000002'] });
    const ownership = r.value.events.filter((e) => e.type === 'ownership-changed');
    expect(ownership).toEqual([
      expect.objectContaining({ imsi: '440100000000001', fromOperatorId: SOURCE, toOperatorId: DEST, at }),
      expect.objectContaining({ imsi: '440100000000002', fromOperatorId: SOURCE, toOperatorId: DEST, at }),
    ]);
    expect(r.value.events.filter((e) => e.type === 'event-handlers-reset-ordered').map((e) => e.imsi)).toEqual(['440100000000001', '440100000000002']);
    // Accepted tokens can be used neither again nor cancelled.
    expect(verifyReadyTransfer({ transfer: r.value.transfer, destination: dest, requestCoverageType: 'g', subscribers: sims, now: at + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0010' } });
    expect(cancelReadyTransfer({ transfer: r.value.transfer, callerOperatorId: SOURCE, subscribers: sims, now: at + 1 }).ok).toBe(false);
  });

  it('refuses any operator but the named destination', () => {
    const { transfer, sims } = pending([sim('440100000000001')]);
    const r = verifyReadyTransfer({ transfer, destination: operator(OTHER, 'other@example.com'), requestCoverageType: 'g', subscribers: sims, now: T0 + 1 });
    expect(!r.ok && r.error).toMatchObject({ code: 'TRN0012', kind: 'forbidden' });
  });

  it('refuses without a registered payment method for the SIMs\' coverage type', () => {
    const { transfer, sims } = pending([sim('440100000000001')]);
    const noCard = operator(DEST, 'dest@example.com', { coverage: { g: { termsAccepted: true, paymentMethod: 'none' }, jp: { termsAccepted: true, paymentMethod: 'credit_card' } } });
    expect(verifyReadyTransfer({ transfer, destination: noCard, requestCoverageType: 'g', subscribers: sims, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0014' } });
    const jpOnly = operator(DEST, 'dest@example.com', { coverage: { jp: { termsAccepted: true, paymentMethod: 'credit_card' } } });
    expect(verifyReadyTransfer({ transfer, destination: jpOnly, requestCoverageType: 'g', subscribers: sims, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0014' } });
  });

  it('refuses on coverage mismatch between the request and the SIMs', () => {
    const { transfer, sims } = pending([sim('440100000000001')]);
    expect(verifyReadyTransfer({ transfer, destination: dest, requestCoverageType: 'jp', subscribers: sims, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'TRN0013' } });
  });

  it('refuses an unknown token', () => {
    expect(verifyReadyTransfer({ transfer: undefined, destination: dest, requestCoverageType: 'g', subscribers: [], now: T0 })).toMatchObject({ ok: false, error: { code: 'TRN0010' } });
  });
});
