import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../common/clock.js';
import { emulatedCardProcessor, TEST_CARDS, type CardErrorCode } from './card-processor.js';
import {
  createPaymentAccount,
  enableBankTransfer,
  markInvoicePaid,
  nextRetryDueAt,
  openMonthlyCharge,
  outstandingCharges,
  payOrder,
  registerCreditCard,
  retryOutstandingCharges,
  runDueRetries,
  setTrialPayment,
  type PaymentAccount,
  type PaymentOutcome,
} from './payment-account.js';
import { billPaymentStatus, paymentMethodView, paymentStatementsView, paymentTransactionView } from './payment-views.js';
import type { Result } from '../errors.js';

const t = (iso: string): number => Date.parse(iso);
const DAY = 86_400_000;
const processor = emulatedCardProcessor();
const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Root' });
const unwrap = (r: Result<PaymentOutcome>): PaymentOutcome => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const withCard = (number: string, now: number): PaymentAccount => unwrap(registerCreditCard(createPaymentAccount('OP0000000001', 'g'), card(number), now, processor)).account;

describe('emulated card processor', () => {
  it('decides every test card as documented, for verification and for charges', () => {
    const now = t('2026-01-01T00:00:00Z');
    for (const c of TEST_CARDS) {
      for (const purpose of ['verification', 'charge'] as const) {
        const o = processor.decide({ number: c.number, expMonth: 1, expYear: 2030 }, purpose, now);
        expect(o.ok ? 'success' : o.code).toBe(c[purpose]);
      }
    }
    expect(processor.decide({ number: '4242424242424241', expMonth: 1, expYear: 2030 }, 'charge', now)).toMatchObject({ ok: false, code: 'incorrect_number' });
    expect(processor.decide({ number: '4242424242424242', expMonth: 12, expYear: 2025 }, 'charge', now)).toMatchObject({ ok: false, code: 'expired_card' });
    expect(processor.decide({ number: '4242424242424242', expMonth: 1, expYear: 2026 }, 'charge', now).ok).toBe(true); // valid through its month
  });
});

describe('payment method', () => {
  it('registration verifies with a hold and replaces bank transfer; a refused card leaves the old method', () => {
    const now = t('2026-01-05T00:00:00Z');
    const bank = unwrap(enableBankTransfer(createPaymentAccount('OP0000000001', 'jp'), now)).account;
    const errors: [string, CardErrorCode][] = [
      ['4000000000000002', 'card_declined'],
      ['4000000000000069', 'expired_card'],
      ['4000000000009995', 'insufficient_funds'],
      ['4242424242424241', 'incorrect_number'],
      ['4000000000000119', 'processing_error'],
    ];
    for (const [number, code] of errors) {
      const r = registerCreditCard(bank, card(number), now, processor);
      expect(r.ok ? null : [r.error.code, r.error.cardErrorCode]).toEqual(['PAY0002', code]);
    }
    expect(paymentMethodView(bank)?.providerType).toBe('BankTransfer');
    const r = unwrap(registerCreditCard(bank, card('4242 4242 4242 4242'), now, processor));
    const view = paymentMethodView(r.account)!;
    expect(view).toMatchObject({ providerType: 'WebPay', updateDate: '20260105000000' });
    expect(JSON.parse(view.properties)).toEqual({ brand: 'Visa', last4: '4242', expireMonth: 12, expireYear: 2030, name: 'Root' });
    expect(JSON.stringify(view)).not.toContain('4242424242424242');
    expect(r.account.transactions.map((x) => [x.purpose, x.amount])).toEqual([['verification', 100_000_000n]]); // JPY 100 hold
    expect(paymentMethodView(createPaymentAccount('OP0000000001', 'g'))).toBeNull();
    expect(registerCreditCard(bank, { ...card('4242424242424242'), cvc: 'x', expMonth: 13 }, now, processor)).toMatchObject({ ok: false, error: { code: 'PAY0005' } });
  });
});

