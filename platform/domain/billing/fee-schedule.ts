/**
 * The fee schedule: every amount billing charges, per coverage type and plan, read from a data
 * file (`platform/fees/g.json`, `platform/fees/jp.json`, or a user's own file). SPEC §1.6: fees
 * are never hard-coded in rule code.
 *
 * File format (docs/billing.md "Fee schedule format"): amounts are decimal STRINGS in the
 * schedule's currency (JSON numbers are refused, so no binary float ever holds a price); each
 * entry says whether its amount is `published` (PLATFORM-API.md "Public fee facts") or a
 * `placeholder`.
 */
import { CURRENCIES, MONEY_SCALE_DIGITS, parseDecimal, type Currency } from './money.js';
import { allowedPlanFees, requiredPlanFees, type PlanFeeKind } from './plan-rules.js';
import type { Rate } from './rounding.js';
import { COVERAGE_TYPES, type CoverageType } from './calendar.js';
import { SPEED_CLASSES, SUBSCRIPTIONS, type SpeedClass, type Subscription } from './types.js';
import { billingError } from './errors.js';
import { failWith, ok, type Result } from '../errors.js';

/** Where an amount comes from. */
export type FeeSource = 'published' | 'placeholder';

/** One fee: its rate and where the amount comes from. */
export interface FeeEntry {
  readonly rate: Rate;
  readonly source: FeeSource;
  readonly note?: string;
}

/** The data fee: a per-`per`-bytes rate, optionally different per speed class. */
export interface DataFeeEntry extends FeeEntry {
  readonly bySpeedClass: Readonly<Partial<Record<SpeedClass, FeeEntry>>>;
}

/** plan-DU's monthly prepaid fee and the data quota it covers each month. */
export interface PrepaidFeeEntry extends FeeEntry {
  readonly quotaBytes: bigint;
}

export interface PlanFees {
  readonly dailyBasic?: FeeEntry;
  readonly reducedDaily?: FeeEntry;
  readonly monthlyBasic?: FeeEntry;
  readonly reducedMonthly?: FeeEntry;
  readonly monthlyPrepaid?: PrepaidFeeEntry;
  readonly data?: DataFeeEntry;
  readonly reactivation?: FeeEntry;
  readonly suspension?: FeeEntry;
  readonly annualRenewal?: FeeEntry;
  readonly esimProfileInitial?: FeeEntry;
}

/** Fees that belong to the account rather than a plan. */
export interface AccountFees {
  /** Support-assisted transfer fee, per SIM, charged to the source (SPEC §1.4). */
  readonly simTransfer: FeeEntry;
  /** Informational: termination is free (published). */
  readonly termination?: FeeEntry;
  /** Informational: a Ready-status transfer is free (published). */
  readonly readyTransfer?: FeeEntry;
}

/** A validated fee schedule for one coverage type. */
export interface FeeSchedule {
  readonly coverageType: CoverageType;
  readonly currency: Currency;
  readonly description?: string;
  readonly plans: Readonly<Partial<Record<Subscription, PlanFees>>>;
  readonly account: AccountFees;
}

