/**
 * Quectel: BG95 / BG96 (Cat-M1 / NB-IoT) and EC25 / EG25-G (LTE Cat 4 with 3G/2G fallback).
 * Sources: Quectel BG96 / BG95 / EC2x AT manuals and TCP/IP application note; real captures in
 * agent/modem/*.test.ts and docs/modems.md.
 */
import { argsOf } from '../args.js';
import { at, atCommand, okCommand, quote } from '../commands.js';
import { authNumber, iccidCommand, type Dialect, type DialectId, type LossUrc, type RatPreference, type ScriptStep } from '../dialect.js';
import { parseQiact, parseQiurc } from '../parsers.js';

/** `AT+QCFG` rows; the trailing `,1` applies the setting immediately (no reboot). */
const catMRat = (preference: RatPreference): ScriptStep[] => {
  const mode = preference === 'lte-m' ? 0 : preference === 'nb-iot' ? 1 : 2;
  const seq = preference === 'nb-iot' ? '0302' : '0203';
  return [
    { command: okCommand(`AT+QCFG="iotopmode",${mode},1`), quirk: '0 Cat-M1, 1 NB-IoT, 2 both ("lte" on a Cat-M/NB module)' },
    { command: okCommand(`AT+QCFG="nwscanseq",${seq},1`), optional: true, quirk: 'preferred RAT first; BG95 firmwares accept 2-digit codes' },
    { command: okCommand('AT+QCFG="nwscanmode",3,1'), optional: true, quirk: 'LTE only: no GSM fallback (BG96 has 2G)' },
  ];
};

const lossUrcs: readonly LossUrc[] = [
  {
    prefix: '+QIURC',
    isLoss: (args, cid) => {
      const urc = parseQiurc(args);
      return urc.kind === 'pdpdeact' && (urc.cid === undefined || urc.cid === cid);
    },
    reason: 'pdp-deactivated',
  },
  { prefix: 'POWERED DOWN', isLoss: () => true, reason: 'module-powered-down' },
];

const qiactAddress = atCommand('AT+QIACT?', (response) => {
  for (const line of response.lines) {
    const args = argsOf(line, '+QIACT');
    const ctx = args === undefined ? undefined : parseQiact(args);
    if (ctx?.cid === 1 && ctx.active) return ctx.address;
  }
  return undefined;
});

function quectel(id: DialectId, description: string, models: RegExp, rat: (p: RatPreference) => readonly ScriptStep[], extraQuirks: string[]): Dialect {
  return {
    id,
    description,
    models,
    cid: 1,
    pdpCid: 1,
    registration: ['eps', 'ps'],
    cmee: 2,
    iccid: iccidCommand('AT+QCCID'),
    init: [],
    rat,
    apn: (s) => [
      { command: at.defineContext(1, s.apn) },
      {
        command: okCommand(`AT+QICSGP=1,1,${quote(s.apn)},${quote(s.user)},${quote(s.password)},${authNumber(s.auth)}`),
        quirk: 'the TCP/IP stack context (QIACT) has its own APN/auth, separate from +CGDCONT',
      },
    ],
    // Up to 150 s per the Quectel TCP/IP manual; the module attaches by itself (no +CGATT needed).
    // Newer BG96 firmware hangs on AT+CGACT (ARMmbed/mbed-os#9749): only AT+QIACT is used.
    activate: () => [{ command: okCommand('AT+QIACT=1', 150_000) }],
    deactivate: () => [{ command: okCommand('AT+QIDEACT=1', 40_000) }],
    address: qiactAddress,
    lossUrcs,
    reset: at.reset(),
    // `RDY` when the UART is up; on BG95 commands before `APP RDY` may answer ERROR (zephyr PR#57110).
    bootUrc: 'RDY',
    quirks: [
      'activation with AT+QIACT only: BG96MAR02A07M1G and later hang on AT+CGACT (ARMmbed/mbed-os#9749)',
      'boot: RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1, +QIND: SMS DONE (+QIND: PB DONE) (SeeedJP/WioLTEforArduino#5)',
      'AT+CMEE? reports 1 after boot (particle-iot/device-os#2555)',
      ...extraQuirks,
    ],
  };
}

export const bg95 = quectel('bg95', 'Quectel BG95 (Cat-M1 / NB-IoT)', /BG95/i, catMRat, [
  'AT+QCSQ modes "eMTC" / "NBIoT" (BG95 AT manual; particle-iot/device-os#2589)',
  'AT+QPOWD=1 may not print POWERED DOWN on BG95-M3 (zephyr PR#93072)',
]);

export const bg96 = quectel('bg96', 'Quectel BG96 (Cat-M1 / NB-IoT)', /BG96/i, catMRat, [
  'AT+QCSQ modes "CAT-M1" / "CAT-NB1" (FreeRTOS/FreeRTOS-Cellular-Interface#25)',
]);

/**
 * EC25 / EG25-G / EC21 are LTE Cat 4 (Cat 1 for EC21) with 3G/2G fallback: no Cat-M/NB choice to
 * make, so every preference keeps automatic RAT selection (`nwscanmode` 0) [choice].
 */
export const ec25 = quectel(
  'ec25',
  'Quectel EC25 / EG25-G / EC21 (LTE Cat 4 / Cat 1, 3G/2G fallback)',
  /\bE[CG]2[15]/i,
  () => [{ command: okCommand('AT+QCFG="nwscanmode",0,1'), optional: true, quirk: 'automatic: LTE first, then WCDMA/GSM; Cat-M/NB preferences do not apply' }],
  [
    'registration falls back to +CGREG on UTRAN/GERAN (+CEREG then reports 0)',
    'USB: AT port is interface 2 of 2c7c:0125 (ModemManager 77-mm-quectel-port-types.rules); a reset re-enumerates /dev/ttyUSB*',
  ],
);
