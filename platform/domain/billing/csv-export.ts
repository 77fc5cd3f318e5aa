/**
 * The detailed billing CSV (exportBilling / exportLatestBilling): UTF-8 with a BOM, a header
 * row, one row per line item. Columns as the real CSV's amount columns: `imsi, date,
 * billItemName, unitPrice, quantity, amount`, followed by one column per tag name the caller
 * passes (the real CSV appends tag / group columns). [choice] CRLF line ends (RFC 4180).
 */
import { formatMoney, formatScaled, MONEY_SCALE_DIGITS } from './money.js';
import type { Rate } from './rounding.js';
import type { MonthlyStatement } from './statements.js';

export const BILLING_CSV_COLUMNS = ['imsi', 'date', 'billItemName', 'unitPrice', 'quantity', 'amount'] as const;

/** A unit price as an exact decimal per single unit (e.g. "0.0000005" USD per byte). */
export function formatUnitPrice(rate: Rate): string {
  const perDigits = rate.per.toString().length - 1; // `per` is validated to be a power of ten
  return formatScaled(rate.amount, MONEY_SCALE_DIGITS + perDigits);
}

const quote = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export interface BillingCsvOptions {
  /** Prefix a UTF-8 byte order mark, as the real export does (default true). */
  readonly bom?: boolean;
  /** Tags per IMSI; each distinct tag name becomes a column after the amount columns. */
  readonly tagsByImsi?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** Renders a statement's items as the detailed billing CSV. */
export function exportBillingCsv(st: MonthlyStatement, options: BillingCsvOptions = {}): string {
  const tagNames = new Set<string>();
  for (const tags of options.tagsByImsi?.values() ?? []) for (const name of Object.keys(tags)) tagNames.add(name);
  const tagColumns = [...tagNames].sort();
  const rows = [[...BILLING_CSV_COLUMNS, ...tagColumns]];
  for (const i of st.items) {
    const tags = options.tagsByImsi?.get(i.imsi) ?? {};
    rows.push([
      i.imsi,
      i.date,
      i.billItemName,
      formatUnitPrice(i.unitPrice),
      i.quantity.toString(),
      formatMoney(i.amount),
      ...tagColumns.map((t) => tags[t] ?? ''),
    ]);
  }
  const body = rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  return (options.bom ?? true ? '\uFEFF' : '') + body;
}
