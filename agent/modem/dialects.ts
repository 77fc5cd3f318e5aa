/**
 * Vendor dialects as declarative profiles (after Zephyr's modem_cellular): each module is a table
 * of commands and URCs the one shared session machine runs; quirks are commented on their row.
 * Sources: AT-REFERENCE.md, Quectel BG95/BG96 AT manuals, SIMCom SIM7080 AT manual.
 */
import type { AtCommand } from '../at/types.js';
import { argsOf } from './args.js';
import { AtParseError } from '../at/errors.js';
import { at, atCommand, okCommand, quote } from './commands.js';
import { normaliseIccid, parseAppPdp, parseCnact, parseIdentity, parseQiact, parseQiurc } from './parsers.js';

export type DialectId = 'generic' | 'bg95' | 'bg96' | 'sim7080';

/** Radio access technology preference. */
export type RatPreference = 'lte-m' | 'nb-iot' | 'lte';

/** PDP authentication: none, PAP, CHAP (numbering of 27.007 `+CGAUTH`). */
export type AuthType = 'none' | 'pap' | 'chap';

export interface ApnSettings {
  readonly apn: string;
  readonly user: string;
  readonly password: string;
  readonly auth: AuthType;
}

/** A script row: the command, whether an error may be ignored, and why (the quirk). */
export interface ScriptStep {
  readonly command: AtCommand<unknown>;
  /** A module that does not know this command still works without it. */
  readonly optional?: boolean;
  readonly quirk?: string;
}

/** A URC prefix whose arrival means the data session (or the module) is gone. */
export interface LossUrc {
  readonly prefix: string;
  /** Decides from the URC arguments whether this one is a loss for context `cid`. */
  isLoss(args: string, cid: number): boolean;
  readonly reason: string;
}

/** A module family: everything the session machine needs to drive it. */
export interface Dialect {
  readonly id: DialectId;
  readonly description: string;
  /** Matches the model string (`AT+CGMM` or `ATI`). */
  readonly models: RegExp;
  /** Context id of the data session (SIMCom's `AT+CNACT` counts PDP indexes from 0). */
  readonly cid: number;
  readonly iccid: AtCommand<string>;
  /** After `ATE0` / `AT+CMEE=2`, before SIM and registration work. */
  readonly init: readonly ScriptStep[];
  rat(preference: RatPreference): readonly ScriptStep[];
  apn(settings: ApnSettings): readonly ScriptStep[];
  /** Opens the data session once registered. */
  activate(): readonly ScriptStep[];
  /** Closes the data session politely (shutdown, reactivation). */
  deactivate(): readonly ScriptStep[];
  /** Reads the session's IP address; undefined while there is none. */
  readonly address: AtCommand<string | undefined>;
  /**
   * Whether the context is active, for dialects whose address query does not say (27.007
   * `+CGPADDR` may show a stale address of an inactive context).
   */
  readonly active?: AtCommand<boolean>;
  readonly lossUrcs: readonly LossUrc[];
  readonly reset: AtCommand<void>;
  /** The URC a module prints when it has (re)booted. */
  readonly bootUrc: string;
}

function authNumber(auth: AuthType): number {
  return auth === 'none' ? 0 : auth === 'pap' ? 1 : 2;
}

const iccidCommand = (text: string): AtCommand<string> =>
  atCommand(text, (response) => {
    const iccid = normaliseIccid(parseIdentity(response.lines));
    if (iccid === undefined) throw new AtParseError('no ICCID in the answer', text, response);
    return iccid;
  });

const cfunReset = at.reset();

const generic: Dialect = {
  id: 'generic',
  description: 'generic 3GPP TS 27.007 module',
  models: /.*/,
  cid: 1,
  // `AT+CCID` is not in 27.007 but nearly universal; 27.007 has only `+CRSM` reads of EF_ICCID.
  iccid: iccidCommand('AT+CCID'),
  init: [],
  // 27.007 has no RAT preference command for Cat-M vs NB-IoT; `+COPS` AcT selection is optional
  // on most modules, so a generic module keeps its own choice.
  rat: () => [],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    { command: at.contextAuth(1, authNumber(s.auth), s.user, s.password), optional: true, quirk: 'older modules lack +CGAUTH' },
  ],
  activate: () => [{ command: at.attach() }, { command: at.activate(1) }],
  deactivate: () => [{ command: at.deactivate(1) }],
  address: at.address(1),
  active: at.contextActive(1),
  lossUrcs: [],
  reset: cfunReset,
  bootUrc: 'RDY',
};

/** `AT+QCFG` rows; the trailing `,1` applies the setting immediately (no reboot). */
const quectelRat = (preference: RatPreference): ScriptStep[] => {
  const mode = preference === 'lte-m' ? 0 : preference === 'nb-iot' ? 1 : 2;
  const seq = preference === 'nb-iot' ? '0302' : '0203';
  return [
    { command: okCommand(`AT+QCFG="iotopmode",${mode},1`), quirk: '0 Cat-M1, 1 NB-IoT, 2 both ("lte" on a Cat-M/NB module)' },
    { command: okCommand(`AT+QCFG="nwscanseq",${seq},1`), optional: true, quirk: 'preferred RAT first; BG95 firmwares accept 2-digit codes' },
    { command: okCommand('AT+QCFG="nwscanmode",3,1'), optional: true, quirk: 'LTE only: no GSM fallback (BG96 has 2G)' },
  ];
};

