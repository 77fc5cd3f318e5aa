/**
 * Payment, per operator and coverage type (SPEC §1.7, seed 004), as pure transitions:
 * `(account, input, now, processor) → { account, effects }` or a typed error.
 *
 * - One payment method per coverage type: credit card, bank transfer or trial. Registering a
 *   card replaces whatever was there, after a verification hold; a card that fails
 *   verification is refused and the old method stays [choice].
 * - Monthly charges are opened at the start of a month for the previous month. On a card they
 *   are attempted at once; a failed one is retried automatically every 24 hours from its last
 *   attempt [choice] until it succeeds. On bank transfer an invoice with a due date is issued.
 *   With no method or a trial, the charge waits, outstanding, for a method [choice].
 * - Order payments are attempted once and never retried automatically.
 * - Manual retry (activatePaymentMethod) and registering a card (the same one too) attempt
 *   every outstanding monthly charge of the coverage type at once.
 * Root-only access is the HTTP layer's job; nothing here knows who calls.
 */
import { isoUtcDate, type CoverageType } from './calendar.js';
import { cardBrand, type CardErrorCode, type CardProcessor } from './card-processor.js';
import { billingError } from './errors.js';
import { failWith, ok, type Result } from '../errors.js';
import { parseDecimal, type Currency, type Money } from './money.js';

/** A registered card. Never holds the CVC. */
export interface StoredCard {
  readonly brand: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly holderName?: string;
  /**
   * Emulator only: the number the emulated processor decides on (a real processor would hold
   * a token). Never shown by any view and never logged.
   */
  readonly processorRef: string;
}

export type PaymentMethod =
  | { readonly type: 'creditCard'; readonly card: StoredCard; readonly updatedAt: number; readonly errorCode?: CardErrorCode; readonly errorMessage?: string }
  | { readonly type: 'bankTransfer'; readonly updatedAt: number; readonly invoiceDueDays: number }
  | { readonly type: 'trial'; readonly updatedAt: number };

export type ChargeKind = 'monthly' | 'order';
/** `pending`: waiting for a payment method; `invoiced`: bank transfer not yet received. */
export type ChargeStatus = 'pending' | 'failed' | 'invoiced' | 'paid';

export interface Charge {
  readonly chargeId: string;
  readonly kind: ChargeKind;
  /** The usage month a monthly charge pays for. */
  readonly yearMonth?: string;
  readonly orderId?: string;
  readonly amount: Money;
  readonly currency: Currency;
  readonly createdAt: number;
  readonly status: ChargeStatus;
  readonly attempts: number;
  readonly lastAttemptAt?: number;
  readonly lastErrorCode?: CardErrorCode;
  /** When the automatic retry is due (failed monthly charges only). */
  readonly nextRetryAt?: number;
  /** `yyyy-MM-dd` (UTC) an invoice must be paid by. */
  readonly invoiceDueDate?: string;
  readonly paidAt?: number;
  /** The transaction of the last attempt. */
  readonly paymentTransactionId?: string;
}

/** One attempt at the processor (getPaymentTransaction). */
export interface PaymentTransaction {
  readonly paymentTransactionId: string;
  readonly chargeId?: string;
  readonly purpose: 'verification' | 'charge';
  readonly at: number;
  readonly status: 'success' | 'error';
  readonly messageCode: 'success' | CardErrorCode;
  readonly message: string;
  readonly amount: Money;
  readonly currency: Currency;
}

/** A completed payment (listPaymentStatements). */
export interface PaymentStatement {
  readonly paymentStatementId: string;
  readonly chargeId: string;
  readonly amount: Money;
  readonly currency: Currency;
  readonly chargedYearMonths?: readonly string[];
  readonly orderId?: string;
  readonly paymentDateTime: number;
  readonly paymentInstrument: string;
  readonly paymentMethod: 'CreditCard' | 'BankTransfer';
  readonly paymentStatementInfo: string;
}

/** Everything payment knows about one operator and coverage type. */
export interface PaymentAccount {
  readonly operatorId: string;
  readonly coverageType: CoverageType;
  readonly currency: Currency;
  readonly method: PaymentMethod | null;
  readonly charges: readonly Charge[];
  readonly transactions: readonly PaymentTransaction[];
  readonly statements: readonly PaymentStatement[];
  /** Counter for the ids this account issues. */
  readonly seq: number;
}

export type PaymentEffect =
  | { readonly type: 'paymentMethodChanged'; readonly methodType: PaymentMethod['type'] }
  | { readonly type: 'chargeSucceeded'; readonly chargeId: string; readonly amount: Money; readonly paymentTransactionId: string }
  | { readonly type: 'chargeFailed'; readonly chargeId: string; readonly errorCode: CardErrorCode; readonly nextRetryAt?: number }
  | { readonly type: 'invoiceIssued'; readonly chargeId: string; readonly amount: Money; readonly dueDate: string }
  | { readonly type: 'chargeAwaitingPaymentMethod'; readonly chargeId: string };

