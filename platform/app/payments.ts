/**
 * Payment use cases (SPEC §1.7, seed 004): one persisted payment account per operator ×
 * coverage type, driven by the pure transitions of `domain/billing/payment-account.ts`.
 *
 * - Store: document kind `payment-account`, id `<operatorId>:<coverage>`, partition = operator
 *   id; money (bigint) is kept exactly (`bigint-json.ts`).
 * - After every change the operator's `coverage[cov].paymentMethod` is kept in step
 *   (`CoveragePaymentMethod`), and the account's automatic retry is scheduled as the persisted
 *   job `payment-retry:<operatorId>:<coverage>` at the earliest `nextRetryAt` (24 h after the
 *   last failed attempt), so a retry survives a restart.
 * - [choice] The sandbox's placeholder payment method (`sandbox/init` with
 *   `registerPaymentMethod`) becomes, on the account's first use, a registered test card
 *   Visa 4242 4242 4242 4242 (exp 12/2099) verified at the operator's creation: charges succeed,
 *   and registering another card replaces it like any card.
 * Root-only access is enforced by the HTTP layer.
 */
import {
  emulatedCardProcessor,
  enableBankTransfer as enableBankTransferRule,
  isCardExpired,
  markInvoicePaid,
  nextRetryDueAt,
  openMonthlyCharge,
  outstandingCharges,
  payOrder,
  paymentMethodView,
  paymentStatementsView,
  paymentTransactionView,
  registerCreditCard as registerCreditCardRule,
  retryOutstandingCharges,
  runDueRetries,
  createPaymentAccount,
  toApiNumber,
  type CardInput,
  type CardProcessor,
  type Charge,
  type Money,
  type PaymentAccount,
  type PaymentMethodView,
  type PaymentOutcome,
  type PaymentEffect,
} from '../domain/billing/index.js';
import { PlatformError, domainError, unwrap, type Result } from '../domain/errors.js';
import type { CoverageType } from '../domain/ids.js';
import type { Operator } from '../domain/operator.js';
import type { StoreTx } from '../store/port.js';
import { ACCOUNT_KINDS } from './accounts.js';
import { decodeBigInts, encodeBigInts } from './bigint-json.js';
import { useCase, type AppContext } from './context.js';
import type { JobReport } from './scheduler.js';
import { scriptedCardProcessor } from './sandbox-knobs.js';

/** Store document kinds of the payment part. */
export const PAYMENT_KINDS = { account: 'payment-account' } as const;

/** Scheduler job names of the payment part. */
export const PAYMENT_JOBS = { retry: 'payment-retry' } as const;

/** The test card the sandbox placeholder stands for [choice]. */
export const SANDBOX_CARD: CardInput = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '000', holderName: 'SANDBOX' };

const processors = new WeakMap<AppContext, CardProcessor>();
const defaultProcessor = emulatedCardProcessor();

/** Replaces the card processor of a platform (tests emulate an issuer lifting a block). */
export function useCardProcessor(ctx: AppContext, processor: CardProcessor): void {
  processors.set(ctx, processor);
}

const processorOf = (ctx: AppContext): CardProcessor => processors.get(ctx) ?? defaultProcessor;

/**
 * What the operator record shows in `coverage[cov].paymentMethod` once payment touched the
 * account (replacing the sandbox's `{providerType: 'sandbox'}` placeholder).
 */
export interface CoveragePaymentMethod {
  providerType: 'creditCard' | 'bankTransfer' | 'trial' | 'sandbox';
  /** False when the method is unusable: its last card operation failed, or the card expired. */
  valid: boolean;
  properties: Record<string, unknown>;
}

export const paymentAccountId = (operatorId: string, coverage: CoverageType): string => `${operatorId}:${coverage}`;

/** The stored payment account, or null when payment never touched this operator × coverage. */
export async function loadPaymentAccount(tx: StoreTx, operatorId: string, coverage: CoverageType): Promise<PaymentAccount | null> {
  const doc = await tx.get<unknown>(PAYMENT_KINDS.account, paymentAccountId(operatorId, coverage));
  return doc ? decodeBigInts<PaymentAccount>(doc) : null;
}

