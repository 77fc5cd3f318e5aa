/**
 * Final result codes as real modules print them, each with its source (notation as in
 * agent/modem/registration.test.ts). Every one ends the command; none is information text.
 */
import { describe, expect, it } from 'vitest';
import { describeFinal, isSuccess, parseFinalResult } from './final-result.js';
import type { FinalResult } from './types.js';

const rows: Array<[source: string, line: string, expected: FinalResult]> = [
  ['SeeedJP/WioLTEforArduino#5 (EC21-J, SIM not read yet)', '+CME ERROR: 10', { kind: 'cme', code: 10 }],
  ['SeeedJP/WioLTEforArduino#5 (EC21-J, SIM busy)', '+CME ERROR: 14', { kind: 'cme', code: 14 }],
  ['loboris/MicroPython_ESP32_psRAM_LoBo#220 (A7, no space after the colon)', '+CME ERROR:53', { kind: 'cme', code: 53 }],
  ['zephyrproject-rtos/zephyr#22692 (u-blox SARA-U2)', '+CME ERROR: 113', { kind: 'cme', code: 113 }],
  ['estkme-group/lpac#187 (Sierra EM9191, AT+CMEE=2)', '+CME ERROR: Parameters error', { kind: 'cme', text: 'Parameters error' }],
  ['pastebin.com/UYDQzQ5u (Telit, AT#SD)', '+CME ERROR: context not opened', { kind: 'cme', text: 'context not opened' }],
  ['pastebin.com/UYDQzQ5u (Telit, AT#SGACT)', '+CME ERROR: activation failed', { kind: 'cme', text: 'activation failed' }],
  ['gammu/gammu libgammu/phone/at/atgen.c (Samsung, empty location)', '+CME ERROR:-1', { kind: 'cme', code: -1 }],
  ['gammu/gammu#138 (Huawei E1752, AT+CPROT=?)', 'COMMAND NOT SUPPORT', { kind: 'error', text: 'COMMAND NOT SUPPORT' }],
  ['gammu/gammu#680 (Huawei, AT+SYNCML=?)', 'COMMAND NOT SUPPORT', { kind: 'error', text: 'COMMAND NOT SUPPORT' }],
  // gammu libgammu/protocol/at/at.c lists the prefix for the Motorola A1200; the number varies.
  ['gammu/gammu libgammu/protocol/at/at.c (Motorola A1200)', 'MODEM ERROR: 0', { kind: 'error', text: 'MODEM ERROR: 0' }],
  ['u-blox SARA-R4/N4 AT manual UBX-17003787 (aborted command)', 'ABORTED', { kind: 'aborted' }],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#110 (SIM7600, AT+NETCLOSE)', 'ERROR', { kind: 'error' }],
  ['ARMmbed/mbed-os#14510 (SARA-R500S, ATD*99***1#)', 'CONNECT', { kind: 'connect' }],
  ['pastebin.com/HwvgEut9 (chat script ABORT)', 'NO CARRIER', { kind: 'no-carrier' }],
  ['Xinyuan-LilyGO/T-SIM7600X#90 (SIM7600G-H)', 'OK', { kind: 'ok' }],
];

describe('final results from real modules', () => {
  it.each(rows)('%s: %s', (_source, line, expected) => {
    expect(parseFinalResult(line)).toEqual(expected);
  });

  it('vendor finals are failures and describe themselves as printed', () => {
    for (const line of ['COMMAND NOT SUPPORT', 'MODEM ERROR: 0', 'ABORTED']) {
      const result = parseFinalResult(line)!;
      expect(isSuccess(result)).toBe(false);
      expect(describeFinal(result)).toBe(line);
    }
    expect(describeFinal({ kind: 'error' })).toBe('ERROR');
  });

  it('information lines are not finals', () => {
    for (const line of ['+CMEE: 2', 'SMS DONE', 'COMMAND', '+CEREG: 1', 'MODEM READY']) expect(parseFinalResult(line)).toBeUndefined();
  });
});
