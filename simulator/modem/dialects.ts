/**
 * The simulated module profiles (data, one file per vendor in `dialects/`). The interpreter is
 * shared; everything that differs between modules lives on a profile (`dialect-profile.ts`).
 */
import { DIALECT_NAMES, type DialectName, type DialectProfile } from './dialect-profile.js';
import { generic } from './dialects/generic.js';
import { nrf91 } from './dialects/nordic.js';
import { bg95, bg96, ec25 } from './dialects/quectel.js';
import { sim7080, sim7600 } from './dialects/simcom.js';
import { me910 } from './dialects/telit.js';
import { saraR4, saraR5 } from './dialects/ublox.js';

export { DIALECT_NAMES } from './dialect-profile.js';
export type { CommandFamily, DialectName, DialectProfile, QuectelRatNames } from './dialect-profile.js';

export const DIALECTS: Readonly<Record<DialectName, DialectProfile>> = {
  generic,
  bg95,
  bg96,
  ec25,
  sim7080,
  sim7600,
  'sara-r4': saraR4,
  'sara-r5': saraR5,
  me910,
  nrf91,
};

export function isDialectName(value: string): value is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(value);
}