/** The account as it is or would be on first use (the sandbox placeholder turned into its card). */
async function effectiveAccount(tx: StoreTx, operatorId: string, coverage: CoverageType, processor: CardProcessor = defaultProcessor): Promise<PaymentAccount> {
  const stored = await loadPaymentAccount(tx, operatorId, coverage);
  if (stored) return stored;
  const fresh = createPaymentAccount(operatorId, coverage);
  const op = await tx.get<Operator>(ACCOUNT_KINDS.operator, operatorId);
  const placeholder = op?.coverage[coverage]?.paymentMethod as Partial<CoveragePaymentMethod> | null | undefined;
  if (op && placeholder?.providerType === 'sandbox') {
    const r = registerCreditCardRule(fresh, SANDBOX_CARD, op.createDate, processor);
    if (r.ok) return r.value.account;
  }
  return fresh;
}

function coverageView(account: PaymentAccount, now: number): CoveragePaymentMethod | null {
  const m = account.method;
  if (!m) return null;
  if (m.type === 'creditCard') {
    const { brand, last4, expMonth, expYear } = m.card;
    return { providerType: 'creditCard', valid: m.errorCode === undefined && !isCardExpired(m.card, now), properties: { brand, last4, expMonth, expYear } };
  }
  if (m.type === 'bankTransfer') return { providerType: 'bankTransfer', valid: true, properties: { invoiceDueDays: m.invoiceDueDays } };
  return { providerType: 'trial', valid: false, properties: {} };
}

/**
 * Persists an account after a transition: the document, the operator's
 * `coverage[cov].paymentMethod`, and the automatic retry job.
 */
async function saveAccount(ctx: AppContext, tx: StoreTx, outcome: PaymentOutcome): Promise<PaymentAccount> {
  const { account } = outcome;
  const now = ctx.clock.now();
  await tx.put(PAYMENT_KINDS.account, paymentAccountId(account.operatorId, account.coverageType), encodeBigInts(account), account.operatorId);
  const op = await tx.get<Operator>(ACCOUNT_KINDS.operator, account.operatorId);
  if (op?.coverage[account.coverageType]) {
    op.coverage[account.coverageType].paymentMethod = coverageView(account, now);
    await tx.put(ACCOUNT_KINDS.operator, op.operatorId, op, op.operatorId);
  }
  const jobKey = `${PAYMENT_JOBS.retry}:${account.operatorId}:${account.coverageType}`;
  const due = nextRetryDueAt(account);
  if (due !== null) await ctx.scheduler.at(due, jobKey, PAYMENT_JOBS.retry, { operatorId: account.operatorId, coverageType: account.coverageType, due }, tx);
  else await ctx.scheduler.cancel(jobKey, tx);
  for (const e of outcome.effects) {
    // Effects name charges and codes only: never a card number.
    ctx.logger.info({ operatorId: account.operatorId, coverageType: account.coverageType, ...e, amount: 'amount' in e ? String(e.amount) : undefined }, `payment ${e.type}`);
  }
  return account;
}

/** Loads, applies a transition, saves: one payment use case. */
async function transition(
  ctx: AppContext,
  operatorId: string,
  coverage: CoverageType,
  step: (account: PaymentAccount, now: number, processor: CardProcessor) => Result<PaymentOutcome> | PaymentOutcome,
): Promise<PaymentAccount> {
  return useCase(ctx, async (tx) => transitionIn(ctx, tx, operatorId, coverage, step));
}

async function transitionIn(
  ctx: AppContext,
  tx: StoreTx,
  operatorId: string,
  coverage: CoverageType,
  step: (account: PaymentAccount, now: number, processor: CardProcessor) => Result<PaymentOutcome> | PaymentOutcome,
): Promise<PaymentAccount> {
  const { processor, commit } = await scriptedCardProcessor(tx, operatorId, coverage, processorOf(ctx));
  const account = await effectiveAccount(tx, operatorId, coverage, processorOf(ctx));
  const r = step(account, ctx.clock.now(), processor);
  const outcome = 'ok' in r ? unwrap(r) : r;
  await commit();
  return saveAccount(ctx, tx, outcome);
}

// ---- Order payments (eSIM profile orders) ---------------------------------------------------

/** What became of an order's charge: paid, declined (never retried), or not a card payer. */
export type OrderPaymentResult =
  | { status: 'paid'; chargeId: string }
  | { status: 'failed'; chargeId: string; errorCode: string; message: string }
  | { status: 'not-card' };

/**
 * Charges an order once on the operator's card in the caller's transaction (domain `payOrder`,
 * an ORDER charge; seed 004: never retried automatically). An operator that does not pay by
 * card gets `not-card` and nothing is recorded: the caller bills the fees monthly instead.
 */