describe('monthly charge lifecycle', () => {
  it('charges at the start of the month; a failure is retried every 24 hours until it succeeds', async () => {
    const clock = new VirtualClock(t('2026-02-01T00:00:00Z'));
    let acct = withCard('4000000000000341', t('2026-01-10T00:00:00Z')); // verifies, then declines
    acct = unwrap(openMonthlyCharge(acct, { yearMonth: '202601', amount: 12_340_000n }, clock.now(), processor)).account;
    expect(acct.charges[0]).toMatchObject({ status: 'failed', lastErrorCode: 'card_declined', nextRetryAt: clock.now() + DAY, attempts: 1 });
    expect(paymentMethodView(acct)).toMatchObject({ errorCode: 'card_declined' });
    expect(billPaymentStatus(acct, '202601')?.paymentStatus).toBe('fail');
    // Idempotent per month.
    expect(unwrap(openMonthlyCharge(acct, { yearMonth: '202601', amount: 12_340_000n }, clock.now(), processor)).account.charges).toHaveLength(1);

    await clock.advance(DAY - 1);
    expect(runDueRetries(acct, clock.now(), processor).effects).toEqual([]); // not due yet
    await clock.advance(1);
    const second = runDueRetries(acct, clock.now(), processor);
    expect(second.effects).toEqual([{ type: 'chargeFailed', chargeId: acct.charges[0]!.chargeId, errorCode: 'card_declined', nextRetryAt: clock.now() + DAY }]);
    acct = second.account;
    expect(nextRetryDueAt(acct)).toBe(clock.now() + DAY);

    // The issuer lifts the block: the next daily retry succeeds with no action by the user.
    const lifted = emulatedCardProcessor(new Map([['4000000000000341', 'success']]));
    await clock.advance(DAY);
    acct = runDueRetries(acct, clock.now(), lifted).account;
    expect(acct.charges[0]).toMatchObject({ status: 'paid', attempts: 3, paidAt: clock.now() });
    expect(paymentMethodView(acct)?.errorCode).toBeUndefined();
    expect(billPaymentStatus(acct, '202601')?.paymentStatus).toBe('paid');
    expect(paymentStatementsView(acct).paymentStatementsList).toEqual([
      expect.objectContaining({ amount: 12.34, currency: 'USD', chargedYearMonths: ['202601'], paymentMethod: 'CreditCard', paymentInstrument: 'Visa ****0341' }),
    ]);
    expect(nextRetryDueAt(acct)).toBeNull();
    const tx = paymentTransactionView(acct, acct.charges[0]!.paymentTransactionId!);
    expect(tx).toMatchObject({ status: 'success', amount: { currency: 'USD', totalAmount: 12.34 } });
  });

  it('registering a card (even the same one) immediately attempts every outstanding monthly charge; manual retry too', () => {
    let acct = withCard('4000000000009987', t('2026-01-10T00:00:00Z')); // charges fail: insufficient funds
    acct = unwrap(openMonthlyCharge(acct, { yearMonth: '202601', amount: 1_000_000n }, t('2026-02-01T00:00:00Z'), processor)).account;
    acct = unwrap(openMonthlyCharge(acct, { yearMonth: '202602', amount: 2_000_000n }, t('2026-03-01T00:00:00Z'), processor)).account;
    expect(outstandingCharges(acct, t('2026-03-01T00:00:00Z')).map((c) => c.lastErrorCode)).toEqual(['insufficient_funds', 'insufficient_funds']);

    const manual = unwrap(retryOutstandingCharges(acct, t('2026-03-01T05:00:00Z'), processor));
    expect(manual.effects.map((e) => e.type)).toEqual(['chargeFailed', 'chargeFailed']);

    const same = unwrap(registerCreditCard(manual.account, card('4000000000009987'), t('2026-03-01T06:00:00Z'), processor));
    expect(same.effects.map((e) => e.type)).toEqual(['paymentMethodChanged', 'chargeFailed', 'chargeFailed']);

    const fresh = unwrap(registerCreditCard(same.account, card('5555555555554444'), t('2026-03-01T07:00:00Z'), processor));
    expect(fresh.effects.map((e) => e.type)).toEqual(['paymentMethodChanged', 'chargeSucceeded', 'chargeSucceeded']);
    expect(outstandingCharges(fresh.account, t('2026-03-01T07:00:00Z'))).toEqual([]);
  });

  it('order payments are attempted once and never retried automatically', () => {
    let acct = withCard('4000000000000341', t('2026-01-10T00:00:00Z'));
    acct = unwrap(payOrder(acct, { orderId: 'order-1', amount: 5_000_000n }, t('2026-01-11T00:00:00Z'), processor)).account;
    expect(acct.charges[0]).toMatchObject({ kind: 'order', status: 'failed', lastErrorCode: 'card_declined' });
    expect(acct.charges[0]!.nextRetryAt).toBeUndefined();
    expect(runDueRetries(acct, t('2026-03-01T00:00:00Z'), emulatedCardProcessor(new Map([['4000000000000341', 'success']]))).effects).toEqual([]);
    // It is still owed (the support transfer review sees it), and manual retry covers monthly fees only.
    expect(outstandingCharges(acct, t('2026-03-01T00:00:00Z'))).toHaveLength(1);
    expect(unwrap(retryOutstandingCharges(acct, t('2026-03-01T00:00:00Z'), processor)).effects).toEqual([]);
    expect(payOrder(createPaymentAccount('OP0000000001', 'g'), { orderId: 'o', amount: 1n }, 0, processor)).toMatchObject({ ok: false, error: { code: 'PAY0006' } });
  });

  it('bank transfer: a monthly invoice with a due date, outstanding only once overdue, settled when received', () => {
    let acct = unwrap(enableBankTransfer(createPaymentAccount('OP0000000001', 'jp'), t('2026-01-01T00:00:00Z'), 30)).account;
    const opened = unwrap(openMonthlyCharge(acct, { yearMonth: '202601', amount: 330_000_000n }, t('2026-02-01T00:00:00Z'), processor));
    expect(opened.effects).toEqual([{ type: 'invoiceIssued', chargeId: opened.account.charges[0]!.chargeId, amount: 330_000_000n, dueDate: '2026-03-03' }]);
    acct = opened.account;
    expect(billPaymentStatus(acct, '202601')?.paymentStatus).toBe('paying');
    expect(outstandingCharges(acct, t('2026-03-03T23:00:00Z'))).toEqual([]);
    expect(outstandingCharges(acct, t('2026-03-04T00:00:00Z'))).toHaveLength(1);
    acct = unwrap(markInvoicePaid(acct, acct.charges[0]!.chargeId, t('2026-03-05T00:00:00Z'))).account;
    expect(paymentStatementsView(acct).paymentStatementsList[0]).toMatchObject({ paymentMethod: 'BankTransfer', amount: 330 });
    expect(markInvoicePaid(acct, acct.charges[0]!.chargeId, 0)).toMatchObject({ ok: false, error: { code: 'PAY0004' } });
  });

  it('trial or no method: the charge waits, outstanding, and a card registration pays it', () => {
    let acct = setTrialPayment(createPaymentAccount('OP0000000001', 'g'), t('2026-01-01T00:00:00Z')).account;
    acct = unwrap(openMonthlyCharge(acct, { yearMonth: '202601', amount: 1_000_000n }, t('2026-02-01T00:00:00Z'), processor)).account;
    expect(acct.charges[0]!.status).toBe('pending');
    expect(retryOutstandingCharges(acct, t('2026-02-01T00:00:00Z'), processor)).toMatchObject({ ok: false, error: { code: 'PAY0006' } });
    acct = unwrap(registerCreditCard(acct, card('4242424242424242'), t('2026-02-02T00:00:00Z'), processor)).account;
    expect(acct.charges[0]!.status).toBe('paid');
  });
});
