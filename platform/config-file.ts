/**
 * `cellgate platform --config FILE` (env `CELLGATE_PLATFORM_CONFIG`): a YAML or JSON file with
 * the settings a tester sets once per platform. Flags and env override it (docs/platform.md).
 *
 * ```yaml
 * clock:
 *   mode: virtual                  # real (default) | virtual
 *   start: 2026-01-01T00:00:00Z    # a new data dir's virtual start
 * calendars:                       # per coverage type; omitted keys keep the defaults
 *   jp:
 *     timeZone: Asia/Tokyo
 *     holidays: [japan-public-holidays, "12-29..01-03", "2026-08-13..2026-08-15"]
 *   g:
 *     holidays: ["01-01", "12-25", "12-26"]
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { calendarSpecsFrom, type CalendarCoverage, type CalendarSpec } from './domain/transfer/calendar-config.js';

export interface PlatformFileConfig {
  clock?: { mode?: 'real' | 'virtual'; start?: string };
  calendars: Record<CalendarCoverage, CalendarSpec>;
}

/** Thrown for an unreadable or invalid config file; the message names the file and the key. */
export class PlatformConfigError extends Error {
  override name = 'PlatformConfigError';
}

export function readPlatformConfigFile(path: string | undefined): PlatformFileConfig {
  if (path === undefined) return { calendars: calendarSpecsFrom(undefined) };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    throw new PlatformConfigError(`cannot read config file ${path} (${reason})`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new PlatformConfigError(`config file ${path} must hold a mapping`);
  const { clock, calendars, ...unknown } = doc as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length) throw new PlatformConfigError(`config file ${path}: unknown key ${extra.join(', ')} (known: clock, calendars)`);
  const out: PlatformFileConfig = { calendars: calendarSpecsFrom(undefined) };
  try {
    out.calendars = calendarSpecsFrom(calendars);
  } catch (error) {
    throw new PlatformConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (clock !== undefined) {
    const c = clock as Record<string, unknown>;
    const start = c.start instanceof Date ? c.start.toISOString() : c.start;
    if (typeof clock !== 'object' || clock === null || (c.mode !== undefined && c.mode !== 'real' && c.mode !== 'virtual') || (start !== undefined && typeof start !== 'string') || Object.keys(c).some((k) => k !== 'mode' && k !== 'start')) {
      throw new PlatformConfigError(`config file ${path}: clock must be {mode: real|virtual, start: ISO date-time}`);
    }
    out.clock = { ...(c.mode !== undefined ? { mode: c.mode as 'real' | 'virtual' } : {}), ...(start !== undefined ? { start: start as string } : {}) };
  }
  return out;
}

/** Applies `--time-zone-<cov>` and `--holidays-<cov>` (comma-separated entries) over the file's calendars. */
export function withCalendarFlags(
  calendars: Record<CalendarCoverage, CalendarSpec>,
  flags: Partial<Record<`time-zone-${CalendarCoverage}` | `holidays-${CalendarCoverage}`, string>>,
): Record<CalendarCoverage, CalendarSpec> {
  const section: Record<string, { timeZone?: string; holidays?: string[] }> = {};
  for (const coverage of ['g', 'jp'] as const) {
    const timeZone = flags[`time-zone-${coverage}`];
    const holidays = flags[`holidays-${coverage}`];
    if (timeZone === undefined && holidays === undefined) continue;
    section[coverage] = {
      ...(timeZone !== undefined ? { timeZone } : {}),
      ...(holidays !== undefined ? { holidays: holidays.split(',').map((h) => h.trim()).filter((h) => h !== '') } : {}),
    };
  }
  try {
    return calendarSpecsFrom(section, calendars);
  } catch (error) {
    throw new PlatformConfigError((error as Error).message.replace(/^calendars\.(g|jp)/, '--time-zone-$1 / --holidays-$1'));
  }
}
