import type { ModemContext } from './modem-context.js';

/**
 * `<stat>[,[<tac>],[<ci>],[<AcT>][,<cause_type>,<reject_cause>][,[<Active-Time>],[<Periodic-TAU>]]]`
 * (3GPP TS 27.007 §10.1.22) for a given n: 1 stat only, 2 location, 3 + reject cause, 4 + PSM
 * timers, 5 both.
 */
export function registrationTail(modem: ModemContext, n: number, eps: boolean): string {
  const stat = modem.radio.stat;
  const parts: string[] = [String(stat)];
  if (n < 2) return parts.join(',');
  const located = stat === 1 || stat === 5 || stat === 3;
  if (!located) return parts.join(',');
  const cell = modem.radio.cell;
  const act = modem.radio.radioType === 'nb-iot' ? modem.dialect.actNbIot : modem.dialect.actLteM;
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
  if (s.cregN > 0) out.push(`+CREG: ${registrationTail(modem, s.cregN, false)}`);
  if (s.cgregN > 0) out.push(`+CGREG: ${registrationTail(modem, s.cgregN, false)}`);
  if (s.ceregN > 0) out.push(`+CEREG: ${registrationTail(modem, s.ceregN, true)}`);
  return out;
}
