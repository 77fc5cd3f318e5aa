/** A module that speaks only 3GPP TS 27.007: the fallback profile. */
import { at } from '../commands.js';
import { authNumber, iccidCommand, type Dialect } from '../dialect.js';

export const generic: Dialect = {
  id: 'generic',
  description: 'generic 3GPP TS 27.007 module',
  models: /.*/,
  cid: 1,
  pdpCid: 1,
  registration: ['eps', 'ps'],
  cmee: 2,
  // `AT+CCID` is not in 27.007 but nearly universal; 27.007 has only `+CRSM` reads of EF_ICCID.
  iccid: iccidCommand('AT+CCID'),
  init: [],
  // 27.007 has no RAT preference command for Cat-M vs NB-IoT; a generic module keeps its own choice.
  rat: () => [],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    { command: at.contextAuth(1, authNumber(s.auth), s.user, s.password), optional: true, quirk: 'older modules lack +CGAUTH' },
  ],
  activate: () => [{ command: at.attach() }, { command: at.activate(1) }],
  deactivate: () => [{ command: at.deactivate(1) }],
  address: at.address(1),
  active: at.contextActive(1),
  lossUrcs: [],
  reset: at.reset(),
  bootUrc: 'RDY',
  quirks: ['registration read from +CEREG, with +CGREG as the fallback of 2G/3G modules'],
};
