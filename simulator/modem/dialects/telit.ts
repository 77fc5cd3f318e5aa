/**
 * Telit ME910C1 profile. Sources: Telit ME910C1 AT reference guide; #SGACT answer and text errors
 * pastebin.com/UYDQzQ5u; CGMI "Telit" gammu/gammu#455 (HE910). Telit prints no boot URC. The
 * model and revision strings follow the ME910C1 naming (not captured: docs/modems.md says so).
 */
import type { DialectProfile } from '../dialect-profile.js';

export const me910: DialectProfile = {
  name: 'me910',
  manufacturer: 'Telit',
  model: 'ME910C1-WW',
  revision: 'M0B.800004',
  atiLines: ['Telit', 'ME910C1-WW', 'M0B.800004'],
  cgmrLine: '{revision}',
  families: ['telit'],
  iccidCommands: { '#CCID': '#CCID', '+ICCID': '+ICCID' },
  bootUrcs: [],
  simReadyUrcs: [],
  defaultCmee: 0,
  cmeeModes: [0, 1, 2],
  bootCfun: 1,
  simOffInCfun0: false,
  contextIds: [1, 6],
  actLteM: 8,
  actNbIot: 9,
  coverageLossStat: 4,
  vendorPdpFailure: 'cme',
  simRefresh: 'immediate',
  ceerStyle: 'quoted',
  channelTestForms: true,
  unknownCommand: 'error',
  csOnEutran: 'not-registered',
  psOnEutran: 'mirror',
  utranFallback: false,
  cfunResetValues: [],
  resetCommands: ['#REBOOT'],
  powerDownCommands: {},
  usbReenumerationMs: 0,
};
