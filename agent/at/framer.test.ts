import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AtFramer, type FramerEvent } from './framer.js';
import { responsePrefixesOf } from './urc-prefixes.js';
import { loadTranscripts } from './fixtures/transcript.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function feed(framer: AtFramer, input: Uint8Array | string, chunkSize = Number.MAX_SAFE_INTEGER): FramerEvent[] {
  const data = typeof input === 'string' ? bytes(input) : input;
  const events: FramerEvent[] = [];
  for (let i = 0; i < data.length; i += chunkSize) events.push(...framer.push(data.subarray(i, i + chunkSize)));
  return events;
}

function inFlight(text: string, extra: { expectPrompt?: boolean; payloadText?: string } = {}): AtFramer {
  const framer = new AtFramer();
  framer.expect({ text, responsePrefixes: responsePrefixesOf(text), ...extra });
  return framer;
}

describe('AtFramer', () => {
  it('reads a response fed one byte at a time', () => {
    const events = feed(inFlight('AT+CSQ'), '\r\n+CSQ: 18,99\r\n\r\nOK\r\n', 1);
    expect(events).toEqual([
      { kind: 'info', line: '+CSQ: 18,99' },
      { kind: 'final', line: 'OK', result: { kind: 'ok' } },
    ]);
  });

  it('dispatches a URC arriving in the middle of a response and keeps the answer whole', () => {
    const events = feed(inFlight('AT+COPS?'), '\r\n+COPS: 0,0,"Op",7\r\n\r\n+CEREG: 5\r\n\r\nOK\r\n');
    expect(events.map((e) => e.kind)).toEqual(['info', 'urc', 'final']);
    expect(events[1]).toEqual({ kind: 'urc', prefix: '+CEREG', line: '+CEREG: 5', args: '5' });
  });

  it('takes a line with the in-flight command prefix as the answer, not a URC', () => {
    const cereg = feed(inFlight('AT+CEREG?'), '\r\n+CEREG: 2,1,"1A2B","01A2D101",7\r\nOK\r\n');
    expect(cereg[0]).toEqual({ kind: 'info', line: '+CEREG: 2,1,"1A2B","01A2D101",7' });
    const cpin = feed(inFlight('AT+CPIN?'), '\r\n+CPIN: READY\r\n\r\nOK\r\n');
    expect(cpin[0]).toEqual({ kind: 'info', line: '+CPIN: READY' });
    // The same line with nothing in flight is a URC.
    expect(feed(new AtFramer(), '\r\n+CPIN: READY\r\n')[0]).toMatchObject({ kind: 'urc', prefix: '+CPIN' });
  });

  it('recognises the echo of the command (ATE1) only before the answer', () => {
    const events = feed(inFlight('AT+CGMM'), 'AT+CGMM\r\r\nAT+CGMM\r\n\r\nOK\r\n');
    expect(events.map((e) => e.kind)).toEqual(['echo', 'info', 'final']);
  });

  it('accepts CR LF, lone CR, lone LF and empty lines alike', () => {
    for (const eol of ['\r\n', '\r', '\n', '\n\r', '\r\r\n']) {
      const events = feed(inFlight('ATI'), `${eol}Quectel${eol}${eol}BG96${eol}OK${eol}`);
      expect(events.map((e) => (e.kind === 'prompt' || e.kind === 'overflow' ? e.kind : e.line))).toEqual([
        'Quectel',
        'BG96',
        'OK',
      ]);
    }
  });

  it('keeps a partial line across chunks and emits nothing before its end', () => {
    const framer = inFlight('AT+CGMI');
    expect(framer.push(bytes('\r\nQuec'))).toEqual([]);
    expect(framer.push(bytes('tel\r'))).toEqual([{ kind: 'info', line: 'Quectel' }]);
  });

  it('strips garbage bytes before a line (power-on noise, invalid UTF-8, NULs)', () => {
    const framer = new AtFramer();
    const noise = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
    const events = feed(framer, Uint8Array.from([...noise, ...bytes('RDY\r\n')]));
    expect(events).toEqual([{ kind: 'urc', prefix: 'RDY', line: 'RDY', args: '' }]);
  });

  it('reports a pure-garbage line as information, never throws', () => {
    const events = feed(inFlight('AT'), Uint8Array.from([0x41, 0xff, 0x42, 0x0d, 0x0a, ...bytes('OK\r\n')]));
    expect(events[0]).toEqual({ kind: 'info', line: 'A\ufffdB' });
    expect(events[1]).toMatchObject({ kind: 'final', line: 'OK' });
  });

  it('parses CME and CMS errors: numbers with AT+CMEE=1, text with AT+CMEE=2', () => {
    const finals = ['+CME ERROR: 10', '+CME ERROR: SIM not inserted', '+CMS ERROR: 500', '+CMS ERROR: unknown error', '+CME ERROR:'].map(
      (line) => feed(inFlight('AT+X'), `\r\n${line}\r\n`)[0],
    );
    expect(finals.map((e) => (e?.kind === 'final' ? e.result : undefined))).toEqual([
      { kind: 'cme', code: 10 },
      { kind: 'cme', text: 'SIM not inserted' },
      { kind: 'cms', code: 500 },
      { kind: 'cms', text: 'unknown error' },
      { kind: 'cme' },
    ]);
  });

  it('recognises every V.250 final result', () => {
    const lines = ['OK', 'ERROR', 'NO CARRIER', 'CONNECT', 'CONNECT 150000000', 'BUSY', 'NO ANSWER', 'NO DIALTONE'];
    const kinds = lines.map((line) => {
      const e = feed(inFlight('ATD*99#'), `\r\n${line}\r\n`)[0];
      return e?.kind === 'final' ? e.result : e;
    });
    expect(kinds).toEqual([
      { kind: 'ok' },
      { kind: 'error' },
      { kind: 'no-carrier' },
      { kind: 'connect' },
      { kind: 'connect', text: '150000000' },
      { kind: 'busy' },
      { kind: 'no-answer' },
      { kind: 'no-dialtone' },
    ]);
  });

  it('clears the in-flight command on its final result', () => {
    const framer = inFlight('AT+CPIN?');
    const events = feed(framer, '\r\nOK\r\n\r\n+CPIN: NOT READY\r\n');
    expect(framer.inFlight).toBe(false);
    expect(events[1]).toMatchObject({ kind: 'urc', prefix: '+CPIN' });
  });

  it('reports the prompt only while one is expected, and swallows its space', () => {
    const framer = inFlight('AT+CMGS="+8190"', { expectPrompt: true, payloadText: 'hi' });
    expect(feed(framer, '\r\n> ', 1)).toEqual([{ kind: 'prompt' }]);
    expect(feed(framer, 'hi\r\n+CMGS: 3\r\n\r\nOK\r\n')).toEqual([
      { kind: 'echo', line: 'hi' },
      { kind: 'info', line: '+CMGS: 3' },
      { kind: 'final', line: 'OK', result: { kind: 'ok' } },
    ]);
    // Without an expected prompt, a line starting with '>' is ordinary text.
    expect(feed(inFlight('AT+X'), '\r\n> quoted\r\n')).toEqual([{ kind: 'info', line: '> quoted' }]);
  });

  it('bounds an overlong line: reports it once, drops its bytes, keeps what follows', () => {
    const framer = new AtFramer({ maxLineLength: 64 });
    framer.expect({ text: 'AT+CGLA=1,10,"00"', responsePrefixes: ['+CGLA'] });
    const long = `+CGLA: 400,"${'A'.repeat(400)}"`;
    const events = feed(framer, `\r\n${long}\r\n\r\nOK\r\n`, 7);
    expect(events).toEqual([
      { kind: 'overflow', limit: 64, length: long.length },
      { kind: 'final', line: 'OK', result: { kind: 'ok' } },
    ]);
  });

  it('lets subscribers add URC prefixes (reference counted)', () => {
    const framer = new AtFramer();
    framer.expect({ text: 'AT+X', responsePrefixes: ['+X'] });
    expect(feed(framer, '\r\n+MYURC: 1\r\n')[0]).toMatchObject({ kind: 'info' });
    framer.registerUrcPrefix('+MYURC:');
    framer.registerUrcPrefix('+MYURC');
    framer.unregisterUrcPrefix('+MYURC');
    expect(feed(framer, '\r\n+MYURC: 2\r\n')[0]).toMatchObject({ kind: 'urc', prefix: '+MYURC', args: '2' });
    framer.unregisterUrcPrefix('+MYURC');
    expect(feed(framer, '\r\n+MYURC: 3\r\n')[0]).toMatchObject({ kind: 'info' });
  });

  it('does not take a longer word for a bare URC (RDYX is not RDY)', () => {
    expect(feed(new AtFramer(), 'RDYX\r\n')[0]).toEqual({ kind: 'info', line: 'RDYX' });
  });

  it('reports NO CARRIER with nothing in flight as a URC (dropped data call)', () => {
    expect(feed(new AtFramer(), '\r\nNO CARRIER\r\n')[0]).toEqual({ kind: 'urc', prefix: 'NO CARRIER', line: 'NO CARRIER', args: '' });
  });
});