export interface PaymentOutcome {
  readonly account: PaymentAccount;
  readonly effects: readonly PaymentEffect[];
}

/** [choice] Automatic retry period for a failed monthly charge. */
export const RETRY_INTERVAL_MS = 24 * 3_600_000;
/** [choice] Verification hold amounts (released at once). */
export const VERIFICATION_HOLD: Readonly<Record<Currency, Money>> = { USD: 1_000_000n, JPY: 100_000_000n };
/** [choice] Default days from issue to an invoice's due date. */
export const DEFAULT_INVOICE_DUE_DAYS = 30;

const CURRENCY_OF: Readonly<Record<CoverageType, Currency>> = { g: 'USD', jp: 'JPY' };

/** A new account with no payment method. */
export function createPaymentAccount(operatorId: string, coverageType: CoverageType): PaymentAccount {
  return { operatorId, coverageType, currency: CURRENCY_OF[coverageType], method: null, charges: [], transactions: [], statements: [], seq: 0 };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<PaymentAccount, 'charges' | 'transactions' | 'statements'>> & {
  charges: Mutable<Charge>[];
  transactions: PaymentTransaction[];
  statements: PaymentStatement[];
  effects: PaymentEffect[];
};

const draftOf = (a: PaymentAccount): Draft => ({
  ...a,
  charges: a.charges.map((c) => ({ ...c })),
  transactions: [...a.transactions],
  statements: [...a.statements],
  effects: [],
});

const done = (d: Draft): PaymentOutcome => {
  const { effects, ...account } = d;
  return { account, effects };
};

const nextId = (d: Draft, prefix: string): string => `${prefix}-${d.operatorId}-${d.coverageType}-${++d.seq}`;

const isOutstandingMonthly = (c: Charge): boolean => c.kind === 'monthly' && c.status !== 'paid';

function instrumentOf(m: PaymentMethod): string {
  return m.type === 'creditCard' ? `${m.card.brand} ****${m.card.last4}` : m.type === 'bankTransfer' ? 'Bank transfer' : 'Trial';
}

function recordPaid(d: Draft, c: Mutable<Charge>, now: number, via: 'CreditCard' | 'BankTransfer', txId?: string): void {
  c.status = 'paid';
  c.paidAt = now;
  delete c.nextRetryAt;
  delete c.lastErrorCode;
  d.statements.push({
    paymentStatementId: nextId(d, 'PS'),
    chargeId: c.chargeId,
    amount: c.amount,
    currency: c.currency,
    ...(c.yearMonth ? { chargedYearMonths: [c.yearMonth] } : {}),
    ...(c.orderId ? { orderId: c.orderId } : {}),
    paymentDateTime: now,
    paymentInstrument: d.method ? instrumentOf(d.method) : via,
    paymentMethod: via,
    paymentStatementInfo: c.kind === 'monthly' ? `Monthly service fees ${c.yearMonth}` : `Order ${c.orderId}`,
  });
  d.effects.push({ type: 'chargeSucceeded', chargeId: c.chargeId, amount: c.amount, paymentTransactionId: txId ?? c.chargeId });
}

/** One attempt on the registered card. */
function attempt(d: Draft, c: Mutable<Charge>, now: number, processor: CardProcessor): void {
  const m = d.method;
  if (!m || m.type !== 'creditCard') return;
  const outcome = processor.decide({ number: m.card.processorRef, expMonth: m.card.expMonth, expYear: m.card.expYear }, 'charge', now);
  const txId = nextId(d, 'PT');
  d.transactions.push({
    paymentTransactionId: txId,
    chargeId: c.chargeId,
    purpose: 'charge',
    at: now,
    status: outcome.ok ? 'success' : 'error',
    messageCode: outcome.ok ? 'success' : outcome.code,
    message: outcome.ok ? 'Payment succeeded.' : outcome.message,
    amount: c.amount,
    currency: c.currency,
  });
  c.attempts += 1;
  c.lastAttemptAt = now;
  c.paymentTransactionId = txId;
  delete c.invoiceDueDate;
  if (outcome.ok) {
    d.method = { type: 'creditCard', card: m.card, updatedAt: m.updatedAt };
    recordPaid(d, c, now, 'CreditCard', txId);
    return;
  }
  c.status = 'failed';
  c.lastErrorCode = outcome.code;
  // Order payments are never retried automatically (seed 004).
  if (c.kind === 'monthly') c.nextRetryAt = now + RETRY_INTERVAL_MS;
  else delete c.nextRetryAt;
  d.method = { ...m, errorCode: outcome.code, errorMessage: outcome.message };
  d.effects.push({ type: 'chargeFailed', chargeId: c.chargeId, errorCode: outcome.code, ...(c.nextRetryAt !== undefined ? { nextRetryAt: c.nextRetryAt } : {}) });
}

function invoice(d: Draft, c: Mutable<Charge>, now: number, dueDays: number): void {
  c.status = 'invoiced';
  c.invoiceDueDate = isoUtcDate(now + dueDays * 86_400_000);
  delete c.nextRetryAt;
  d.effects.push({ type: 'invoiceIssued', chargeId: c.chargeId, amount: c.amount, dueDate: c.invoiceDueDate });
}

/** Routes a charge to the current method: attempt, invoice, or wait. */
function settle(d: Draft, c: Mutable<Charge>, now: number, processor: CardProcessor): void {
  const m = d.method;
  if (m?.type === 'creditCard') attempt(d, c, now, processor);
  else if (m?.type === 'bankTransfer') {
    if (c.status !== 'invoiced') invoice(d, c, now, m.invoiceDueDays);
  } else {
    c.status = 'pending';
    d.effects.push({ type: 'chargeAwaitingPaymentMethod', chargeId: c.chargeId });
  }
}

/** Card details as entered. */
export interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
  readonly holderName?: string;
}

