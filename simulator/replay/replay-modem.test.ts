import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import type { RecordedLine, RecordingHeader } from '../../common/at-recording.js';
import { silentLogger } from '../../common/log.js';
import { ReplayModem } from './replay-modem.js';

const header: RecordingHeader = { type: 'cellgate-at-recording', version: 1, port: '/dev/ttyUSB2', started: '2026-01-01T00:00:00.000Z', tool: 'test' };
const recording: RecordedLine[] = [
  { t: 0, dir: 'rx', line: 'RDY' },
  { t: 100, dir: 'tx', line: 'AT' },
  { t: 110, dir: 'rx', line: 'OK' },
  { t: 200, dir: 'tx', line: 'AT+CGMM' },
  { t: 230, dir: 'rx', line: 'BG96' },
  { t: 230, dir: 'rx', line: 'OK' },
  { t: 300, dir: 'tx', line: 'AT+CSQ' },
  { t: 320, dir: 'rx', line: '+CSQ: 20,99' },
  { t: 320, dir: 'rx', line: 'OK' },
  { t: 5000, dir: 'rx', line: '+CEREG: 1' },
  { t: 6000, dir: 'tx', line: 'AT+QICSGP=1,1,"<redacted>","<redacted>","<redacted>",2' },
  { t: 6010, dir: 'rx', line: 'OK' },
  { t: 7000, dir: 'tx', line: 'AT+CSQ' },
  { t: 7020, dir: 'rx', line: '+CSQ: 25,99' },
  { t: 7020, dir: 'rx', line: 'OK' },
];

function replay(speed: number): { modem: ReplayModem; clock: VirtualClock; out: () => string[] } {
  const clock = new VirtualClock();
  const modem = new ReplayModem(header, recording, { clock, logger: silentLogger(), speed });
  let text = '';
  modem.onOutput((chunk) => (text += chunk.toString('latin1')));
  modem.start();
  return {
    modem,
    clock,
    out: () => {
      const lines = text.split(/\r\n/).filter(Boolean);
      text = '';
      return lines;
    },
  };
}

describe('ReplayModem', () => {
  it('answers each command with its recorded answer, at the recorded pace times speed', async () => {
    const { modem, clock, out } = replay(1);
    expect(out()).toEqual(['RDY']);
    modem.write('AT+CGMM\r');
    await clock.advance(29);
    expect(out()).toEqual([]);
    await clock.advance(1);
    expect(out()).toEqual(['BG96', 'OK']);
    // The URC that followed the first AT+CSQ is played after it, 4.68 s later.
    modem.write('AT+CSQ\r');
    await clock.advance(20);
    expect(out()).toEqual(['+CSQ: 20,99', 'OK']);
    await clock.advance(4680);
    expect(out()).toEqual(['+CEREG: 1']);
  });

  it('tolerates order, matches credentials redacted, reuses the last answer of a repeated poll, and reports the unseen', async () => {
    const { modem, clock, out } = replay(0);
    out();
    modem.write('AT+QICSGP=1,1,"soracom.io","sora","sora",2\r');
    expect(out()).toEqual(['OK']);
    modem.write('AT+CSQ\r');
    expect(out()).toEqual(['+CSQ: 25,99', 'OK']);
    modem.write('AT+CSQ\r');
    expect(out()).toEqual(['+CSQ: 20,99', 'OK', '+CEREG: 1']);
    modem.write('AT+CSQ\r');
    expect(out()).toEqual(['+CSQ: 20,99', 'OK', '+CEREG: 1']);
    modem.write('AT+QENG="servingcell"\r');
    expect(out()).toEqual(['ERROR']);
    await clock.advance(10);
    expect(modem.unseen).toEqual(['AT+QENG="servingcell"']);
    expect(modem.unused).toEqual(['AT', 'AT+CGMM']);
    expect(modem.answered).toBe(4);
  });

  it('refuses a negative speed', () => {
    expect(() => new ReplayModem(header, recording, { clock: new VirtualClock(), logger: silentLogger(), speed: -1 })).toThrow(/speed/);
  });
});