export async function payOrderIn(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, orderId: string, amount: Money): Promise<OrderPaymentResult> {
  const { processor, commit } = await scriptedCardProcessor(tx, operatorId, coverage, processorOf(ctx));
  const account = await effectiveAccount(tx, operatorId, coverage, processorOf(ctx));
  if (account.method?.type !== 'creditCard') return { status: 'not-card' };
  const paid = unwrap(payOrder(account, { orderId, amount }, ctx.clock.now(), processor));
  await commit();
  const saved = await saveAccount(ctx, tx, paid);
  const charge = saved.charges.find((c) => c.kind === 'order' && c.orderId === orderId)!;
  if (charge.status === 'paid') return { status: 'paid', chargeId: charge.chargeId };
  const tx0 = saved.transactions.find((t) => t.paymentTransactionId === charge.paymentTransactionId);
  return { status: 'failed', chargeId: charge.chargeId, errorCode: charge.lastErrorCode ?? 'unknown', message: tx0?.message ?? 'The payment failed.' };
}

// ---- Queries the transfer rules call -------------------------------------------------------

/**
 * True when the operator owes money for this coverage at `now`: a failed charge, a charge
 * waiting for a payment method, or an invoice past its due date (domain `outstandingCharges`).
 * The support-assisted transfer review (SPEC §1.4) calls it. Async because the store is.
 */
export async function hasOutstandingCharges(tx: StoreTx, operatorId: string, coverageType: CoverageType, now: number): Promise<boolean> {
  const account = await loadPaymentAccount(tx, operatorId, coverageType);
  return account !== null && outstandingCharges(account, now).length > 0;
}

/**
 * True when the operator has a usable payment method for this coverage: a card whose last
 * operation did not fail and (given `now`) is not expired, bank transfer, or the sandbox
 * placeholder (a test card that succeeds). [choice] A trial is not valid: it collects nothing.
 * Ready-transfer verify calls it.
 */
export async function hasValidPaymentMethod(tx: StoreTx, operatorId: string, coverageType: CoverageType, now?: number): Promise<boolean> {
  const account = await effectiveAccount(tx, operatorId, coverageType);
  const m = account.method;
  if (!m) return false;
  if (m.type === 'bankTransfer') return true;
  if (m.type === 'trial') return false;
  return m.errorCode === undefined && (now === undefined || !isCardExpired(m.card, now));
}

// ---- Use cases ------------------------------------------------------------------------------

