/**
 * Telit ME910C1 (Cat-M1 / NB-IoT). Sources: Telit ME910C1 AT reference guide; real captures cited
 * in docs/modems.md. The session is context 1 activated with `AT#SGACT=1,1`, which answers the
 * address (`#SGACT: 10.141.2.165`, pastebin.com/UYDQzQ5u); losses arrive as `+CGEV`.
 */
import { argsOf } from '../args.js';
import { at, atCommand, okCommand } from '../commands.js';
import { authNumber, iccidCommand, type Dialect } from '../dialect.js';
import { parseSgact } from '../vendor-parsers.js';

export const me910: Dialect = {
  id: 'me910',
  description: 'Telit ME910C1 (Cat-M1 / NB-IoT)',
  models: /ME910/i,
  cid: 1,
  pdpCid: 1,
  registration: ['eps', 'ps'],
  cmee: 2,
  iccid: iccidCommand('AT#CCID'),
  init: [],
  rat: (preference) => [
    {
      command: okCommand(`AT#WS46=${preference === 'lte-m' ? 0 : preference === 'nb-iot' ? 1 : 2}`),
      optional: true,
      quirk: '0 Cat-M1, 1 NB-IoT, 2 both; applied at the next attach',
    },
  ],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    // Telit support: context 1 needs its credentials through +CGAUTH at power on (ARMmbed/mbed-os#11365).
    { command: at.contextAuth(1, authNumber(s.auth), s.user, s.password), quirk: 'CGAUTH is needed for context 1 on ME910C1' },
  ],
  activate: () => [{ command: okCommand('AT#SGACT=1,1', 150_000), quirk: 'answers #SGACT: <ip> before OK' }],
  deactivate: () => [{ command: okCommand('AT#SGACT=1,0', 40_000) }],
  address: at.address(1),
  active: atCommand('AT#SGACT?', (response) =>
    response.lines.some((line) => {
      const args = argsOf(line, '#SGACT');
      const value = args === undefined ? undefined : parseSgact(args);
      return value !== undefined && 'cid' in value && value.cid === 1 && value.active;
    }),
  ),
  lossUrcs: [],
  reset: okCommand('AT#REBOOT', 15_000),
  bootUrc: undefined,
  quirks: [
    'errors as text with AT+CMEE=2: +CME ERROR: activation failed, context not opened (pastebin.com/UYDQzQ5u)',
    'no boot URC: the reset step polls AT',
    'AT#SGACT is the activation; +CGEV carries the loss',
  ],
};
