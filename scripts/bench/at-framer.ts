/**
 * AT framer throughput against serialport's ReadlineParser (the baseline) on the same bytes:
 * a generated mix of real module output (identification, registration reads, PDP queries,
 * CGLA APDU answers, CME errors, URCs in the middle of responses), cut into 64-byte reads like
 * a UART driver delivers them. Prints MB/s and lines/s for both and the ratio.
 *
 * Run: node dist/scripts/bench/at-framer.js [megabytes]
 */
import { performance } from 'node:perf_hooks';
import { printMachine, REPEATS, spread } from './_repeat.js';
import { ReadlineParser } from '@serialport/parser-readline';
import { AtFramer, type Expectation } from '../../agent/at/framer.js';
import { responsePrefixesOf } from '../../agent/at/urc-prefixes.js';

interface Exchange {
  readonly expectation: Expectation | undefined;
  readonly chunks: Uint8Array[];
  readonly lines: number;
}

const READ_SIZE = 64;
const encoder = new TextEncoder();

const EXCHANGES: readonly [string | undefined, string][] = [
  ['ATI', '\r\nQuectel\r\nBG96\r\nRevision: BG96MAR02A07M1G\r\n\r\nOK\r\n'],
  ['AT+CEREG?', '\r\n+CEREG: 2,1,"1A2B","01A2D101",7\r\n\r\nOK\r\n'],
  ['AT+CSQ', '\r\n+CSQ: 18,99\r\n\r\n+CEREG: 5,"1A2B","01A2D101",7\r\n\r\nOK\r\n'],
  ['AT+QIACT?', '\r\n+QIACT: 1,1,1,"10.170.208.114"\r\n\r\nOK\r\n'],
  ['AT+CNACT?', '\r\n+CNACT: 0,1,"10.160.33.7"\r\n+CNACT: 1,0,"0.0.0.0"\r\n+CNACT: 2,0,"0.0.0.0"\r\n\r\nOK\r\n'],
  ['AT+CGLA=1,16,"81E2910003BF2D00"', `\r\n+CGLA: 516,"${'BF2D'.padEnd(512, '0A1B2C3D')}9000"\r\n\r\nOK\r\n`],
  ['AT+CPIN?', '\r\n+CME ERROR: SIM not inserted\r\n'],
  ['AT+COPS?', '\r\n+COPS: 0,0,"NTT DOCOMO",7\r\n\r\nOK\r\n'],
  [undefined, '\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+CEREG: 2\r\n\r\n+QIURC: "pdpdeact",1\r\n'],
];

function countLines(text: string): number {
  return text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '').length;
}

function generate(targetBytes: number): { exchanges: Exchange[]; bytes: number; lines: number } {
  const exchanges: Exchange[] = [];
  let bytes = 0;
  let lines = 0;
  // A fixed linear congruential sequence keeps runs comparable without Math.random.
  let seed = 12345;
  while (bytes < targetBytes) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const [command, answer] = EXCHANGES[seed % EXCHANGES.length]!;
    const data = encoder.encode(answer);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += READ_SIZE) chunks.push(data.subarray(i, i + READ_SIZE));
    const expectation = command ? { text: command, responsePrefixes: responsePrefixesOf(command) } : undefined;
    const n = countLines(answer);
    exchanges.push({ expectation, chunks, lines: n });
    bytes += data.length;
    lines += n;
  }
  return { exchanges, bytes, lines };
}

function runFramer(exchanges: readonly Exchange[]): number {
  const framer = new AtFramer();
  let events = 0;
  for (const exchange of exchanges) {
    framer.expect(exchange.expectation);
    for (const chunk of exchange.chunks) events += framer.push(chunk).length;
  }
  return events;
}

function runReadline(exchanges: readonly Exchange[]): number {
  const parser = new ReadlineParser({ delimiter: '\r\n' });
  let lines = 0;
  parser.on('data', (line: string) => {
    if (line !== '') lines++;
  });
  for (const exchange of exchanges) for (const chunk of exchange.chunks) parser.write(chunk);
  parser.end();
  return lines;
}

function timed(run: () => number, rounds: number): { ms: number; median: number; count: number } {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    count = run();
    times.push(performance.now() - start);
  }
  const s = spread(times);
  return { ms: s.min, median: s.median, count };
}

function main(): void {
  const megabytes = Number(process.argv[2] ?? 4);
  const { exchanges, bytes, lines } = generate(megabytes * 1024 * 1024);
  runFramer(exchanges.slice(0, 2000));
  runReadline(exchanges.slice(0, 2000));
  printMachine('start');
  const framer = timed(() => runFramer(exchanges), REPEATS);
  const readline = timed(() => runReadline(exchanges), REPEATS);
  const mb = bytes / (1024 * 1024);
  const report = (name: string, r: { ms: number; median: number; count: number }): void => {
    const seconds = r.ms / 1000;
    console.log(
      `${name.padEnd(22)} best ${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${Math.round(lines / seconds)
        .toLocaleString('en-US')
        .padStart(11)} lines/s; median ${(mb / (r.median / 1000)).toFixed(1)} MB/s  (${r.count} events/lines, min ${r.ms.toFixed(1)} ms / median ${r.median.toFixed(1)} ms over ${REPEATS} runs)`,
    );
  };
  console.log(`input: ${mb.toFixed(2)} MB, ${lines} lines, ${exchanges.length} exchanges, ${READ_SIZE}-byte reads`);
  report('AtFramer', framer);
  report('ReadlineParser (base)', readline);
  console.log(`ratio AtFramer / ReadlineParser: ${(readline.ms / framer.ms).toFixed(2)}x (min), ${(readline.median / framer.median).toFixed(2)}x (median)`);
  printMachine('end');
}

main();
