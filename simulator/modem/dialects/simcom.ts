/**
 * SIMCom profiles. Sources: SIM7080 / SIM7600 AT manuals; SIM7600 boot order
 * espressif/esp-protocols#789 and Xinyuan-LilyGO/T-SIM7600X#90 (RDY, +CPIN: READY, SMS DONE,
 * PB DONE); identity Xinyuan-LilyGO/LilyGo-Modem-Series#471 (AT+SIMCOMATI of a SIM7600G-H);
 * +CPSI of the SIM7600 family 4IceG/luci-app-3ginfo-lite#61; NORMAL POWER DOWN
 * Xinyuan-LilyGO/LilyGo-T-SIM7080G#98.
 */
import type { DialectProfile } from '../dialect-profile.js';

const simcomCommon = {
  cgmrLine: 'Revision:{revision}',
  defaultCmee: 0 as const,
  cmeeModes: [0, 1, 2],
  bootCfun: 1 as const,
  simOffInCfun0: false,
  contextIds: [1, 15] as const,
  coverageLossStat: 4 as const,
  ceerStyle: 'text' as const,
  unknownCommand: 'error' as const,
  csOnEutran: 'mirror' as const,
  psOnEutran: 'mirror' as const,
  cfunResetValues: [],
  powerDownCommands: { '+CPOWD': 'NORMAL POWER DOWN' },
};

export const sim7080: DialectProfile = {
  ...simcomCommon,
  name: 'sim7080',
  manufacturer: 'SIMCOM_Ltd',
  model: 'SIMCOM_SIM7080G',
  revision: '1951B04SIM7080',
  atiLines: ['Manufacturer: SIMCOM_Ltd', 'Model: SIMCOM_SIM7080G', 'Revision: 1951B04SIM7080', 'IMEI: {imei}'],
  families: ['simcom', 'simcom-cnact'],
  iccidCommands: { '+CCID': '' },
  bootUrcs: ['RDY', '+CFUN: 1'],
  simReadyUrcs: ['+CPIN: READY', 'SMS Ready'],
  actLteM: 7,
  actNbIot: 9,
  vendorPdpFailure: 'urc',
  simRefresh: 'needs-cfun-cycle',
  channelTestForms: false,
  // Cat-M/NB only: no circuit domain on LTE-M/NB-IoT (technocreatives/sim7000#54: +CGREG is not the one to read).
  csOnEutran: 'not-registered',
  psOnEutran: 'not-registered',
  utranFallback: false,
  resetCommands: [],
  usbReenumerationMs: 0,
  cpsiNames: ['LTE CAT-M1', 'LTE NB-IOT'],
};

export const sim7600: DialectProfile = {
  ...simcomCommon,
  name: 'sim7600',
  manufacturer: 'SIMCOM INCORPORATED',
  model: 'SIMCOM_SIM7600G-H',
  revision: 'LE20B05SIM7600G22',
  atiLines: ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600G-H', 'Revision: LE20B05SIM7600G22', 'IMEI: {imei}', '+GCAP: +CGSM'],
  families: ['simcom', 'simcom-lte'],
  iccidCommands: { '+CICCID': '+ICCID' },
  bootUrcs: ['RDY'],
  simReadyUrcs: ['+CPIN: READY', 'SMS DONE', 'PB DONE'],
  actLteM: 7,
  actNbIot: 7,
  vendorPdpFailure: 'cme',
  simRefresh: 'immediate',
  channelTestForms: true,
  utranFallback: true,
  resetCommands: ['+CRESET'],
  // USB modules on Raspberry Pi HATs: the ttyUSB ports vanish and come back on reset.
  usbReenumerationMs: 3_000,
  cpsiNames: ['LTE', 'LTE'],
};
