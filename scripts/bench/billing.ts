/**
 * Billing benchmark: rates one million subscriber-days (10,000 plan01s / plan-D subscribers ×
 * 100 days, with status changes and daily usage) and compares against a baseline measured in
 * the same run: a plain loop adding the same number of fixed bigint fees.
 *
 * Run: `npm run build && node dist/scripts/bench/billing.js`.
 */
import { performance } from 'node:perf_hooks';
import { mm, printMachine, REPEATS, spread } from './_repeat.js';
import { defaultFeeSchedule } from '../../platform/domain/billing/default-fee-schedules.js';
import type { StatusInterval, SubscriberHistory } from '../../platform/domain/billing/history.js';
import { rateSubscriber, type UsageRecord } from '../../platform/domain/billing/rating.js';
import type { CoverageType } from '../../platform/domain/billing/calendar.js';

const SUBSCRIBERS = 10_000;
const DAYS = 100;
const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1);

function subscriber(n: number): { history: SubscriberHistory; usage: UsageRecord[] } {
  const coverage: CoverageType = n % 2 === 0 ? 'g' : 'jp';
  const plan = coverage === 'g' ? 'plan01s' : 'plan-D';
  const imsi = `00101${String(n).padStart(10, '0')}`;
  const cut1 = start + (10 + (n % 20)) * DAY + 3_600_000;
  const cut2 = cut1 + 40 * DAY;
  const intervals: StatusInterval[] = [
    { from: start, to: cut1, status: 'ready', plan, operatorId: 'OP0000000001' },
    { from: cut1, to: cut2, status: 'active', plan, operatorId: 'OP0000000001', speedClass: 's1.standard' },
    { from: cut2, to: null, status: n % 3 === 0 ? 'suspended' : 'inactive', plan, operatorId: 'OP0000000001' },
  ];
  const usage: UsageRecord[] = [];
  for (let d = 0; d < 40; d++) usage.push({ imsi, time: cut1 + d * DAY + 60_000, uploadBytes: 1_000 + n, downloadBytes: 50_000 + d });
  return { history: { imsi, coverageType: coverage, intervals }, usage };
}

const subs = Array.from({ length: SUBSCRIBERS }, (_, n) => subscriber(n));
const window = { from: start, to: start + DAYS * DAY, asOf: start + DAYS * DAY };
const schedules = { g: defaultFeeSchedule('g'), jp: defaultFeeSchedule('jp') };

function rateAll(): { items: number; total: bigint } {
  let items = 0;
  let total = 0n;
  for (const s of subs) {
    const r = rateSubscriber(schedules[s.history.coverageType], s.history, s.usage, window);
    if (!r.ok) throw new Error(r.error.message);
    items += r.value.length;
    for (const i of r.value) total += i.amount;
  }
  return { items, total };
}

function baseline(): bigint {
  const fee = 60_000n;
  let total = 0n;
  for (let i = 0; i < SUBSCRIBERS * DAYS; i++) total += fee;
  return total;
}

rateAll(); // warm-up
baseline();
printMachine('start');
const baseTimes: number[] = [];
const rateTimes: number[] = [];
let baseTotal = 0n;
let result = rateAll();
for (let i = 0; i < REPEATS; i++) {
  const b0 = performance.now();
  baseTotal = baseline();
  baseTimes.push(performance.now() - b0);
  const r0 = performance.now();
  result = rateAll();
  rateTimes.push(performance.now() - r0);
}
const rate = spread(rateTimes);
const base = spread(baseTimes);
const rateMs = rate.median;
const baseMs = base.median;

const subscriberDays = SUBSCRIBERS * DAYS;
console.log(`subscriber-days rated: ${subscriberDays.toLocaleString('en')} (${result.items.toLocaleString('en')} line items)`);
console.log(`rating:   ${mm(rate, ' ms', 0)} over ${REPEATS} runs (median ${Math.round(subscriberDays / (rateMs / 1000)).toLocaleString('en')} subscriber-days/s)`);
console.log(`baseline: ${mm(base, ' ms', 1)}  (bigint loop adding ${subscriberDays.toLocaleString('en')} fixed fees, total ${baseTotal})`);
console.log(`ratio rating/baseline (medians): ${(rateMs / baseMs).toFixed(1)}x`);
printMachine('end');
