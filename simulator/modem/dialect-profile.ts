/**
 * What a simulated module is, as data (the Zephyr modem_cellular way): identification strings,
 * which commands exist, response-format quirks, boot and power-down lines, and how each module
 * reports things. The interpreter (`commands/`) is shared; everything that differs between
 * modules lives on a profile (`dialects/`, one file per vendor), with the real capture or manual
 * each value follows cited beside it (docs/modems.md collects them).
 */

export const DIALECT_NAMES = ['generic', 'bg95', 'bg96', 'ec25', 'sim7080', 'sim7600', 'sara-r4', 'sara-r5', 'me910', 'nrf91'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** Command families a dialect may add on top of the 3GPP TS 27.007 core. */
export type CommandFamily = 'quectel' | 'quectel-iot' | 'simcom' | 'simcom-cnact' | 'simcom-lte' | 'ublox' | 'ublox-psd' | 'telit' | 'nordic';

/** Names a Quectel module prints for the RAT it is on (`+QCSQ`, `+QNWINFO`, `+QENG`). */
export interface QuectelRatNames {
  readonly qcsq: readonly [lteM: string, nbIot: string];
  readonly qnwinfo: readonly [lteM: string, nbIot: string];
  readonly qeng: readonly [lteM: string, nbIot: string];
}

export interface DialectProfile {
  readonly name: DialectName;
  readonly manufacturer: string;
  readonly model: string;
  readonly revision: string;
  /** Lines `ATI` prints before OK (`{imei}` is replaced); `null` when the module answers ERROR (nRF91). */
  readonly atiLines: readonly string[] | null;
  /** The `AT+CGMR` line (`{revision}` is replaced): SIMCom prints `Revision:<rev>`. */
  readonly cgmrLine: string;
  /** Vendor command families this module understands. */
  readonly families: readonly CommandFamily[];
  /** ICCID commands this module answers, and the prefix each prints (empty = bare number). */
  readonly iccidCommands: Readonly<Record<string, string>>;
  /** URCs printed once the module has booted, in order (before the SIM is read). */
  readonly bootUrcs: readonly string[];
  /** URCs printed once the SIM is ready at boot, in order (`+CPIN: READY` first on modules that print it). */
  readonly simReadyUrcs: readonly string[];
  /** Default `AT+CMEE` after boot (Quectel ships with 1, 3GPP default is 0). */
  readonly defaultCmee: 0 | 1 | 2;
  /** `AT+CMEE` values accepted (nRF91 refuses 2). */
  readonly cmeeModes: readonly number[];
  /** `+CFUN` after power-on: 1 on most modules, 0 on the nRF91 (the host attaches). */
  readonly bootCfun: 0 | 1;
  /** The SIM is unpowered in `+CFUN=0`: `AT+CPIN?` and friends answer ERROR until CFUN 1 or 4 (nRF91). */
  readonly simOffInCfun0: boolean;
  /** `<cid>` range of `+CGDCONT` (nRF91 uses 0..10 with 0 the default bearer; most 1..15). */
  readonly contextIds: readonly [min: number, max: number];
  /** A context the module brings up by itself at attach (nRF91 context 0), or none. */
  readonly defaultBearerCid?: number;
  /** `<AcT>` printed for LTE-M and NB-IoT (Quectel uses 8 for eMTC, 3GPP 7 for E-UTRAN). */
  readonly actLteM: number;
  readonly actNbIot: number;
  /** `<stat>` printed when coverage is lost: 4 (unknown) or 2 (searching). */
  readonly coverageLossStat: 2 | 4;
  /** How a failed PDP activation with the vendor command ends: `ERROR` or a `+CME ERROR` per CMEE. */
  readonly vendorPdpFailure: 'error' | 'cme' | 'urc';
  /** After a profile switch: re-read the SIM at once, or only after a radio (CFUN) cycle. */
  readonly simRefresh: 'immediate' | 'needs-cfun-cycle';
  /** Format of `AT+CEER`. */
  readonly ceerStyle: 'quoted' | 'text';
  /** Whether `=?` test forms of the logical-channel commands answer (a known quirk: some don't). */
  readonly channelTestForms: boolean;
  /** An unknown command: plain `ERROR` (Quectel, SIMCom, u-blox, Telit, Nordic) or `+CME ERROR: 4` per CMEE. */
  readonly unknownCommand: 'error' | 'cme';
  /**
   * What `+CREG` (circuit) and `+CGREG` (GPRS) report while the module is registered on
   * E-UTRAN: the EPS state (a combined attach; Quectel EC2x / SIMCom print 1 in all three) or
   * not registered (a Cat-M/NB module without circuit services).
   */
  readonly csOnEutran: 'mirror' | 'not-registered';
  readonly psOnEutran: 'mirror' | 'not-registered';
  /**
   * 2G/3G capable: the `rat utran` control moves the module to UTRAN, where `+CREG`/`+CGREG`
   * report the registration with AcT 2 and `+CEREG` reports 0 (FactbirdHQ/ublox-cellular-rs startup.md).
   */
  readonly utranFallback: boolean;
  /** `<fun>` values of `AT+CFUN` that reset the module (u-blox 15/16), besides `AT+CFUN=1,1`. */
  readonly cfunResetValues: readonly number[];
  /** Exec-form vendor resets (`AT+CRESET`, `AT#REBOOT`, `AT#XRESET`): OK, then a reboot. */
  readonly resetCommands: readonly string[];
  /** Vendor power-down commands and the line each prints after OK (`AT+QPOWD` → `POWERED DOWN`). */
  readonly powerDownCommands: Readonly<Record<string, string>>;
  /** A reset re-enumerates the USB device: the port vanishes for this long (0: a UART, no drop). */
  readonly usbReenumerationMs: number;
  /** Quectel RAT names, for the Quectel families. */
  readonly quectelNames?: QuectelRatNames;
  /** SIMCom `+CPSI` system name for LTE-M and NB-IoT (`LTE CAT-M1` on SIM7080, `LTE` on SIM7600). */
  readonly cpsiNames?: readonly [lteM: string, nbIot: string];
}
