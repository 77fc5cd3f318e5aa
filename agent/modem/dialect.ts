/**
 * What a vendor dialect is (after Zephyr's modem_cellular): a table of commands and URCs the one
 * shared session machine runs, each quirk commented on its row. The profiles sit in
 * `agent/modem/dialects/`, one file per vendor; `dialects.ts` lists them and picks one.
 */
import type { AtCommand } from '../at/types.js';
import { AtParseError } from '../at/errors.js';
import { atCommand } from './commands.js';
import { normaliseIccid, parseIdentity } from './parsers.js';
import type { RegistrationDomain } from './registration.js';

export type DialectId = 'generic' | 'bg95' | 'bg96' | 'ec25' | 'sim7080' | 'sim7600' | 'sara-r4' | 'sara-r5' | 'me910' | 'nrf91';

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
  /** Decides from the URC arguments whether this one is a loss for the dialect's session id. */
  isLoss(args: string, cid: number): boolean;
  readonly reason: 'pdp-deactivated' | 'module-powered-down';
}

/** A module family: everything the session machine needs to drive it. */
export interface Dialect {
  readonly id: DialectId;
  readonly description: string;
  /** Matches the model string (`AT+CGMM` or `ATI`). */
  readonly models: RegExp;
  /** Id of the data session in the vendor's own command (SIM7080 `AT+CNACT` index 0, u-blox PSD profile 0). */
  readonly cid: number;
  /** The `+CGDCONT` context the session runs on: what `+CGEV` events name (nRF91 uses context 0). */
  readonly pdpCid: number;
  /**
   * The registration reports this module gives, in the order they decide data: `eps` (`+CEREG`)
   * first, `ps` (`+CGREG`) for modules that fall back to 2G/3G, `cs` (`+CREG`) only where a module
   * reports nothing else. The agent enables and reads each (`registration.ts`, effectiveRegistration).
   */
  readonly registration: readonly RegistrationDomain[];
  /** Verbose `+CME ERROR` text (`AT+CMEE=2`), or numbers where the module refuses 2 (nRF91). */
  readonly cmee: 1 | 2;
  readonly iccid: AtCommand<string>;
  /** After `ATE0` / `AT+CMEE`, before SIM and registration work. */
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
  /** The reset command (`AT+CFUN=1,1`, or the vendor's: `AT+CFUN=15`, `AT#REBOOT`, `AT#XRESET`...). */
  readonly reset: AtCommand<void>;
  /**
   * The URC a module prints when it has (re)booted; undefined for modules that print none
   * (u-blox SARA, Telit ME910): the reset step then polls `AT` until the module answers.
   */
  readonly bootUrc?: string;
  /** Notes on real behaviour the profile follows, for docs/modems.md and `cellgate probe`. */
  readonly quirks: readonly string[];
}

export function authNumber(auth: AuthType): number {
  return auth === 'none' ? 0 : auth === 'pap' ? 1 : 2;
}

/** An ICCID read by `text`, whichever prefix the module prints. */
export const iccidCommand = (text: string): AtCommand<string> =>
  atCommand(text, (response) => {
    const iccid = normaliseIccid(parseIdentity(response.lines));
    if (iccid === undefined) throw new AtParseError('no ICCID in the answer', text, response);
    return iccid;
  });