describe('AtFramer properties', () => {
  it('never throws on random bytes, and its memory stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.boolean(), (chunks, prompt) => {
        const framer = new AtFramer({ maxLineLength: 128 });
        framer.expect({ text: 'AT+CMGS=1', responsePrefixes: ['+CMGS'], expectPrompt: prompt });
        for (const chunk of chunks) {
          for (const event of framer.push(chunk)) {
            if (event.kind !== 'prompt' && event.kind !== 'overflow') expect(event.line.length).toBeLessThanOrEqual(128);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same events for any chunking of a real transcript', () => {
    const transcripts = loadTranscripts();
    const replay = (cuts: number[], transcriptIndex: number): FramerEvent[] => {
      const transcript = transcripts[transcriptIndex % transcripts.length]!;
      const framer = new AtFramer();
      const events: FramerEvent[] = [];
      let cut = 0;
      for (const step of transcript.steps) {
        if (step.kind === 'send') {
          framer.expect({ text: step.text, responsePrefixes: responsePrefixesOf(step.text), expectPrompt: step.payload !== undefined });
        } else if (step.kind === 'receive') {
          let at = 0;
          while (at < step.bytes.length) {
            const size = 1 + (cuts[cut++ % cuts.length] ?? 0);
            events.push(...framer.push(step.bytes.subarray(at, at + size)));
            at += size;
          }
        }
      }
      return events;
    };
    fc.assert(
      fc.property(fc.array(fc.nat(40), { minLength: 1, maxLength: 30 }), fc.nat(), (cuts, index) => {
        expect(replay(cuts, index)).toEqual(replay([1_000_000], index));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same events for any chunking of random bytes mixed with AT lines', () => {
    const piece = fc.oneof(
      fc.constantFrom('\r\n', '\r', '\n', 'OK', '+CEREG: 1', 'RDY', '> ', '+CME ERROR: 10', 'AT+CSQ'),
      fc.uint8Array({ maxLength: 20 }).map((b) => new TextDecoder('latin1').decode(b)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(15), { minLength: 1 }), (pieces, cuts) => {
        const data = Uint8Array.from(pieces.join(''), (c) => c.charCodeAt(0) & 0xff);
        const make = (): AtFramer => {
          const f = new AtFramer({ maxLineLength: 32 });
          f.expect({ text: 'AT+CSQ', responsePrefixes: ['+CSQ'], expectPrompt: true });
          return f;
        };
        const whole = make().push(data);
        const framer = make();
        const chunked: FramerEvent[] = [];
        let at = 0;
        let i = 0;
        while (at < data.length) {
          const size = 1 + cuts[i++ % cuts.length]!;
          chunked.push(...framer.push(data.subarray(at, at + size)));
          at += size;
        }
        expect(chunked).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
