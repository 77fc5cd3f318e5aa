/**
 * u-blox SARA-R4 (Cat-M1 / NB-IoT, 2G on R412M) and SARA-R5 (Cat-M1 / NB-IoT). Sources: u-blox
 * SARA-R4/N4 AT manual UBX-17003787 and SARA-R5 AT manual; real captures cited in docs/modems.md.
 *
 * SARA-R4 has no internal PSD profiles (`AT+UPSD*`, vshymanskyy/TinyGSM#244): the session is the
 * 27.007 context 1. SARA-R5 maps PSD profile 0 onto context 1 (`AT+UPSD=0,100,1`) and activates
 * it with `AT+UPSDA=0,3`, which answers OK at once and reports `+UUPSDA: 0,"<ip>"` later
 * (FactbirdHQ/ublox-cellular-rs at_logs/startup.md); `+UUPSDD: 0` is its loss.
 */
import { argsOf } from '../args.js';
import { at, atCommand, okCommand, quote } from '../commands.js';
import { authNumber, iccidCommand, type ApnSettings, type Dialect, type RatPreference, type ScriptStep } from '../dialect.js';
import { parseUpsnd, parseUupsdd } from '../vendor-parsers.js';

/** `AT+URAT`: 7 LTE Cat-M1, 8 NB-IoT; a list sets the order. Changing it needs a deregistration. */
const urat = (preference: RatPreference): ScriptStep[] => [
  { command: okCommand('AT+COPS=2', 10_000), optional: true, quirk: 'URAT changes are refused while registered' },
  { command: okCommand(`AT+URAT=${preference === 'lte-m' ? '7' : preference === 'nb-iot' ? '8' : '7,8'}`) },
  { command: okCommand('AT+COPS=0', 10_000), optional: true, quirk: 'automatic operator selection again' },
];

/** `AT+UAUTHREQ=<cid>,<auth_type>,<user>,<password>`: 0 none, 1 PAP, 2 CHAP (u-blox numbering). */
const uauthreq = (s: ApnSettings): ScriptStep => ({
  command: okCommand(s.auth === 'none' ? 'AT+UAUTHREQ=1,0' : `AT+UAUTHREQ=1,${authNumber(s.auth)},${quote(s.user)},${quote(s.password)}`),
  optional: true,
  quirk: 'u-blox authentication (AT+CGAUTH is not on every SARA firmware)',
});

const ublox = {
  pdpCid: 1,
  cmee: 2 as const,
  iccid: iccidCommand('AT+CCID'),
  init: [],
  rat: urat,
  apn: (s: ApnSettings) => [{ command: at.defineContext(1, s.apn) }, uauthreq(s)],
  // SARA prints no boot URC unless told to: the reset step polls AT (docs/agent.md).
  bootUrc: undefined,
};

export const saraR4: Dialect = {
  ...ublox,
  id: 'sara-r4',
  description: 'u-blox SARA-R4 (Cat-M1 / NB-IoT; R412M adds 2G)',
  models: /SARA-R4\d\d/i,
  cid: 1,
  registration: ['eps', 'ps'],
  // Registered is not yet attached on SARA-R4 (u-blox/ubxlib#158): AT+CGATT=1 first.
  activate: () => [{ command: at.attach() }, { command: at.activate(1) }],
  deactivate: () => [{ command: at.deactivate(1) }],
  address: at.address(1),
  active: at.contextActive(1),
  lossUrcs: [],
  // SARA-R4 supports CFUN 0,1,4,15 (vshymanskyy/TinyGSM#257): 15 is its reset.
  reset: okCommand('AT+CFUN=15', 15_000),
  quirks: [
    'no AT+UPSD* on SARA-R4 (vshymanskyy/TinyGSM#244): 27.007 context 1 with AT+CGACT',
    'AT+CFUN=16 answers ERROR; the reset is AT+CFUN=15 (vshymanskyy/TinyGSM#257)',
    'registered is not attached: AT+CGATT=1 before AT+CGACT (u-blox/ubxlib#158)',
    'AT+URAT only while deregistered (AT+COPS=2 first)',
    'AT+UMNOPROF selects the operator profile; firmware 05.12 enables PSM with UMNOPROF=100 (particle-iot/device-os#2317) — the agent leaves it as configured',
  ],
};

export const saraR5: Dialect = {
  ...ublox,
  id: 'sara-r5',
  description: 'u-blox SARA-R5 (Cat-M1 / NB-IoT, internal PSD profiles)',
  models: /SARA-R5\d\d/i,
  // PSD profile 0, carried on context 1.
  cid: 0,
  registration: ['eps'],
  activate: () => [
    { command: at.activate(1), optional: true, quirk: 'the context first; some firmware activates it with the profile' },
    { command: okCommand('AT+UPSD=0,100,1'), quirk: 'map PSD profile 0 onto context 1' },
    { command: okCommand('AT+UPSDA=0,3', 180_000), quirk: 'OK at once, then +UUPSDA: 0,"<ip>"' },
  ],
  deactivate: () => [{ command: okCommand('AT+UPSDA=0,4', 40_000) }],
  address: atCommand('AT+UPSND=0,0', (response) => {
    for (const line of response.lines) {
      const args = argsOf(line, '+UPSND');
      const value = args === undefined ? undefined : parseUpsnd(args);
      if (value?.profile === 0 && value.tag === 0 && value.value !== '' && value.value !== '0.0.0.0') return value.value;
    }
    return undefined;
  }),
  active: atCommand('AT+UPSND=0,8', (response) =>
    response.lines.some((line) => {
      const args = argsOf(line, '+UPSND');
      const value = args === undefined ? undefined : parseUpsnd(args);
      return value?.tag === 8 && value.value === '1';
    }),
  ),
  lossUrcs: [
    {
      prefix: '+UUPSDD',
      isLoss: (args, cid) => parseUupsdd(args) === cid,
      reason: 'pdp-deactivated',
    },
  ],
  // SARA-R5: 16 resets the module and the SIM (u-blox functionality modes, UBX-13002752 §5.3.3).
  reset: okCommand('AT+CFUN=16', 15_000),
  quirks: [
    'AT+UPSDA=0,3 answers OK before the address: +UUPSDA: 0,"<ip>" follows (FactbirdHQ/ublox-cellular-rs startup.md)',
    '+UUPSDD: 0 when the profile is lost (FactbirdHQ/ublox-cellular-rs emnify_reset_connectivity.md)',
    'AT+CGMM gives SARA-R510M8S, ATI0 SARA-R510M8S-00B-03 (u-blox/ubxlib#224)',
  ],
};
