import type { ModemContext } from './modem-context.js';

/**
 * `<stat>[,[<tac>],[<ci>],[<AcT>][,<cause_type>,<reject_cause>][,[<Active-Time>],[<Periodic-TAU>]]]`
 * (3GPP TS 27.007 §10.1.22) for a given n: 1 stat only, 2 location, 3 + reject cause, 4 + PSM
 * timers, 5 both.
 */
export type RegistrationReport = '+CREG' | '+CGREG' | '+CEREG';

/**
 * The `<stat>` a report shows. On E-UTRAN `+CEREG` tells the truth and `+CREG`/`+CGREG` mirror it
 * or stay 0, per profile (docs/modems.md); on UTRAN (a 2G/3G fallback) `+CEREG` says 0 and the
 * other two carry the registration (FactbirdHQ/ublox-cellular-rs at_logs/startup.md).
 */
export function reportedStat(modem: ModemContext, report: RegistrationReport): number {
  const stat = modem.radio.stat;
  if (modem.onUtran) return report === '+CEREG' ? 0 : stat;
  if (report === '+CEREG') return stat;
  const rule = report === '+CREG' ? modem.dialect.csOnEutran : modem.dialect.psOnEutran;
  return rule === 'mirror' ? stat : 0;
}

export function registrationTail(modem: ModemContext, n: number, report: RegistrationReport | boolean): string {
  const which: RegistrationReport = report === true ? '+CEREG' : report === false ? '+CREG' : report;
  const eps = which === '+CEREG';
  const stat = reportedStat(modem, which);
  const parts: string[] = [String(stat)];
  if (n < 2) return parts.join(',');
  const located = stat === 1 || stat === 5 || stat === 3;
  if (!located) return parts.join(',');
  const cell = modem.radio.cell;
  // UTRAN is AcT 2 (27.007 §7.3); E-UTRAN as the module prints it (Quectel 8 for eMTC).
  const act = modem.onUtran ? 2 : modem.radio.radioType === 'nb-iot' ? modem.dialect.actNbIot : modem.dialect.actLteM;
  const tac = cell.tac.toString(16).toUpperCase().padStart(4, '0');
  const ci = cell.eci.toString(16).toUpperCase().padStart(8, '0');
  parts.push(`"${tac}"`, `"${ci}"`, String(act));
  const withCause = n === 3 || n === 5;
  const withPsm = eps && (n === 4 || n === 5);
  const cause = stat === 3 ? modem.radio.emmCause : undefined;
  if (withCause && cause !== undefined) parts.push('0', String(cause));
  else if (withPsm) parts.push('', '');
  if (withPsm) parts.push('"00000000"', '"00111000"');
  return parts.join(',');
}

/** `+CREG` / `+CGREG` / `+CEREG` URCs for the current state, per the n each is set to. */
export function registrationUrcs(modem: ModemContext): string[] {
  const out: string[] = [];
  const s = modem.settings;
  if (s.cregN > 0) out.push(`+CREG: ${registrationTail(modem, s.cregN, '+CREG')}`);
  if (s.cgregN > 0) out.push(`+CGREG: ${registrationTail(modem, s.cgregN, '+CGREG')}`);
  if (s.ceregN > 0) out.push(`+CEREG: ${registrationTail(modem, s.ceregN, '+CEREG')}`);
  return out;
}