/**
 * Registers a credit card (replacing card, bank transfer or trial) after a verification hold,
 * then attempts every outstanding monthly charge of this coverage type at once.
 */
export function registerCreditCard(account: PaymentAccount, input: CardInput, now: number, processor: CardProcessor): Result<PaymentOutcome> {
  const number = String(input.number ?? '').replace(/[\s-]/g, '');
  const problems: string[] = [];
  if (!/^\d{12,19}$/.test(number)) problems.push('number must be 12 to 19 digits');
  if (!Number.isInteger(input.expMonth) || input.expMonth < 1 || input.expMonth > 12) problems.push('expMonth must be 1..12');
  if (!Number.isInteger(input.expYear) || input.expYear < 2000 || input.expYear > 2100) problems.push('expYear must be a four-digit year');
  if (!/^\d{3,4}$/.test(String(input.cvc ?? ''))) problems.push('cvc must be 3 or 4 digits');
  if (problems.length > 0) return failWith(billingError('PAY0005', problems.join('; '), { issues: problems }));
  const verdict = processor.decide({ number, expMonth: input.expMonth, expYear: input.expYear }, 'verification', now);
  if (!verdict.ok) return failWith(billingError('PAY0002', `${verdict.code}: ${verdict.message}`, { cardErrorCode: verdict.code }));
  const d = draftOf(account);
  d.transactions.push({
    paymentTransactionId: nextId(d, 'PT'),
    purpose: 'verification',
    at: now,
    status: 'success',
    messageCode: 'success',
    message: 'Verification hold placed and released.',
    amount: VERIFICATION_HOLD[d.currency],
    currency: d.currency,
  });
  d.method = {
    type: 'creditCard',
    updatedAt: now,
    card: {
      brand: cardBrand(number),
      last4: number.slice(-4),
      expMonth: input.expMonth,
      expYear: input.expYear,
      ...(input.holderName ? { holderName: input.holderName } : {}),
      processorRef: number,
    },
  };
  d.effects.push({ type: 'paymentMethodChanged', methodType: 'creditCard' });
  for (const c of d.charges) if (isOutstandingMonthly(c)) attempt(d, c, now, processor);
  return ok(done(d));
}

/**
 * Switches to bank transfer (enabled on request, SPEC §1.7). Monthly charges not yet paid are
 * invoiced [choice].
 */
export function enableBankTransfer(account: PaymentAccount, now: number, invoiceDueDays = DEFAULT_INVOICE_DUE_DAYS): Result<PaymentOutcome> {
  if (!Number.isInteger(invoiceDueDays) || invoiceDueDays < 1) return failWith(billingError('PAY0005', 'invoiceDueDays must be a positive integer'));
  const d = draftOf(account);
  d.method = { type: 'bankTransfer', updatedAt: now, invoiceDueDays };
  d.effects.push({ type: 'paymentMethodChanged', methodType: 'bankTransfer' });
  for (const c of d.charges) if (isOutstandingMonthly(c) && c.status !== 'invoiced') invoice(d, c, now, invoiceDueDays);
  return ok(done(d));
}

/** Puts the account on trial payment (no charges are collected; they wait, outstanding). */
export function setTrialPayment(account: PaymentAccount, now: number): PaymentOutcome {
  const d = draftOf(account);
  d.method = { type: 'trial', updatedAt: now };
  d.effects.push({ type: 'paymentMethodChanged', methodType: 'trial' });
  return done(d);
}

