/**
 * Reuse of a month's statement computed from the streams (the open month, before it is persisted
 * at its close), so the several Billing API reads of one page — the per-fee and per-SIM summaries,
 * the daily charges, the total — rate an account of 10,000 SIMs once, not once per read.
 *
 * [choice] A computed statement is reused while, for the same operator, coverage type and month:
 * - nothing was appended to the streams it is rated from (`status-history`, `usage`, `fees`: their
 *   last sequence numbers are unchanged, whichever process appended);
 * - the platform's clock is still in the same local day (daily fees accrue by the day), on the
 *   same side of the month's close, and at most `STATEMENT_REUSE_MS` past the evaluation.
 * What it shows is then the statement as of its `evaluatedAt`, which the API reports as it is
 * (`lastEvaluatedTime`, the summaries' `updatedTime`: "when calculated", as on the real platform,
 * whose open-month figures are evaluated periodically). Within those bounds only an instant that
 * is neither a record nor a day boundary (an annual renewal's anniversary, the end of a plan's free
 * months) can be seen up to that long after it passed. A store that hands out sequence numbers
 * before commit (PostgreSQL) may commit an older number late: the same bound applies to it.
 */
import { dayIndex, type CoverageType, type MonthlyStatement } from '../domain/billing/index.js';
import type { StoreTx } from '../store/port.js';
import { STREAMS, type AppContext } from './context.js';

/** How long (platform time) a computed statement may be shown after its evaluation. */
export const STATEMENT_REUSE_MS = 10_000;
/** Statements kept per platform: a 10,000-SIM month is tens of megabytes of items. */
const MAX_KEPT = 16;

interface Kept {
  statement: MonthlyStatement;
  /** The last sequence numbers of the rated streams when it was computed. */
  positions: string;
}

const keptByCtx = new WeakMap<AppContext, Map<string, Kept>>();

/** The streams a statement is rated from (platform/app/billing.ts). */
const RATED_STREAMS = [STREAMS.statusHistory, STREAMS.usage, STREAMS.fees] as const;

async function positionsOf(tx: StoreTx): Promise<string> {
  const seqs: number[] = [];
  for (const stream of RATED_STREAMS) seqs.push((await tx.readStream(stream, { descending: true, limit: 1 }))[0]?.seq ?? 0);
  return seqs.join('.');
}

/** May a statement evaluated at `st.evaluatedAt` stand for one evaluated at `asOf`? */
export function stillCurrent(st: MonthlyStatement, asOf: number): boolean {
  const at = st.evaluatedAt;
  const c = st.coverageType;
  return (
    asOf >= at &&
    asOf - at <= STATEMENT_REUSE_MS &&
    // Both the day of the instant and of the instant before it: an open interval covers the days up
    // to `asOf - 1`, and items count from the start of their day.
    dayIndex(asOf, c) === dayIndex(at, c) &&
    dayIndex(asOf - 1, c) === dayIndex(at - 1, c) &&
    asOf >= st.closesAt === at >= st.closesAt
  );
}

/**
 * The statement of `operatorId`, `coverage`, `yearMonth` as of `asOf`: a kept one while it is
 * still current (see above), else `compute()`'s, kept for the next reads.
 */
export async function keptStatement(
  ctx: AppContext,
  tx: StoreTx,
  key: { operatorId: string; coverage: CoverageType; yearMonth: string },
  asOf: number,
  compute: () => Promise<MonthlyStatement>,
): Promise<MonthlyStatement> {
  let kept = keptByCtx.get(ctx);
  if (!kept) keptByCtx.set(ctx, (kept = new Map()));
  const id = `${key.operatorId}:${key.coverage}:${key.yearMonth}`;
  const positions = await positionsOf(tx);
  const hit = kept.get(id);
  if (hit && hit.positions === positions && stillCurrent(hit.statement, asOf)) return hit.statement;
  const statement = await compute();
  kept.delete(id);
  kept.set(id, { statement, positions });
  for (const [oldest] of kept) {
    if (kept.size <= MAX_KEPT) break;
    kept.delete(oldest);
  }
  return statement;
}
