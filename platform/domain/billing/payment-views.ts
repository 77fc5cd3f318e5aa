/**
 * The Payment API's views of a payment account (shapes of getPaymentMethod,
 * listPaymentStatements, getPaymentTransaction) and a bill's `paymentStatus`.
 */
import { compactUtcTimestamp } from './calendar.js';
import { toApiNumber, type Currency } from './money.js';
import type { PaymentAccount } from './payment-account.js';
import type { BillPaymentStatus } from './statements.js';

export interface PaymentMethodView {
  /** `WebPay` for a card (the real API's only value); [choice] `BankTransfer` / `Trial` otherwise. */
  providerType: string;
  /** JSON text of the method's details (the real API types it as a string); never the card number. */
  properties: string;
  updateDate: string;
  errorCode?: string;
  errorMessage?: string;
}

/** getPaymentMethod; null means 404 (no method). */
export function paymentMethodView(account: PaymentAccount): PaymentMethodView | null {
  const m = account.method;
  if (!m) return null;
  const updateDate = compactUtcTimestamp(m.updatedAt);
  if (m.type === 'creditCard') {
    const { brand, last4, expMonth, expYear, holderName } = m.card;
    return {
      providerType: 'WebPay',
      properties: JSON.stringify({ brand, last4, expireMonth: expMonth, expireYear: expYear, ...(holderName ? { name: holderName } : {}) }),
      updateDate,
      ...(m.errorCode ? { errorCode: m.errorCode, errorMessage: m.errorMessage ?? '' } : {}),
    };
  }
  if (m.type === 'bankTransfer') {
    return { providerType: 'BankTransfer', properties: JSON.stringify({ invoiceDueDays: m.invoiceDueDays }), updateDate };
  }
  return { providerType: 'Trial', properties: '{}', updateDate };
}

/** listPaymentStatements, newest first. */
export function paymentStatementsView(account: PaymentAccount): {
  paymentStatementsList: {
    paymentStatementId: string;
    amount: number;
    currency: Currency;
    chargedYearMonths?: string[];
    orderId?: string;
    paymentDateTime: number;
    paymentInstrument: string;
    paymentMethod: string;
    paymentStatementInfo: string;
  }[];
} {
  return {
    paymentStatementsList: [...account.statements]
      .sort((a, b) => b.paymentDateTime - a.paymentDateTime)
      .map((s) => ({
        paymentStatementId: s.paymentStatementId,
        amount: toApiNumber(s.amount),
        currency: s.currency,
        ...(s.chargedYearMonths ? { chargedYearMonths: [...s.chargedYearMonths] } : {}),
        ...(s.orderId ? { orderId: s.orderId } : {}),
        paymentDateTime: s.paymentDateTime,
        paymentInstrument: s.paymentInstrument,
        paymentMethod: s.paymentMethod,
        paymentStatementInfo: s.paymentStatementInfo,
      })),
  };
}

/** getPaymentTransaction; null means 404. */
export function paymentTransactionView(account: PaymentAccount, paymentTransactionId: string): {
  status: 'success' | 'error';
  messageCode: string;
  message: string;
  amount: { currency: Currency; totalAmount: number };
  description: { description: string };
} | null {
  const t = account.transactions.find((x) => x.paymentTransactionId === paymentTransactionId);
  if (!t) return null;
  return {
    status: t.status,
    messageCode: t.messageCode,
    message: t.message,
    amount: { currency: t.currency, totalAmount: toApiNumber(t.amount) },
    description: { description: t.purpose === 'verification' ? 'Card verification hold' : `Charge ${t.chargeId ?? ''}`.trim() },
  };
}

/** A monthly bill's `paymentStatus` and transaction, from its charge; undefined if none yet. */
export function billPaymentStatus(account: PaymentAccount, yearMonth: string): { paymentStatus: BillPaymentStatus; paymentTransactionId?: string } | undefined {
  const c = account.charges.find((x) => x.kind === 'monthly' && x.yearMonth === yearMonth);
  if (!c) return undefined;
  const paymentStatus: BillPaymentStatus = c.status === 'paid' ? 'paid' : c.status === 'failed' ? 'fail' : 'paying';
  return { paymentStatus, ...(c.paymentTransactionId ? { paymentTransactionId: c.paymentTransactionId } : {}) };
}
