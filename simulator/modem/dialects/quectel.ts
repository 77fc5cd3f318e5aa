/**
 * Quectel profiles. Sources: BG96 / BG95 / EC2x AT manuals; boot order SeeedJP/WioLTEforArduino#5
 * (EC21-J: RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1, +QIND: SMS DONE, +QIND: PB DONE); +QCSQ modes
 * FreeRTOS/FreeRTOS-Cellular-Interface#25 (BG96 "CAT-M1"/"CAT-NB1") and particle-iot/device-os#2589
 * (BG95 "eMTC"); +QENG/+QNWINFO of an EC25 luci-app-modeminfo#45, of an EP06 luci-app-modeminfo#14.
 */
import type { DialectProfile } from '../dialect-profile.js';

const quectelCommon = {
  manufacturer: 'Quectel',
  cgmrLine: '{revision}',
  iccidCommands: { '+QCCID': '+QCCID', '+CCID': '+CCID' },
  bootUrcs: ['RDY', '+CFUN: 1'],
  defaultCmee: 1 as const,
  cmeeModes: [0, 1, 2],
  bootCfun: 1 as const,
  simOffInCfun0: false,
  contextIds: [1, 16] as const,
  coverageLossStat: 2 as const,
  vendorPdpFailure: 'error' as const,
  simRefresh: 'immediate' as const,
  ceerStyle: 'quoted' as const,
  channelTestForms: true,
  unknownCommand: 'error' as const,
  csOnEutran: 'mirror' as const,
  psOnEutran: 'mirror' as const,
  cfunResetValues: [],
  resetCommands: [],
  powerDownCommands: { '+QPOWD': 'POWERED DOWN' },
};

const catM = {
  ...quectelCommon,
  families: ['quectel', 'quectel-iot'] as const,
  simReadyUrcs: ['+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', 'APP RDY'],
  actLteM: 8,
  actNbIot: 9,
  utranFallback: false,
  // HATs wire BG9x over the UART: a reset does not drop the port.
  usbReenumerationMs: 0,
};

export const bg95: DialectProfile = {
  ...catM,
  name: 'bg95',
  model: 'BG95-M3',
  revision: 'BG95M3LAR02A03',
  atiLines: ['Quectel', 'BG95-M3', 'Revision: BG95M3LAR02A03'],
  quectelNames: { qcsq: ['eMTC', 'NBIoT'], qnwinfo: ['eMTC', 'NBIoT'], qeng: ['eMTC', 'NBIoT'] },
};

export const bg96: DialectProfile = {
  ...catM,
  name: 'bg96',
  model: 'BG96',
  revision: 'BG96MAR02A07M1G',
  atiLines: ['Quectel', 'BG96', 'Revision: BG96MAR02A07M1G'],
  quectelNames: { qcsq: ['CAT-M1', 'CAT-NB1'], qnwinfo: ['eMTC', 'NBIoT'], qeng: ['CAT-M', 'CAT-NB'] },
};

/** EG25-G on a USB HAT: LTE Cat 4 with WCDMA/GSM fallback; the USB device re-enumerates on reset. */
export const ec25: DialectProfile = {
  ...quectelCommon,
  name: 'ec25',
  model: 'EG25',
  // EG25-G firmware seen in commaai/openpilot#37330.
  revision: 'EG25GGBR07A08M2G',
  atiLines: ['Quectel', 'EG25', 'Revision: EG25GGBR07A08M2G'],
  families: ['quectel'],
  simReadyUrcs: ['+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+QIND: PB DONE'],
  actLteM: 7,
  actNbIot: 7,
  utranFallback: true,
  // the-modem-distro/pinephone_modem_sdk#90: the modem disappears a few seconds, then reconnects.
  usbReenumerationMs: 3_000,
  quectelNames: { qcsq: ['LTE', 'LTE'], qnwinfo: ['FDD LTE', 'FDD LTE'], qeng: ['LTE', 'LTE'] },
};