/**
 * Opens the monthly charge for `yearMonth` (run at the start of the next month) and settles it
 * with the current method. Idempotent per month; a zero amount opens nothing.
 */
export function openMonthlyCharge(account: PaymentAccount, input: { yearMonth: string; amount: Money }, now: number, processor: CardProcessor): Result<PaymentOutcome> {
  if (input.amount < 0n) return failWith(billingError('PAY0008', 'amount must not be negative'));
  const d = draftOf(account);
  if (input.amount === 0n || d.charges.some((c) => c.kind === 'monthly' && c.yearMonth === input.yearMonth)) return ok(done(d));
  const c: Mutable<Charge> = { chargeId: nextId(d, 'CH'), kind: 'monthly', yearMonth: input.yearMonth, amount: input.amount, currency: d.currency, createdAt: now, status: 'pending', attempts: 0 };
  d.charges.push(c);
  settle(d, c, now, processor);
  return ok(done(d));
}

/** Charges an order once on the registered card; a failure is never retried automatically. */
export function payOrder(account: PaymentAccount, input: { orderId: string; amount: Money }, now: number, processor: CardProcessor): Result<PaymentOutcome> {
  if (input.amount <= 0n) return failWith(billingError('PAY0008', 'an order amount must be positive'));
  if (account.method?.type !== 'creditCard') return failWith(billingError('PAY0006', 'orders are paid by credit card'));
  const d = draftOf(account);
  if (d.charges.some((c) => c.kind === 'order' && c.orderId === input.orderId)) return ok(done(d));
  const c: Mutable<Charge> = { chargeId: nextId(d, 'CH'), kind: 'order', orderId: input.orderId, amount: input.amount, currency: d.currency, createdAt: now, status: 'pending', attempts: 0 };
  d.charges.push(c);
  attempt(d, c, now, processor);
  return ok(done(d));
}

/** The scheduler's daily job: attempts every failed monthly charge whose retry is due. */
export function runDueRetries(account: PaymentAccount, now: number, processor: CardProcessor): PaymentOutcome {
  const d = draftOf(account);
  for (const c of d.charges) {
    if (c.kind === 'monthly' && c.status === 'failed' && c.nextRetryAt !== undefined && c.nextRetryAt <= now) attempt(d, c, now, processor);
  }
  return done(d);
}

/** When the next automatic retry is due, or null (for the scheduler). */
export function nextRetryDueAt(account: PaymentAccount): number | null {
  let next: number | null = null;
  for (const c of account.charges) {
    if (c.status === 'failed' && c.nextRetryAt !== undefined && (next === null || c.nextRetryAt < next)) next = c.nextRetryAt;
  }
  return next;
}

/** Manual retry (POST /payment_methods/current/activate): every outstanding monthly charge, now. */
export function retryOutstandingCharges(account: PaymentAccount, now: number, processor: CardProcessor): Result<PaymentOutcome> {
  if (!account.method) return failWith(billingError('PAY0001'));
  if (account.method.type !== 'creditCard') return failWith(billingError('PAY0006', 'only a credit card can be retried'));
  const d = draftOf(account);
  for (const c of d.charges) if (isOutstandingMonthly(c)) attempt(d, c, now, processor);
  return ok(done(d));
}

/** Records a bank transfer received for an invoiced charge. */
export function markInvoicePaid(account: PaymentAccount, chargeId: string, now: number): Result<PaymentOutcome> {
  const d = draftOf(account);
  const c = d.charges.find((x) => x.chargeId === chargeId);
  if (!c) return failWith(billingError('PAY0003', chargeId));
  if (c.status !== 'invoiced') return failWith(billingError('PAY0004', `${chargeId} is ${c.status}`));
  recordPaid(d, c, now, 'BankTransfer');
  return ok(done(d));
}

/**
 * Charges still owed at `now`: failed charges (monthly or order), charges waiting for a payment
 * method, and invoices past their due date. [choice] An invoice not yet due is not outstanding.
 * The support-assisted transfer review (SPEC §1.4) uses this.
 */
export function outstandingCharges(account: PaymentAccount, now: number): Charge[] {
  const today = isoUtcDate(now);
  return account.charges.filter(
    (c) => c.status === 'failed' || c.status === 'pending' || (c.status === 'invoiced' && c.invoiceDueDate !== undefined && c.invoiceDueDate < today),
  );
}

/** Parses a decimal amount ("12.34") into micro-units for order payments from the API edge. */
export function parseAmount(text: string): Result<Money> {
  const v = parseDecimal(text);
  return v === undefined || v < 0n ? failWith(billingError('PAY0008', `not a non-negative decimal: ${JSON.stringify(text)}`)) : ok(v);
}

