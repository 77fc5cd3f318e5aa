/**
 * SIMCom: SIM7080G (Cat-M / NB-IoT, app network `AT+CNACT`) and SIM7600 (LTE Cat 1/4 with 3G/2G
 * fallback, 27.007 `AT+CGACT` contexts). Sources: SIMCom AT manuals; real captures cited in
 * docs/modems.md.
 */
import { argsOf } from '../args.js';
import { at, atCommand, okCommand, quote } from '../commands.js';
import { authNumber, iccidCommand, type Dialect } from '../dialect.js';
import { parseAppPdp, parseCnact } from '../parsers.js';

export const sim7080: Dialect = {
  id: 'sim7080',
  description: 'SIMCom SIM7080G (Cat-M / NB-IoT)',
  models: /SIM70[789]0/i,
  // `AT+CNACT` PDP indexes are 0..3; index 0 is the one the app network uses, on context 1.
  cid: 0,
  pdpCid: 1,
  // SIM7000/7080 answer +CGREG poorly on LTE (technocreatives/sim7000#54): +CEREG only.
  registration: ['eps'],
  cmee: 2,
  iccid: iccidCommand('AT+CCID'),
  init: [],
  rat: (preference) => [
    { command: okCommand('AT+CNMP=38'), quirk: '38 = LTE only (2 = automatic)' },
    { command: okCommand(`AT+CMNB=${preference === 'lte-m' ? 1 : preference === 'nb-iot' ? 2 : 3}`), quirk: '1 Cat-M, 2 NB-IoT, 3 both' },
  ],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    {
      command: okCommand(
        s.auth === 'none'
          ? `AT+CNCFG=0,1,${quote(s.apn)}`
          : `AT+CNCFG=0,1,${quote(s.apn)},${quote(s.user)},${quote(s.password)},${authNumber(s.auth)}`,
      ),
      quirk: 'the app network (CNACT) context has its own APN/auth',
    },
  ],
  // Never `AT+CGACT` here: it activates a context the app network does not see (SIMCom note).
  activate: () => [
    { command: at.attach(), optional: true, quirk: 'already attached on most firmwares; ERROR is harmless' },
    { command: okCommand('AT+CNACT=0,1', 150_000), quirk: 'OK first, then +APP PDP: 0,ACTIVE' },
  ],
  deactivate: () => [{ command: okCommand('AT+CNACT=0,0', 40_000) }],
  address: atCommand('AT+CNACT?', (response) => {
    for (const line of response.lines) {
      const args = argsOf(line, '+CNACT');
      const ctx = args === undefined ? undefined : parseCnact(args);
      if (ctx?.cid === 0 && ctx.active) return ctx.address;
    }
    return undefined;
  }),
  lossUrcs: [
    {
      prefix: '+APP PDP',
      isLoss: (args, cid) => {
        const urc = parseAppPdp(args);
        return urc !== undefined && !urc.active && urc.cid === cid;
      },
      reason: 'pdp-deactivated',
    },
    { prefix: 'NORMAL POWER DOWN', isLoss: () => true, reason: 'module-powered-down' },
  ],
  reset: at.reset(),
  bootUrc: 'RDY',
  quirks: [
    'AT+CPOWD=1 prints NORMAL POWER DOWN (Xinyuan-LilyGO/LilyGo-T-SIM7080G#98)',
    'a profile switch shows only after a CFUN 0/1 cycle',
  ],
};

/**
 * SIM7600: the PDP context is the 27.007 one (`AT+CGACT=1,1`, `AT+CGPADDR=1`); `AT+NETOPEN`
 * opens SIMCom's socket stack on top and is not needed for the session (it fails on some
 * firmware even with an active context: Xinyuan-LilyGO/T-SIM7600X#90).
 */
export const sim7600: Dialect = {
  id: 'sim7600',
  description: 'SIMCom SIM7600 (LTE Cat 1/4, 3G/2G fallback)',
  models: /SIM7[56]00/i,
  cid: 1,
  pdpCid: 1,
  registration: ['eps', 'ps'],
  cmee: 2,
  // SIM7600 answers AT+CICCID with `+ICCID: <iccid>`.
  iccid: iccidCommand('AT+CICCID'),
  init: [],
  rat: () => [{ command: okCommand('AT+CNMP=2'), optional: true, quirk: '2 = automatic (LTE first, then WCDMA/GSM); Cat-M/NB preferences do not apply' }],
  apn: (s) => [
    { command: at.defineContext(1, s.apn) },
    { command: at.contextAuth(1, authNumber(s.auth), s.user, s.password), optional: true, quirk: 'CGAUTH for context 1' },
  ],
  activate: () => [
    { command: at.attach(), optional: true, quirk: 'already attached after registration on most firmwares' },
    { command: at.activate(1) },
  ],
  deactivate: () => [{ command: at.deactivate(1) }],
  address: at.address(1),
  active: at.contextActive(1),
  lossUrcs: [],
  // SIMCom's own reset (TinyGSM restartImpl for SIM7600); boot URCs follow as after power-on.
  reset: okCommand('AT+CRESET', 15_000),
  bootUrc: 'RDY',
  quirks: [
    'boot: RDY, +CPIN: READY, SMS DONE, PB DONE (espressif/esp-protocols#789; Xinyuan-LilyGO/T-SIM7600X#90)',
    'loss seen as +CGEV: NW PDN DEACT 1 / ME DETACH; SIMCom also prints +CGEV: EPS PDN ACT 1 (LilyGo-Modem-Series#110)',
    'AT+SIMCOMATI gives the labelled identity (Manufacturer: SIMCOM INCORPORATED, Model: SIMCOM_SIM7600G-H...)',
  ],
};
