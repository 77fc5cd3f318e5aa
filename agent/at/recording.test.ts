import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { parseRecording, redactForRecording, SessionRecorder, type RecordedLine, type RecordingHeader, type RecordingSink } from './recording.js';

function memorySink(): RecordingSink & { header0?: RecordingHeader; lines: RecordedLine[]; text(): string } {
  const lines: RecordedLine[] = [];
  const sink = {
    header0: undefined as RecordingHeader | undefined,
    lines,
    header(h: RecordingHeader) {
      sink.header0 = h;
    },
    line(r: RecordedLine) {
      lines.push(r);
    },
    close: async () => undefined,
    text: () => [JSON.stringify(sink.header0), ...lines.map((l) => JSON.stringify(l))].join('\n'),
  };
  return sink;
}

describe('redactForRecording', () => {
  it.each([
    ['AT+CPIN="1234"', 'tx', 'AT+CPIN=<redacted>'],
    ['AT+CPIN=1234', 'tx', 'AT+CPIN=<redacted>'],
    ['AT+CGAUTH=1,2,"sora","secret"', 'tx', 'AT+CGAUTH=1,2,"<redacted>","<redacted>"'],
    ['AT+QICSGP=1,1,"soracom.io","sora","sora",2', 'tx', 'AT+QICSGP=1,1,"<redacted>","<redacted>","<redacted>",2'],
    ['AT#SGACT=1,1,"egal","egal"', 'tx', 'AT#SGACT=1,1,"<redacted>","<redacted>"'],
    ['AT#SGACT=1,0', 'tx', 'AT#SGACT=1,0'],
    ['AT+UAUTHREQ=1,2,"u","p"', 'tx', 'AT+UAUTHREQ=1,2,"<redacted>","<redacted>"'],
    ['AT+CGDCONT=1,"IP","soracom.io"', 'tx', 'AT+CGDCONT=1,"IP","soracom.io"'],
    ['+QICSGP: 1,"soracom.io","sora","sora",2', 'rx', '+QICSGP: 1,"<redacted>","<redacted>","<redacted>",2'],
    ['+CGAUTH: 1,2,"sora"', 'rx', '+CGAUTH: 1,2,"<redacted>"'],
    ['+CSQ: 20,99', 'rx', '+CSQ: 20,99'],
  ] as const)('%s', (line, dir, expected) => {
    expect(redactForRecording(line, dir)).toBe(expected);
  });
});

describe('SessionRecorder', () => {
  it('records both directions with times, lines split on CR/LF, prompts as partial lines', async () => {
    const clock = new VirtualClock();
    const sink = memorySink();
    const recorder = new SessionRecorder(sink, clock, { port: '/dev/ttyUSB2', tool: 'test' });
    recorder.sent(Buffer.from('AT+CGAUTH=1,2,"u","p"\r'));
    await clock.advance(12);
    recorder.received(Buffer.from('\r\nO'));
    recorder.received(Buffer.from('K\r\n'));
    await clock.advance(3);
    recorder.sent(Buffer.from('AT+CMGS="123"\r'));
    recorder.received(Buffer.from('\r\n> '));
    await clock.advance(5);
    recorder.sent(Buffer.from('hello\x1a'));
    recorder.received(Buffer.from('\r\n+CMGS: 7\r\n\r\nOK\r\n'));
    await recorder.close();
    expect(sink.header0).toMatchObject({ type: 'cellgate-at-recording', version: 1, port: '/dev/ttyUSB2', tool: 'test' });
    expect(sink.lines).toEqual([
      { t: 0, dir: 'tx', line: 'AT+CGAUTH=1,2,"<redacted>","<redacted>"' },
      { t: 12, dir: 'rx', line: 'OK' },
      { t: 15, dir: 'tx', line: 'AT+CMGS="123"' },
      { t: 20, dir: 'rx', line: '> ', partial: true },
      { t: 20, dir: 'tx', line: 'hello\x1a', partial: true },
      { t: 20, dir: 'rx', line: '+CMGS: 7' },
      { t: 20, dir: 'rx', line: 'OK' },
    ]);
    // What was written reads back.
    expect(parseRecording(sink.text()).lines).toEqual(sink.lines);
  });

  it('parseRecording refuses what is not a recording, naming the line', () => {
    expect(() => parseRecording('')).toThrow(/empty/);
    expect(() => parseRecording('{"type":"x"}')).toThrow(/header/);
    expect(() => parseRecording('{"type":"cellgate-at-recording","version":9}')).toThrow(/version 9/);
    expect(() => parseRecording('{"type":"cellgate-at-recording","version":1}\n{"t":1}')).toThrow(/line 2/);
    expect(() => parseRecording('{"type":"cellgate-at-recording","version":1}\nnope')).toThrow(/line 2: not JSON/);
  });
});
