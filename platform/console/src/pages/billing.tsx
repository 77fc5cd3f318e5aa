import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { BarChart } from '../chart.js';
import { ErrorText, Loading, OutcomeText, Section, useAction, useConsole, useLoad } from '../ui.js';

interface Breakdown {
  yearMonth: string;
  currency: string;
  costBreakdownList: { billItemCategory?: string; billItemName?: string; simId?: string; amount: number }[];
}
interface MonthlyBill {
  yearMonth: string;
  amount: number;
  currency: string;
  state: string;
  paymentStatus?: string;
}
interface PaymentMethod {
  providerType: string;
  properties: string;
  errorCode?: string;
  errorMessage?: string;
}
interface Charge {
  chargeId: string;
  kind: string;
  yearMonth?: string;
  amount: number;
  currency: string;
  status: string;
  attempts: number;
  errorCode?: string;
  nextRetryTime?: number;
  invoiceDueDate?: string;
  paidTime?: number;
}

/** Root only (the menu hides it from SAM users and the API refuses them payment: AUM0006). */
export function BillingPage() {
  const { api } = useConsole();
  const items = useLoad(() => api.get<Breakdown[]>('/v1/bills/summaries/bill_items'), []);
  const history = useLoad(() => api.get<{ billList: MonthlyBill[] }>('/v1/bills'), []);
  const months = [...new Set([...(items.data ?? []).map((b) => b.yearMonth), ...(history.data?.billList ?? []).map((b) => b.yearMonth)])].sort().reverse();
  const [month, setMonth] = useState<string | null>(null);
  useEffect(() => {
    if (!month && months[0]) setMonth(months[0]);
  }, [months.join()]);

  return (
    <>
      <h1>Billing and payment</h1>
      <ErrorText error={items.error ?? history.error} />
      {!items.data && items.loading ? <Loading what="bills" /> : null}
      <div class="toolbar card" role="group" aria-label="Billing month">
        <label for="bill-month">Month</label>
        <select id="bill-month" value={month ?? ''} onChange={(e) => setMonth((e.currentTarget as HTMLSelectElement).value)}>
          {months.map((m) => (
            <option key={m} value={m}>
              {m.slice(0, 4)}-{m.slice(4)}
              {history.data?.billList.some((b) => b.yearMonth === m) ? '' : ' (open)'}
            </option>
          ))}
        </select>
      </div>
      {month ? (
        <Statement month={month} items={items.data?.find((b) => b.yearMonth === month) ?? null} closed={history.data?.billList.find((b) => b.yearMonth === month) ?? null} />
      ) : null}
      <Section title="Past statements">
        {history.data?.billList.length === 0 ? <p>No closed month yet.</p> : null}
        {history.data?.billList.length ? (
          <table class="grid" aria-label="Past statements">
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Amount</th>
                <th scope="col">State</th>
                <th scope="col">Payment</th>
              </tr>
            </thead>
            <tbody>
              {history.data.billList.map((b) => (
                <tr key={b.yearMonth}>
                  <td>
                    <button type="button" class="link" onClick={() => setMonth(b.yearMonth)}>
                      {b.yearMonth}
                    </button>
                  </td>
                  <td>
                    {b.amount} {b.currency}
                  </td>
                  <td>{b.state}</td>
                  <td>{b.paymentStatus ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Payment onPaid={history.reload} />
    </>
  );
}

/**
 * One month. Its total comes from what the page already has (the closed month's bill in the
 * history, or the sum of the open month's items) instead of one more statement computation.
 */
function Statement({ month, items, closed }: { month: string; items: Breakdown | null; closed: MonthlyBill | null }) {
  const { api } = useConsole();
  const known = closed ?? (items ? { yearMonth: month, amount: sum(items.costBreakdownList.map((c) => c.amount)), currency: items.currency, state: 'open' } : null);
  const bill = useLoad(() => (known ? Promise.resolve(known) : api.get<MonthlyBill>(`/v1/bills/${month}`)), [month, known === null]);
  const daily = useLoad(() => api.get<{ billList: { date: string; amount: number; currency: string }[] }>(`/v1/bills/${month}/daily`), [month]);
  const sims = useLoad(() => api.get<Breakdown[]>('/v1/bills/summaries/sims'), []);
  const perSim = sims.data?.find((b) => b.yearMonth === month);
  const days = [...(daily.data?.billList ?? [])].reverse();
  const bars = everyDay(month, days.map((d) => ({ label: d.date, value: d.amount })));
  return (
    <Section title={`Statement ${month.slice(0, 4)}-${month.slice(4)}`} id="statement">
      <ErrorText error={bill.error} />
      {bill.data ? (
        <p class="total">
          Total <strong>{bill.data.amount}</strong> {bill.data.currency} · {bill.data.state === 'closed' ? 'closed' : 'open month, so far'}
          {bill.data.paymentStatus ? ` · payment ${bill.data.paymentStatus}` : ''}
        </p>
      ) : null}
      <h3>Daily charges</h3>
      <ErrorText error={daily.error} />
      {days.length ? <BarChart bars={bars} label={`Daily charges ${month}`} unit={days[0]!.currency} /> : <p>No daily charge in this month.</p>}
      <div class="columns">
        <div>
          <h3>Per fee</h3>
          {items?.costBreakdownList.length ? (
            <table class="grid" aria-label="Charges per fee">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Category</th>
                  <th scope="col">Amount</th>
                </tr>
              </thead>
              <tbody>
                {items.costBreakdownList.map((c) => (
                  <tr key={c.billItemName}>
                    <td>{c.billItemName}</td>
                    <td>{c.billItemCategory}</td>
                    <td>
                      {c.amount} {items.currency}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No item (the API summarises the open month and the three before it).</p>
          )}
        </div>
        <div>
          <h3>Per SIM</h3>
          {perSim?.costBreakdownList.length ? (
            <table class="grid" aria-label="Charges per SIM">
              <thead>
                <tr>
                  <th scope="col">SIM</th>
                  <th scope="col">Amount</th>
                </tr>
              </thead>
              <tbody>
                {perSim.costBreakdownList.map((c) => (
                  <tr key={c.simId}>
                    <td>{c.simId}</td>
                    <td>
                      {c.amount} {perSim.currency}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No SIM charge.</p>
          )}
        </div>
      </div>
      {days.length ? (
        <details>
          <summary>Daily charges as a table</summary>
          <table class="grid" aria-label="Daily charges">
            <tbody>
              {days.map((d) => (
                <tr key={d.date}>
                  <td>{d.date}</td>
                  <td>
                    {d.amount} {d.currency}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </Section>
  );
}

/** Adds decimal amounts as the API gives them, without float dust (0.1 + 0.2). */
function sum(amounts: number[]): number {
  const scale = 1_000_000;
  return Math.round(amounts.reduce((s, a) => s + Math.round(a * scale), 0)) / scale;
}

/**
 * One bar per day of the month up to the last charged day (days without charges are zero), so the
 * bars line up with the calendar. The API's dates are `yyyyMMdd`.
 */
function everyDay(month: string, charged: { label: string; value: number }[]): { label: string; value: number }[] {
  const byDay = new Map(charged.map((c) => [c.label, c.value]));
  const last = Number(charged.map((c) => c.label.slice(-2)).sort().at(-1) ?? 0);
  const daysInMonth = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)), 0)).getUTCDate();
  return Array.from({ length: Math.max(Math.min(last, daysInMonth), Math.min(daysInMonth, 7)) }, (_, i) => {
    const label = `${month}${String(i + 1).padStart(2, '0')}`;
    return { label, value: byDay.get(label) ?? 0 };
  });
}

function Payment({ onPaid }: { onPaid: () => void }) {
  const { api } = useConsole();
  const method = useLoad(() => api.get<PaymentMethod>('/v1/payment_methods/current'), []);
  const charges = useLoad(() => api.get<Charge[]>('/_cellgate/payment_charges'), []);
  const action = useAction();
  const props = method.data ? (JSON.parse(method.data.properties || '{}') as Record<string, unknown>) : {};
  const outstanding = (charges.data ?? []).filter((c) => c.status === 'failed' || c.status === 'pending' || c.status === 'invoiced');
  return (
    <Section title="Payment">
      <OutcomeText outcome={action.outcome} />
      <ErrorText error={method.error} />
      {method.data ? (
        <dl class="facts">
          <dt>Method</dt>
          <dd>
            {method.data.providerType === 'WebPay' ? `Card ${String(props.brand ?? '')} ending ${String(props.last4 ?? '')}, expires ${String(props.expireMonth)}/${String(props.expireYear)}` : method.data.providerType}
          </dd>
          <dt>Status</dt>
          <dd>{method.data.errorCode ? `${method.data.errorMessage ?? 'error'} (${method.data.errorCode})` : 'OK'}</dd>
          <dt>Outstanding charges</dt>
          <dd>{outstanding.length}</dd>
        </dl>
      ) : null}
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          void action.run('Payment retried', () => api.post('/v1/payment_methods/current/activate')).then(() => {
            method.reload();
            charges.reload();
            onPaid(); // the statements' payment status
          })
        }
      >
        Retry payment
      </button>
      {charges.data?.length ? (
        <table class="grid" aria-label="Charges">
          <thead>
            <tr>
              <th scope="col">Charge</th>
              <th scope="col">For</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next retry / due</th>
            </tr>
          </thead>
          <tbody>
            {charges.data.map((c) => (
              <tr key={c.chargeId}>
                <td>{c.chargeId}</td>
                <td>{c.yearMonth ?? c.kind}</td>
                <td>
                  {c.amount} {c.currency}
                </td>
                <td>
                  {c.status}
                  {c.errorCode ? ` (${c.errorCode})` : ''}
                </td>
                <td>{c.attempts}</td>
                <td>{c.nextRetryTime ? formatTime(c.nextRetryTime) : (c.invoiceDueDate ?? (c.paidTime ? `paid ${formatTime(c.paidTime)}` : '—'))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No charge yet.</p>
      )}
    </Section>
  );
}
