/**
 * u-blox SARA profiles. Sources: SARA-R4/N4 AT manual UBX-17003787, SARA-R5 AT manual; identity
 * vshymanskyy/TinyGSM#257 (SARA-R412M ATI), u-blox/ubxlib#224 (SARA-R510M8S: CGMM, ATI0, CGMR);
 * CFUN values `(0,1,4,15)` on SARA-R4 (TinyGSM#257); PSD URCs FactbirdHQ/ublox-cellular-rs
 * at_logs. SARA prints no boot URC.
 */
import type { DialectProfile } from '../dialect-profile.js';

const ubloxCommon = {
  manufacturer: 'u-blox',
  cgmrLine: '{revision}',
  iccidCommands: { '+CCID': '+CCID' },
  bootUrcs: [],
  simReadyUrcs: [],
  defaultCmee: 0 as const,
  cmeeModes: [0, 1, 2],
  bootCfun: 1 as const,
  simOffInCfun0: false,
  contextIds: [1, 11] as const,
  actLteM: 7,
  actNbIot: 9,
  coverageLossStat: 4 as const,
  vendorPdpFailure: 'cme' as const,
  simRefresh: 'immediate' as const,
  ceerStyle: 'quoted' as const,
  channelTestForms: true,
  unknownCommand: 'error' as const,
  csOnEutran: 'mirror' as const,
  psOnEutran: 'mirror' as const,
  resetCommands: [],
  powerDownCommands: {},
  usbReenumerationMs: 0,
};

export const saraR4: DialectProfile = {
  ...ubloxCommon,
  name: 'sara-r4',
  model: 'SARA-R412M-02B',
  revision: 'M0.05.00 [Jul 06 2018 10:01:55]',
  atiLines: ['Manufacturer: u-blox', 'Model: SARA-R412M-02B', 'Revision: M0.05.00 [Jul 06 2018 10:01:55]', 'SVN: 03', 'IMEI: {imei}'],
  families: ['ublox'],
  // SARA-R412M falls back to GSM.
  utranFallback: true,
  cfunResetValues: [15],
};

export const saraR5: DialectProfile = {
  ...ubloxCommon,
  name: 'sara-r5',
  model: 'SARA-R510M8S',
  revision: '02.10',
  atiLines: ['SARA-R510M8S-00B-03'],
  families: ['ublox', 'ublox-psd'],
  utranFallback: false,
  cfunResetValues: [15, 16],
};
