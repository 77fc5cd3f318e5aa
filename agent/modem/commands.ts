/**
 * AT commands as data (3GPP TS 27.007 and V.25ter): each is text, a timeout and a parser of its
 * answer, ready for `AtChannel.send`. Vendor commands live in the dialect profiles.
 */
import type { AtCommand, AtResponse } from '../at/types.js';
import { AtParseError } from '../at/errors.js';
import { argsOf } from './args.js';
import { parseRegistrationAnswer, type RegistrationDomain } from './registration.js';
import {
  parseAti,
  parseCeer,
  parseCesq,
  parseCgpaddr,
  parseCops,
  parseCpin,
  parseCsq,
  parseIdentity,
  type ErrorReport,
  type Operator,
  type PinState,
  type Registration,
  type SignalQuality,
} from './parsers.js';


const REGISTRATION_PREFIX: Readonly<Record<RegistrationDomain, string>> = { cs: '+CREG', ps: '+CGREG', eps: '+CEREG', '5gs': '+C5GREG' };

/** Builds a command from its text, its parser and its timeout. */
export function atCommand<T>(text: string, parse: (response: AtResponse) => T, timeoutMs?: number): AtCommand<T> {
  return timeoutMs === undefined ? { text, parse } : { text, parse, timeoutMs };
}

/** A command whose only answer is `OK`. */
export function okCommand(text: string, timeoutMs?: number): AtCommand<void> {
  return atCommand(text, () => undefined, timeoutMs);
}

/** The arguments of the first information line starting with `prefix`, or a clear error. */
export function infoArgs(response: AtResponse, prefix: string, command: string): string {
  for (const line of response.lines) {
    const args = argsOf(line, prefix);
    if (args !== undefined) return args;
  }
  throw new AtParseError(`no ${prefix} line in the answer`, command, response);
}

/** Parses the first line with `prefix` through `parse`, failing clearly on nonsense. */
export function parseInfo<T>(response: AtResponse, prefix: string, command: string, parse: (args: string) => T | undefined): T {
  const value = parse(infoArgs(response, prefix, command));
  if (value === undefined) throw new AtParseError(`cannot read the ${prefix} answer`, command, response);
  return value;
}

function identity(command: string): AtCommand<string> {
  return atCommand(command, (response) => {
    const value = parseIdentity(response.lines);
    if (value === undefined) throw new AtParseError('empty answer', command, response);
    return value;
  });
}