const PLAN_FEE_KINDS: readonly PlanFeeKind[] = [
  'dailyBasic',
  'reducedDaily',
  'monthlyBasic',
  'reducedMonthly',
  'monthlyPrepaid',
  'data',
  'reactivation',
  'suspension',
  'annualRenewal',
  'esimProfileInitial',
];
const ACCOUNT_FEE_KINDS = ['simTransfer', 'termination', 'readyTransfer'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

class Issues {
  readonly list: string[] = [];
  add(path: string, problem: string): void {
    this.list.push(`${path}: ${problem}`);
  }
  unknownKeys(path: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.add(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

function parseEntry(raw: unknown, path: string, issues: Issues, opts: { perRequired?: boolean; extra?: string[] } = {}): FeeEntry | undefined {
  if (!isObject(raw)) {
    issues.add(path, `must be an object like {"amount": "0.06", "source": "placeholder"} (got ${show(raw)})`);
    return undefined;
  }
  issues.unknownKeys(path, raw, ['amount', 'per', 'source', 'note', ...(opts.extra ?? [])]);
  const before = issues.list.length;
  const amount = typeof raw.amount === 'string' ? parseDecimal(raw.amount) : undefined;
  if (amount === undefined) {
    issues.add(`${path}.amount`, `must be a decimal string with at most ${MONEY_SCALE_DIGITS} decimals, like "0.06" (got ${show(raw.amount)})`);
  } else if (amount < 0n) {
    issues.add(`${path}.amount`, `must not be negative (got ${show(raw.amount)})`);
  }
  let per = 1n;
  if (raw.per !== undefined || opts.perRequired) {
    if (typeof raw.per !== 'number' || !Number.isSafeInteger(raw.per) || !/^10*$/.test(String(raw.per))) {
      issues.add(`${path}.per`, `must be 1 or a power of ten (units the amount buys, e.g. 1000000 bytes) (got ${show(raw.per)})`);
    } else {
      per = BigInt(raw.per);
    }
  }
  if (raw.source !== 'published' && raw.source !== 'placeholder') {
    issues.add(`${path}.source`, `must be "published" or "placeholder" (got ${show(raw.source)})`);
  }
  if (raw.note !== undefined && typeof raw.note !== 'string') issues.add(`${path}.note`, 'must be a string');
  if (issues.list.length > before || amount === undefined) return undefined;
  return {
    rate: { amount, per },
    source: raw.source as FeeSource,
    ...(typeof raw.note === 'string' ? { note: raw.note } : {}),
  };
}

function parsePlan(plan: Subscription, raw: unknown, path: string, issues: Issues): PlanFees | undefined {
  if (!isObject(raw)) {
    issues.add(path, `must be an object of fees (got ${show(raw)})`);
    return undefined;
  }
  const allowed = allowedPlanFees(plan);
  issues.unknownKeys(path, raw, allowed);
  for (const kind of requiredPlanFees(plan)) {
    if (raw[kind] === undefined) issues.add(`${path}.${kind}`, `missing: ${plan} needs this fee`);
  }
  const fees: Record<string, unknown> = {};
  for (const kind of PLAN_FEE_KINDS) {
    if (!allowed.includes(kind) || raw[kind] === undefined) continue;
    const p = `${path}.${kind}`;
    if (kind === 'data') {
      const entry = parseEntry(raw[kind], p, issues, { perRequired: true, extra: ['bySpeedClass'] });
      const bySpeedRaw = isObject(raw[kind]) ? (raw[kind] as Record<string, unknown>).bySpeedClass : undefined;
      const bySpeedClass: Partial<Record<SpeedClass, FeeEntry>> = {};
      if (bySpeedRaw !== undefined) {
        if (!isObject(bySpeedRaw)) issues.add(`${p}.bySpeedClass`, 'must be an object keyed by speed class');
        else {
          issues.unknownKeys(`${p}.bySpeedClass`, bySpeedRaw, SPEED_CLASSES);
          for (const sc of SPEED_CLASSES) {
            if (bySpeedRaw[sc] === undefined) continue;
            const e = parseEntry(bySpeedRaw[sc], `${p}.bySpeedClass.${sc}`, issues, { perRequired: true });
            if (e) bySpeedClass[sc] = e;
          }
        }
      }
      if (entry) fees[kind] = { ...entry, bySpeedClass };
    } else if (kind === 'monthlyPrepaid') {
      const entry = parseEntry(raw[kind], p, issues, { extra: ['quotaBytes'] });
      const q = isObject(raw[kind]) ? (raw[kind] as Record<string, unknown>).quotaBytes : undefined;
      if (typeof q !== 'string' || !/^\d+$/.test(q)) {
        issues.add(`${p}.quotaBytes`, `must be a string of digits, the bytes the prepaid fee covers per month (got ${show(q)})`);
      } else if (entry) {
        fees[kind] = { ...entry, quotaBytes: BigInt(q) };
      }
    } else {
      const entry = parseEntry(raw[kind], p, issues);
      if (entry) fees[kind] = entry;
    }
  }
  return fees as PlanFees;
}

/**
 * Validates a parsed fee schedule (any JSON value). Reports every problem with its path, e.g.
 * `plans.plan-D.dailyBasic.amount: must be a decimal string ... (got 11)`.
 */
export function parseFeeSchedule(raw: unknown): Result<FeeSchedule> {
  const issues = new Issues();
  if (!isObject(raw)) {
    return failWith(billingError('BIL0001', 'the schedule must be a JSON object', { issues: [`(root): got ${show(raw)}`] }));
  }
  issues.unknownKeys('(root)', raw, ['$comment', 'coverageType', 'currency', 'description', 'plans', 'account']);
  if (!COVERAGE_TYPES.includes(raw.coverageType as CoverageType)) {
    issues.add('coverageType', `must be "g" or "jp" (got ${show(raw.coverageType)})`);
  }
  if (!CURRENCIES.includes(raw.currency as Currency)) {
    issues.add('currency', `must be one of ${CURRENCIES.join(', ')} (got ${show(raw.currency)})`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') issues.add('description', 'must be a string');
  const plans: Partial<Record<Subscription, PlanFees>> = {};
  if (!isObject(raw.plans) || Object.keys(raw.plans).length === 0) {
    issues.add('plans', `must be an object with at least one plan (got ${show(raw.plans)})`);
  } else {
    issues.unknownKeys('plans', raw.plans, SUBSCRIPTIONS);
    for (const plan of SUBSCRIPTIONS) {
      if (raw.plans[plan] === undefined) continue;
      const fees = parsePlan(plan, raw.plans[plan], `plans.${plan}`, issues);
      if (fees) plans[plan] = fees;
    }
  }
  const account: Record<string, FeeEntry> = {};
  if (!isObject(raw.account)) {
    issues.add('account', `must be an object with at least "simTransfer" (got ${show(raw.account)})`);
  } else {
    issues.unknownKeys('account', raw.account, ACCOUNT_FEE_KINDS);
    if (raw.account.simTransfer === undefined) issues.add('account.simTransfer', 'missing: the support-assisted transfer fee');
    for (const kind of ACCOUNT_FEE_KINDS) {
      if (raw.account[kind] === undefined) continue;
      const e = parseEntry(raw.account[kind], `account.${kind}`, issues);
      if (e) account[kind] = e;
    }
  }
  if (issues.list.length > 0) {
    return failWith(billingError('BIL0001', `${issues.list.length} problem(s): ${issues.list.join('; ')}`, { issues: issues.list }));
  }
  return ok({
    coverageType: raw.coverageType as CoverageType,
    currency: raw.currency as Currency,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    plans,
    account: account as unknown as AccountFees,
  });
}

/** Parses fee schedule file text (JSON); `sourceName` (a path) is named in every error. */
export function parseFeeScheduleText(text: string, sourceName: string): Result<FeeSchedule> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const issue = `${sourceName}: not valid JSON (${(e as Error).message})`;
    return failWith(billingError('BIL0001', issue, { issues: [issue] }));
  }
  const parsed = parseFeeSchedule(raw);
  if (parsed.ok) return parsed;
  const issues = (parsed.error.issues ?? []).map((i) => `${sourceName}: ${i}`);
  return failWith(billingError('BIL0001', `${sourceName}: ${issues.length} problem(s): ${issues.join('; ')}`, { issues }));
}

/** The data fee for a plan and speed class: the speed class's own rate, else the plan's. */
export function dataFeeFor(fees: PlanFees, speedClass: SpeedClass | undefined): FeeEntry | undefined {
  if (!fees.data) return undefined;
  return (speedClass && fees.data.bySpeedClass[speedClass]) || fees.data;
}
