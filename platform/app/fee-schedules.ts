/**
 * Which fee schedule the platform rates with, per coverage type: `<dir>/<coverage>.json` when a
 * fee schedule directory is configured (`PlatformConfig.feeScheduleDir`, the CLI's
 * `--fee-schedule-dir`, env `CELLGATE_FEE_SCHEDULE_DIR`), else the shipped `platform/fees/`.
 * A configured directory must hold a valid file for every coverage type: the platform refuses to
 * start otherwise, naming every problem (BIL0001), rather than bill with a wrong price.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COVERAGE_TYPES, defaultFeeSchedule, parseFeeScheduleText, type CoverageType, type FeeSchedule } from '../domain/billing/index.js';

export type FeeSchedules = Readonly<Record<CoverageType, FeeSchedule>>;

/** Thrown at start-up when a configured fee schedule is missing or invalid. */
export class FeeScheduleLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeeScheduleLoadError';
  }
}

/** Loads (and validates) the schedules; `dir` undefined → the shipped defaults. */
export function loadFeeSchedules(dir?: string): FeeSchedules {
  const out = {} as Record<CoverageType, FeeSchedule>;
  for (const coverage of COVERAGE_TYPES) {
    if (!dir) {
      out[coverage] = defaultFeeSchedule(coverage);
      continue;
    }
    const path = join(dir, `${coverage}.json`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new FeeScheduleLoadError(`cannot read fee schedule ${path}: ${(error as Error).message}`);
    }
    const parsed = parseFeeScheduleText(text, path);
    if (!parsed.ok) throw new FeeScheduleLoadError(parsed.error.message);
    if (parsed.value.coverageType !== coverage) throw new FeeScheduleLoadError(`${path}: coverageType is ${parsed.value.coverageType}, expected ${coverage}`);
    out[coverage] = parsed.value;
  }
  return out;
}
