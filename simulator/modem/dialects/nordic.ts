/**
 * Nordic nRF9160 with the Serial LTE Modem application. Sources: nRF91 AT commands reference;
 * vshymanskyy/TinyGSM#486 (boot "Ready", AT+CMEE=2 and ATI answer ERROR, AT+CPIN? ERROR before
 * the radio is on, AT+CGMM nRF9160-SICA, context 0 with AT+CGPADDR=0); boots in CFUN 0.
 */
import type { DialectProfile } from '../dialect-profile.js';

export const nrf91: DialectProfile = {
  name: 'nrf91',
  manufacturer: 'Nordic Semiconductor ASA',
  model: 'nRF9160-SICA',
  revision: 'mfw_nrf9160_1.3.5',
  atiLines: null,
  cgmrLine: '{revision}',
  families: ['nordic'],
  iccidCommands: { '%XICCID': '%XICCID' },
  bootUrcs: ['Ready'],
  simReadyUrcs: [],
  defaultCmee: 0,
  cmeeModes: [0, 1],
  bootCfun: 0,
  simOffInCfun0: true,
  contextIds: [0, 10],
  defaultBearerCid: 0,
  actLteM: 7,
  actNbIot: 9,
  coverageLossStat: 4,
  vendorPdpFailure: 'cme',
  simRefresh: 'immediate',
  ceerStyle: 'quoted',
  channelTestForms: true,
  unknownCommand: 'error',
  csOnEutran: 'not-registered',
  psOnEutran: 'not-registered',
  utranFallback: false,
  cfunResetValues: [],
  resetCommands: ['#XRESET'],
  powerDownCommands: {},
  usbReenumerationMs: 0,
};
