/**
 * Nordic nRF91 series with the Serial LTE Modem application (Cat-M1 / NB-IoT). Sources: nRF91 AT
 * commands reference; real captures cited in docs/modems.md.
 *
 * The modem boots offline (`+CFUN=0`); the system mode (`%XSYSTEMMODE`) and the default context 0
 * may only change offline or in flight mode (`+CFUN=4`), so the profile configures in flight mode
 * and switches the radio on last. Context 0 is the default bearer: it comes up with the attach,
 * cannot be activated by `AT+CGACT` (Nordic, +CGACT set command), and its address is `AT+CGPADDR=0`.
 */
import { at, okCommand, quote } from '../commands.js';
import { authNumber, iccidCommand, type Dialect } from '../dialect.js';

export const nrf91: Dialect = {
  id: 'nrf91',
  description: 'Nordic nRF91 (Cat-M1 / NB-IoT, Serial LTE Modem)',
  models: /nRF91\d\d/i,
  cid: 0,
  pdpCid: 0,
  registration: ['eps'],
  // AT+CMEE=2 answers ERROR on the nRF9160 (vshymanskyy/TinyGSM#486): numeric errors.
  cmee: 1,
  iccid: iccidCommand('AT%XICCID'),
  // Flight mode powers the UICC (AT+CPIN? answers ERROR while the modem is offline at boot).
  init: [{ command: okCommand('AT+CFUN=4', 15_000), quirk: 'flight mode: the SIM is readable, the radio off' }],
  rat: (preference) => [
    { command: okCommand('AT+CFUN=4', 15_000), quirk: '%XSYSTEMMODE only offline or in flight mode' },
    { command: okCommand(`AT%XSYSTEMMODE=${preference === 'lte-m' ? '1,0,0,0' : preference === 'nb-iot' ? '0,1,0,0' : '1,1,0,0'}`) },
  ],
  apn: (s) => [
    { command: okCommand(`AT+CGDCONT=0,"IP",${quote(s.apn)}`), quirk: 'context 0 is the default bearer' },
    { command: at.contextAuth(0, authNumber(s.auth), s.user, s.password), optional: true },
    { command: at.radio(true), quirk: 'radio on last: the modem attaches and brings context 0 up by itself' },
  ],
  activate: () => [],
  deactivate: () => [],
  address: at.address(0),
  lossUrcs: [],
  // SLM reset: OK, then "Ready" when the application is back (vshymanskyy/TinyGSM#486).
  reset: okCommand('AT#XRESET', 15_000),
  bootUrc: 'Ready',
  quirks: [
    'boot URC "Ready"; ATI and AT+CMEE=2 answer ERROR (vshymanskyy/TinyGSM#486)',
    'a +CEREG URC can arrive inside the answer of AT+CEREG? (vshymanskyy/TinyGSM#486)',
    '<stat> 90 = UICC failure (onomondo/nrf-softsim#95): read as not registered',
  ],
};