/** getPaymentMethod; PAY0001 (404) when none. */
export async function getPaymentMethod(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<PaymentMethodView> {
  const view = await ctx.store.transaction(async (tx) => paymentMethodView(await effectiveAccount(tx, operatorId, coverage)));
  if (!view) throw new PlatformError(domainError('PAY0001'));
  return view;
}

/** Registers a card (verification hold), then attempts every outstanding monthly charge. */
export async function registerCreditCard(ctx: AppContext, operatorId: string, coverage: CoverageType, input: CardInput): Promise<PaymentMethodView> {
  const account = await transition(ctx, operatorId, coverage, (a, now, p) => registerCreditCardRule(a, input, now, p));
  return paymentMethodView(account)!;
}

/** Switches to bank transfer (SPEC §1.7 "enabled on request"); unpaid monthly charges are invoiced. */
export async function enableBankTransfer(ctx: AppContext, operatorId: string, coverage: CoverageType, invoiceDueDays?: number): Promise<PaymentMethodView> {
  const account = await transition(ctx, operatorId, coverage, (a, now) => enableBankTransferRule(a, now, invoiceDueDays));
  return paymentMethodView(account)!;
}

/** activatePaymentMethod: manual retry of every outstanding monthly charge on the card. */
export async function activatePaymentMethod(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<void> {
  await transition(ctx, operatorId, coverage, (a, now, p) => retryOutstandingCharges(a, now, p));
}

/** Records a bank transfer received for an invoice (what support does on the real platform). */
export async function recordBankTransferReceived(ctx: AppContext, operatorId: string, coverage: CoverageType, chargeId: string): Promise<void> {
  await transition(ctx, operatorId, coverage, (a, now) => markInvoicePaid(a, chargeId, now));
}

/** Opens the monthly charge of `yearMonth` inside the month-close transaction. */
export async function openMonthlyChargeIn(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, yearMonth: string, amount: Money): Promise<void> {
  if (amount === 0n) return;
  await transitionIn(ctx, tx, operatorId, coverage, (a, now, p) => openMonthlyCharge(a, { yearMonth, amount }, now, p));
}

/** The retry job: attempts the account's due failed charges and schedules the next retry. */
export async function runPaymentRetries(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<JobReport> {
  let effects: readonly PaymentEffect[] = [];
  await useCase(ctx, async (tx) => {
    if (!(await loadPaymentAccount(tx, operatorId, coverage))) return;
    await transitionIn(ctx, tx, operatorId, coverage, (a, now, p) => {
      const outcome = runDueRetries(a, now, p);
      effects = outcome.effects;
      return outcome;
    });
  });
  const results = effects.flatMap((e) => (e.type === 'chargeSucceeded' ? [`${e.chargeId} paid`] : e.type === 'chargeFailed' ? [`${e.chargeId} failed (${e.errorCode})`] : []));
  return { summary: `payment retry ${operatorId} ${coverage}: ${results.join(', ') || 'nothing due'}`, operatorIds: [operatorId] };
}

/** listPaymentStatements (newest first). */
export async function listPaymentStatements(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<ReturnType<typeof paymentStatementsView>> {
  return ctx.store.transaction(async (tx) => paymentStatementsView(await effectiveAccount(tx, operatorId, coverage)));
}

/** One payment statement as CSV (exportPaymentStatement); PAY0010 when unknown. */
export async function exportPaymentStatement(ctx: AppContext, operatorId: string, coverage: CoverageType, paymentStatementId: string): Promise<string> {
  const account = await ctx.store.transaction((tx) => effectiveAccount(tx, operatorId, coverage));
  const s = account.statements.find((x) => x.paymentStatementId === paymentStatementId);
  if (!s) throw new PlatformError(domainError('PAY0010', `(${paymentStatementId})`));
  const cell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const header = ['paymentStatementId', 'paymentDateTime', 'paymentMethod', 'paymentInstrument', 'description', 'chargedYearMonths', 'orderId', 'amount', 'currency'];
  const row = [s.paymentStatementId, new Date(s.paymentDateTime).toISOString(), s.paymentMethod, s.paymentInstrument, s.paymentStatementInfo, (s.chargedYearMonths ?? []).join(' '), s.orderId ?? '', String(toApiNumber(s.amount)), s.currency];
  return `\uFEFF${header.join(',')}\r\n${row.map(cell).join(',')}\r\n`;
}

/** getPaymentTransaction; PAY0009 when unknown. */
export async function getPaymentTransaction(ctx: AppContext, operatorId: string, coverage: CoverageType, paymentTransactionId: string): Promise<NonNullable<ReturnType<typeof paymentTransactionView>>> {
  const view = await ctx.store.transaction(async (tx) => paymentTransactionView(await effectiveAccount(tx, operatorId, coverage), paymentTransactionId));
  if (!view) throw new PlatformError(domainError('PAY0009', `(${paymentTransactionId})`));
  return view;
}

/** Every payment transaction (verification holds and charge attempts), newest first. */
export async function listPaymentTransactions(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<Record<string, unknown>[]> {
  const account = await ctx.store.transaction((tx) => effectiveAccount(tx, operatorId, coverage));
  // The account records transactions in order; newest first is that order reversed.
  return [...account.transactions]
    .reverse()
    .map((t) => ({
      paymentTransactionId: t.paymentTransactionId,
      ...(t.chargeId ? { chargeId: t.chargeId } : {}),
      purpose: t.purpose,
      time: t.at,
      status: t.status,
      messageCode: t.messageCode,
      message: t.message,
      amount: toApiNumber(t.amount),
      currency: t.currency,
    }));
}

/** Charges of the account (monthly and orders) with their state, newest first (invoices included). */
export async function listCharges(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<Record<string, unknown>[]> {
  const account = await ctx.store.transaction((tx) => effectiveAccount(tx, operatorId, coverage));
  return [...account.charges].reverse().map((c: Charge) => ({
    chargeId: c.chargeId,
    kind: c.kind,
    ...(c.yearMonth ? { yearMonth: c.yearMonth } : {}),
    ...(c.orderId ? { orderId: c.orderId } : {}),
    amount: toApiNumber(c.amount),
    currency: c.currency,
    status: c.status,
    attempts: c.attempts,
    createdTime: c.createdAt,
    ...(c.lastAttemptAt !== undefined ? { lastAttemptTime: c.lastAttemptAt } : {}),
    ...(c.lastErrorCode ? { errorCode: c.lastErrorCode } : {}),
    ...(c.nextRetryAt !== undefined ? { nextRetryTime: c.nextRetryAt } : {}),
    ...(c.invoiceDueDate ? { invoiceDueDate: c.invoiceDueDate } : {}),
    ...(c.paidAt !== undefined ? { paidTime: c.paidAt } : {}),
  }));
}