const quectel = (id: 'bg95' | 'bg96', models: RegExp): Dialect => ({
  id,
  description: `Quectel ${id.toUpperCase()} (Cat-M1 / NB-IoT)`,
  models,
  cid: 1,
  iccid: iccidCommand('AT+QCCID'),
  init: [],
  rat: quectelRat,
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    {
      command: okCommand(`AT+QICSGP=1,1,${quote(s.apn)},${quote(s.user)},${quote(s.password)},${authNumber(s.auth)}`),
      quirk: 'the TCP/IP stack context (QIACT) has its own APN/auth, separate from +CGDCONT',
    },
  ],
  // Up to 150 s per the Quectel TCP/IP manual; the module attaches by itself (no +CGATT needed).
  activate: () => [{ command: okCommand('AT+QIACT=1', 150_000) }],
  deactivate: () => [{ command: okCommand('AT+QIDEACT=1', 40_000) }],
  address: atCommand('AT+QIACT?', (response) => {
    for (const line of response.lines) {
      const args = argsOf(line, '+QIACT');
      const ctx = args === undefined ? undefined : parseQiact(args);
      if (ctx?.cid === 1 && ctx.active) return ctx.address;
    }
    return undefined;
  }),
  lossUrcs: [
    {
      prefix: '+QIURC',
      isLoss: (args, cid) => {
        const urc = parseQiurc(args);
        return urc.kind === 'pdpdeact' && (urc.cid === undefined || urc.cid === cid);
      },
      reason: 'pdp-deactivated',
    },
    { prefix: 'POWERED DOWN', isLoss: () => true, reason: 'module-powered-down' },
  ],
  reset: cfunReset,
  // BG9x prints `RDY` when the UART is up and `APP RDY` later; `RDY` is the reboot marker.
  bootUrc: 'RDY',
});

const sim7080: Dialect = {
  id: 'sim7080',
  description: 'SIMCom SIM7080G (Cat-M / NB-IoT)',
  models: /SIM70[789]0/i,
  // `AT+CNACT` PDP indexes are 0..3; index 0 is the one the app network uses.
  cid: 0,
  iccid: iccidCommand('AT+CCID'),
  init: [],
  rat: (preference) => [
    { command: okCommand('AT+CNMP=38'), quirk: '38 = LTE only (2 = automatic)' },
    { command: okCommand(`AT+CMNB=${preference === 'lte-m' ? 1 : preference === 'nb-iot' ? 2 : 3}`), quirk: '1 Cat-M, 2 NB-IoT, 3 both' },
  ],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    {
      command: okCommand(
        s.auth === 'none'
          ? `AT+CNCFG=0,1,${quote(s.apn)}`
          : `AT+CNCFG=0,1,${quote(s.apn)},${quote(s.user)},${quote(s.password)},${authNumber(s.auth)}`,
      ),
      quirk: 'the app network (CNACT) context has its own APN/auth',
    },
  ],
  // Never `AT+CGACT` here: it activates a context the app network does not see (SIMCom note).
  activate: () => [
    { command: at.attach(), optional: true, quirk: 'already attached on most firmwares; ERROR is harmless' },
    { command: okCommand('AT+CNACT=0,1', 150_000), quirk: 'OK first, then +APP PDP: 0,ACTIVE' },
  ],
  deactivate: () => [{ command: okCommand('AT+CNACT=0,0', 40_000) }],
  address: atCommand('AT+CNACT?', (response) => {
    for (const line of response.lines) {
      const args = argsOf(line, '+CNACT');
      const ctx = args === undefined ? undefined : parseCnact(args);
      if (ctx?.cid === 0 && ctx.active) return ctx.address;
    }
    return undefined;
  }),
  lossUrcs: [
    {
      prefix: '+APP PDP',
      isLoss: (args, cid) => {
        const urc = parseAppPdp(args);
        return urc !== undefined && !urc.active && urc.cid === cid;
      },
      reason: 'pdp-deactivated',
    },
    { prefix: 'NORMAL POWER DOWN', isLoss: () => true, reason: 'module-powered-down' },
  ],
  reset: cfunReset,
  bootUrc: 'RDY',
};

/** Every profile, most specific first; `generic` matches anything. */
export const dialects: readonly Dialect[] = [
  quectel('bg95', /BG95/i),
  quectel('bg96', /BG96/i),
  sim7080,
  generic,
];

export function dialectById(id: DialectId): Dialect {
  const found = dialects.find((d) => d.id === id);
  if (!found) throw new RangeError(`unknown modem dialect '${id}'`);
  return found;
}

/** Picks the profile from what the module says it is (`AT+CGMM`, else `ATI`). */
export function pickDialect(...identification: Array<string | undefined>): Dialect {
  for (const text of identification) {
    if (!text) continue;
    const found = dialects.find((d) => d.id !== 'generic' && d.models.test(text));
    if (found) return found;
  }
  return generic;
}