/** Quoted-string argument: 27.007 strings cannot contain `"`; refuse rather than corrupt. */
export function quote(value: string): string {
  if (/["\r\n]/.test(value)) throw new RangeError(`AT string argument may not contain quotes or line breaks: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** Generic 3GPP TS 27.007 / V.25ter commands. */
export const at = {
  /** Sync: any `OK` proves the module is listening. */
  ping: (timeoutMs = 1_000) => okCommand('AT', timeoutMs),
  echoOff: () => okCommand('ATE0'),
  /** Verbose `+CME ERROR: <text>` (27.007 §9.1). */
  verboseErrors: () => okCommand('AT+CMEE=2'),
  manufacturer: () => identity('AT+CGMI'),
  model: () => identity('AT+CGMM'),
  revision: () => identity('AT+CGMR'),
  imei: () => identity('AT+CGSN'),
  imsi: () => identity('AT+CIMI'),
  info: () => atCommand('ATI', (r) => parseAti(r.lines)),
  pin: (timeoutMs = 5_000): AtCommand<PinState> =>
    atCommand('AT+CPIN?', (r) => parseInfo(r, '+CPIN', 'AT+CPIN?', parseCpin), timeoutMs),
  /** `AT+CEREG=2` location URCs; `=3` adds the reject cause (27.007 §10.1.22). */
  registrationReporting: (n: 2 | 3) => okCommand(`AT+CEREG=${n}`),
  /** `AT+CREG=<n>` / `AT+CGREG=<n>` / `AT+CEREG=<n>` / `AT+C5GREG=<n>`. */
  reportRegistration: (domain: RegistrationDomain, n: number) => okCommand(`AT${REGISTRATION_PREFIX[domain]}=${n}`),
  /**
   * Reads `AT+CxREG?`. A URC of the same prefix that arrives while it is in flight is handed over
   * as part of the answer (docs/at-channel.md): each line is read in the form it has (the answer
   * starts with the `<n>` the agent set, a URC does not; registration.ts) and the last one is the
   * freshest state, so a registration reported just after a radio cycle is never lost.
   */
  readRegistration: (domain: RegistrationDomain, expectedMode?: number): AtCommand<Registration> => {
    const prefix = REGISTRATION_PREFIX[domain];
    const text = `AT${prefix}?`;
    return atCommand(text, (r) => {
      const args = r.lines.flatMap((line) => {
        const a = argsOf(line, prefix);
        return a === undefined ? [] : [a];
      });
      const latest = parseRegistrationAnswer(domain, args, expectedMode).at(-1);
      if (!latest) throw new AtParseError(`cannot read the ${prefix} answer`, text, r);
      return latest;
    });
  },
  /** `AT+CEREG?` (the EPS registration). */
  registration: (expectedMode?: number): AtCommand<Registration> => at.readRegistration('eps', expectedMode),
  /** `+CGEV` URCs buffered and flushed (27.007 §10.1.19). */
  packetEvents: () => okCommand('AT+CGEREP=2,1'),
  signal: (): AtCommand<SignalQuality> => atCommand('AT+CSQ', (r) => parseInfo(r, '+CSQ', 'AT+CSQ', parseCsq)),
  extendedSignal: (): AtCommand<SignalQuality> => atCommand('AT+CESQ', (r) => parseInfo(r, '+CESQ', 'AT+CESQ', parseCesq)),
  operator: (): AtCommand<Operator> => atCommand('AT+COPS?', (r) => parseInfo(r, '+COPS', 'AT+COPS?', parseCops), 10_000),
  /** Last failure's cause; an answer without a `+CEER:` line reads as "no information". */
  errorReport: (): AtCommand<ErrorReport> =>
    atCommand('AT+CEER', (r) => {
      const line = r.lines.find((l) => argsOf(l, '+CEER') !== undefined);
      return line === undefined ? { text: '' } : parseCeer(argsOf(line, '+CEER') ?? '');
    }),
  defineContext: (cid: number, apn: string) => okCommand(`AT+CGDCONT=${cid},"IP",${quote(apn)}`),
  /** `AT+CGAUTH=<cid>,<auth_prot>,<userid>,<password>` (27.007 §10.1.31): 0 none, 1 PAP, 2 CHAP. */
  contextAuth: (cid: number, auth: number, user: string, password: string) =>
    okCommand(auth === 0 ? `AT+CGAUTH=${cid},0` : `AT+CGAUTH=${cid},${auth},${quote(user)},${quote(password)}`),
  /** Attach can take minutes on a congested cell (27.007 §10.1.9 gives no bound). */
  attach: () => okCommand('AT+CGATT=1', 140_000),
  activate: (cid: number) => okCommand(`AT+CGACT=1,${cid}`, 150_000),
  deactivate: (cid: number) => okCommand(`AT+CGACT=0,${cid}`, 40_000),
  address: (cid: number): AtCommand<string | undefined> =>
    atCommand(`AT+CGPADDR=${cid}`, (r) => parseInfo(r, '+CGPADDR', `AT+CGPADDR=${cid}`, parseCgpaddr).address),
  /** `AT+CGACT?` → `+CGACT: <cid>,<state>` lines (27.007 §10.1.10). */
  contextActive: (cid: number): AtCommand<boolean> =>
    atCommand('AT+CGACT?', (r) =>
      r.lines.some((line) => {
        const args = argsOf(line, '+CGACT');
        return args !== undefined && args.replace(/\s/g, '') === `${cid},1`;
      }),
    ),
  /** `AT+CFUN=0` detaches and switches the radio off; it can take seconds (15 s per vendors). */
  radio: (on: boolean) => okCommand(`AT+CFUN=${on ? 1 : 0}`, 15_000),
  /** Full module reset; the module answers OK (or not at all) and reboots with a boot URC. */
  reset: () => okCommand('AT+CFUN=1,1', 15_000),
};
