import type { FinalResult } from './types.js';

const FIXED_FINALS: ReadonlyMap<string, FinalResult> = new Map<string, FinalResult>([
  ['OK', { kind: 'ok' }],
  ['ERROR', { kind: 'error' }],
  ['NO CARRIER', { kind: 'no-carrier' }],
  ['BUSY', { kind: 'busy' }],
  ['NO ANSWER', { kind: 'no-answer' }],
  ['NO DIALTONE', { kind: 'no-dialtone' }],
  ['NO DIAL TONE', { kind: 'no-dialtone' }],
  // u-blox: a command aborted by a character sent while it ran (SARA-R4/N4 AT manual UBX-17003787 §1.4).
  ['ABORTED', { kind: 'aborted' }],
]);

/**
 * Vendor lines that end a command as an error (gammu libgammu/protocol/at/at.c keeps the same
 * list): Huawei E1552/E1752/E220 print `COMMAND NOT SUPPORT` for an unknown command, Motorola
 * `MODEM ERROR: <n>`.
 */
const VENDOR_ERRORS: readonly string[] = ['COMMAND NOT SUPPORT', 'MODEM ERROR:'];

/**
 * Reads `+CME ERROR: <err>` / `+CMS ERROR: <err>` arguments: a number with `AT+CMEE=1`, text
 * with `AT+CMEE=2` (3GPP TS 27.007 §9.2, TS 27.005 §3.2.5).
 */
function errorDetail(rest: string): { code?: number; text?: string } {
  const value = rest.trim();
  if (value === '') return {};
  // Samsung prints `+CME ERROR:-1` for an empty location (gammu atgen.c).
  if (/^-?\d{1,6}$/.test(value)) return { code: Number(value) };
  return { text: value };
}

/**
 * Recognises a final result code (ITU-T V.250 §5.7.1, 3GPP TS 27.007 §4.2); `undefined` when the
 * line is not one.
 */
export function parseFinalResult(line: string): FinalResult | undefined {
  const fixed = FIXED_FINALS.get(line);
  if (fixed) return fixed;
  if (line.startsWith('+CME ERROR:')) return { kind: 'cme', ...errorDetail(line.slice(11)) };
  if (line.startsWith('+CMS ERROR:')) return { kind: 'cms', ...errorDetail(line.slice(11)) };
  for (const vendor of VENDOR_ERRORS) if (line.startsWith(vendor)) return { kind: 'error', text: line };
  if (line === 'CONNECT') return { kind: 'connect' };
  if (line.startsWith('CONNECT ')) {
    const text = line.slice(8).trim();
    return text === '' ? { kind: 'connect' } : { kind: 'connect', text };
  }
  return undefined;
}

/** True for the results a command succeeds with: `OK`, and `CONNECT` (V.250 data mode). */
export function isSuccess(result: FinalResult): boolean {
  return result.kind === 'ok' || result.kind === 'connect';
}

/** The final result as the module printed it, for error messages and logs. */
export function describeFinal(result: FinalResult): string {
  switch (result.kind) {
    case 'ok':
      return 'OK';
    case 'error':
      return result.text ?? 'ERROR';
    case 'aborted':
      return 'ABORTED';
    case 'cme':
      return `+CME ERROR: ${result.code ?? result.text ?? ''}`.trimEnd();
    case 'cms':
      return `+CMS ERROR: ${result.code ?? result.text ?? ''}`.trimEnd();
    case 'no-carrier':
      return 'NO CARRIER';
    case 'connect':
      return result.text ? `CONNECT ${result.text}` : 'CONNECT';
    case 'busy':
      return 'BUSY';
    case 'no-answer':
      return 'NO ANSWER';
    case 'no-dialtone':
      return 'NO DIALTONE';
  }
}
