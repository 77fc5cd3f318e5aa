/**
 * The vendor dialects the agent drives, as declarative profiles (one file per vendor in
 * `dialects/`), and how one is picked from what the module says it is. docs/modems.md lists each
 * with what it was verified against.
 */
import { generic } from './dialects/generic.js';
import { nrf91 } from './dialects/nordic.js';
import { bg95, bg96, ec25 } from './dialects/quectel.js';
import { sim7080, sim7600 } from './dialects/simcom.js';
import { me910 } from './dialects/telit.js';
import { saraR4, saraR5 } from './dialects/ublox.js';
import type { Dialect, DialectId } from './dialect.js';

export type { ApnSettings, AuthType, Dialect, DialectId, LossUrc, RatPreference, ScriptStep } from './dialect.js';

/** Every profile, most specific first; `generic` matches anything. */
export const dialects: readonly Dialect[] = [bg95, bg96, ec25, sim7080, sim7600, saraR4, saraR5, me910, nrf91, generic];

export const DIALECT_IDS: readonly DialectId[] = dialects.map((d) => d.id);

export function dialectById(id: DialectId): Dialect {
  const found = dialects.find((d) => d.id === id);
  if (!found) throw new RangeError(`unknown modem dialect '${id}'`);
  return found;
}

export function isDialectId(value: string): value is DialectId {
  return (DIALECT_IDS as readonly string[]).includes(value);
}

/**
 * Picks the profile from what the module says it is (`AT+CGMM`, else `ATI`), and says why, for
 * the logs and `cellgate probe`.
 */
export function chooseDialect(...identification: Array<string | undefined>): { dialect: Dialect; reason: string } {
  for (const text of identification) {
    if (!text) continue;
    const found = dialects.find((d) => d.id !== 'generic' && d.models.test(text));
    if (found) return { dialect: found, reason: `model '${text}' matches ${found.models}` };
  }
  const seen = identification.filter(Boolean);
  return { dialect: generic, reason: seen.length > 0 ? `no profile matches ${seen.map((t) => `'${t}'`).join(', ')}: 3GPP TS 27.007 only` : 'the module did not say what it is: 3GPP TS 27.007 only' };
}

export function pickDialect(...identification: Array<string | undefined>): Dialect {
  return chooseDialect(...identification).dialect;
}
