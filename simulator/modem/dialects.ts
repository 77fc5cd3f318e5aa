/**
 * Vendor dialects as data (the Zephyr modem_cellular way): identification strings, which
 * commands exist, response-format quirks, boot URCs and how each module reports things. The
 * interpreter is shared; everything that differs between modules lives on a profile row.
 */

export const DIALECT_NAMES = ['generic', 'bg95', 'bg96', 'sim7080'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** Command families a dialect may add on top of the 3GPP TS 27.007 core. */
export type CommandFamily = 'quectel' | 'simcom';

export interface DialectProfile {
  readonly name: DialectName;
  readonly manufacturer: string;
  readonly model: string;
  readonly revision: string;
  /** Lines `ATI` prints before OK. `{imei}` is replaced. */
  readonly atiLines: readonly string[];
  /** Vendor command families this module understands. */
  readonly families: readonly CommandFamily[];
  /** ICCID commands this module answers, and the prefix each prints (empty = bare number). */
  readonly iccidCommands: Readonly<Record<string, string>>;
  /** URCs printed once the module has booted, in order (before the SIM is read). */
  readonly bootUrcs: readonly string[];
  /** URCs printed once the SIM is ready at boot (after `+CPIN: READY`). */
  readonly simReadyUrcs: readonly string[];
  /** Default `AT+CMEE` after boot (Quectel ships with 1, 3GPP default is 0). */
  readonly defaultCmee: 0 | 1 | 2;
  /** `+CCHO` answer: `+CCHO: <ch>` or the bare number (3GPP TS 27.007 §8.45 prints it bare). */
  readonly cchoBare: boolean;
  /** Quirk: some firmware prints `+CGLA:"..."` without the space after the colon. */
  readonly cglaNoSpace: boolean;
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
  /** An unknown command: plain `ERROR` (Quectel, SIMCom) or `+CME ERROR: 4` per CMEE. */
  readonly unknownCommand: 'error' | 'cme';
}

const quectelCommon = {
  manufacturer: 'Quectel',
  families: ['quectel'] as const,
  iccidCommands: { '+QCCID': '+QCCID', '+CCID': '+CCID' },
  bootUrcs: ['RDY', '+CFUN: 1'],
  simReadyUrcs: ['+QUSIM: 1', '+QIND: SMS DONE', 'APP RDY'],
  defaultCmee: 1 as const,
  cchoBare: false,
  cglaNoSpace: false,
  actLteM: 8,
  actNbIot: 9,
  coverageLossStat: 2 as const,
  vendorPdpFailure: 'error' as const,
  simRefresh: 'immediate' as const,
  ceerStyle: 'quoted' as const,
  channelTestForms: true,
  unknownCommand: 'error' as const,
};

export const DIALECTS: Readonly<Record<DialectName, DialectProfile>> = {
  generic: {
    name: 'generic',
    manufacturer: 'Cellgate',
    model: 'GENERIC-LTE-M',
    revision: 'CG1.0.0',
    atiLines: ['Cellgate', 'GENERIC-LTE-M', 'Revision: CG1.0.0'],
    families: [],
    iccidCommands: { '+CCID': '+CCID', '+ICCID': '+ICCID' },
    bootUrcs: ['RDY'],
    simReadyUrcs: [],
    defaultCmee: 0,
    cchoBare: true,
    cglaNoSpace: false,
    actLteM: 7,
    actNbIot: 9,
    coverageLossStat: 4,
    vendorPdpFailure: 'cme',
    simRefresh: 'immediate',
    ceerStyle: 'quoted',
    channelTestForms: true,
    unknownCommand: 'cme',
  },
  bg95: {
    ...quectelCommon,
    name: 'bg95',
    model: 'BG95-M3',
    revision: 'BG95M3LAR02A03',
    atiLines: ['Quectel', 'BG95-M3', 'Revision: BG95M3LAR02A03'],
  },
  bg96: {
    ...quectelCommon,
    name: 'bg96',
    model: 'BG96',
    revision: 'BG96MAR02A07M1G',
    atiLines: ['Quectel', 'BG96', 'Revision: BG96MAR02A07M1G'],
  },
  sim7080: {
    name: 'sim7080',
    manufacturer: 'SIMCOM_Ltd',
    model: 'SIMCOM_SIM7080G',
    revision: '1951B04SIM7080',
    atiLines: ['Manufacturer: SIMCOM_Ltd', 'Model: SIMCOM_SIM7080G', 'Revision: 1951B04SIM7080', 'IMEI: {imei}'],
    families: ['simcom'],
    iccidCommands: { '+CCID': '' },
    bootUrcs: ['RDY', '+CFUN: 1'],
    simReadyUrcs: ['SMS Ready'],
    defaultCmee: 0,
    cchoBare: false,
    cglaNoSpace: true,
    actLteM: 7,
    actNbIot: 9,
    coverageLossStat: 4,
    vendorPdpFailure: 'urc',
    simRefresh: 'needs-cfun-cycle',
    ceerStyle: 'text',
    channelTestForms: false,
    unknownCommand: 'error',
  },
};

export function isDialectName(value: string): value is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(value);
}
