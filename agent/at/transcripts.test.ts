import { describe, expect, it } from 'vitest';
import { AtFramer, type FramerEvent } from './framer.js';
import { responsePrefixesOf } from './urc-prefixes.js';
import { loadTranscripts, type Transcript } from './fixtures/transcript.js';

/** Renders an event the way the transcripts write expectations. */
function render(event: FramerEvent): string {
  switch (event.kind) {
    case 'urc':
      return `urc ${event.prefix} | ${event.line}`;
    case 'prompt':
      return 'prompt';
    case 'overflow':
      return `overflow ${event.length}`;
    default:
      return `${event.kind} ${event.line}`;
  }
}

/** Plays a transcript into a framer, `chunkSize` bytes at a time; returns events and expectations. */
function play(transcript: Transcript, chunkSize: number): { actual: string[]; expected: string[] } {
  const framer = new AtFramer();
  const actual: string[] = [];
  const expected: string[] = [];
  for (const step of transcript.steps) {
    if (step.kind === 'send') {
      framer.expect({
        text: step.text,
        responsePrefixes: responsePrefixesOf(step.text),
        expectPrompt: step.payload !== undefined,
        payloadText: step.payload,
      });
    } else if (step.kind === 'receive') {
      for (let i = 0; i < step.bytes.length; i += chunkSize) {
        actual.push(...framer.push(step.bytes.subarray(i, i + chunkSize)).map(render));
      }
    } else {
      expected.push(step.text === '' ? step.event : `${step.event} ${step.text}`);
    }
  }
  return { actual, expected };
}

const transcripts = loadTranscripts();

describe('real module transcripts', () => {
  it('covers every dialect', () => {
    expect(transcripts.map((t) => t.name)).toEqual([
      'generic-27007.at',
      'nordic-nrf9160.at',
      'quectel-bg95.at',
      'quectel-bg96.at',
      'quectel-ec25.at',
      'simcom-sim7080g.at',
      'simcom-sim7600.at',
      'telit-me910.at',
      'ublox-sara.at',
      'vendor-finals.at',
    ]);
  });

  for (const transcript of transcripts) {
    it(`${transcript.name}: whole chunks give the expected events`, () => {
      const { actual, expected } = play(transcript, Number.MAX_SAFE_INTEGER);
      expect(expected.length).toBeGreaterThan(5);
      expect(actual).toEqual(expected);
    });

    it(`${transcript.name}: one byte at a time gives the same events`, () => {
      const { actual, expected } = play(transcript, 1);
      expect(actual).toEqual(expected);
    });
  }
});
