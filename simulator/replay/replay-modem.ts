/**
 * A recorded session served as a modem (`cellgate sim --replay FILE`): each command the host
 * writes is answered with what the real module answered to the same command in the recording,
 * with the recorded timing scaled by `speed` (1 as recorded, 0.1 ten times faster, 0 at once).
 *
 * The recording is cut into exchanges: a command line and the lines the module sent until the
 * next command (its answer, then any URC before the next command). A command is matched by its
 * text (credentials compared redacted, as they were recorded): the next unused exchange with the
 * same text after the current position, else the earliest unused one, else the last one used
 * (repeated polls such as `AT+CSQ` reuse their answer). A command the recording never saw is
 * answered `ERROR` and listed in `unseen` — what a bench must record again.
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { LineSplitter, redactForRecording, type RecordedLine, type RecordingHeader } from '../../common/at-recording.js';
import type { ModemPort } from '../transport/modem-port.js';

interface Exchange {
  readonly command: string;
  /** Lines the module sent after the command, with their delay from it. */
  readonly replies: ReadonlyArray<{ readonly delayMs: number; readonly line: string; readonly partial: boolean }>;
  used: boolean;
}

export interface ReplayOptions {
  clock: Clock;
  logger: Logger;
  /** Multiplies the recorded delays (default 1). */
  speed?: number;
}

/** The exchanges of a recording, and the lines the module sent before the first command. */
export function exchangesOf(lines: readonly RecordedLine[]): { preamble: Exchange['replies']; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const preamble: Array<Exchange['replies'][number]> = [];
  let current: { command: string; t: number; replies: Array<Exchange['replies'][number]> } | undefined;
  for (const record of lines) {
    if (record.dir === 'tx') {
      if (current) exchanges.push({ command: current.command, replies: current.replies, used: false });
      current = { command: record.line.trim(), t: record.t, replies: [] };
      continue;
    }
    const reply = { delayMs: Math.max(0, record.t - (current?.t ?? 0)), line: record.line, partial: record.partial === true };
    (current ? current.replies : preamble).push(reply);
  }
  if (current) exchanges.push({ command: current.command, replies: current.replies, used: false });
  return { preamble, exchanges };
}

export class ReplayModem implements ModemPort {
  private readonly exchanges: Exchange[];
  private readonly preamble: Exchange['replies'];
  private readonly speed: number;
  private cursor = 0;
  private lastUsed = new Map<string, Exchange>();
  private readonly unseenCommands = new Set<string>();
  private readonly listeners = new Set<(chunk: Buffer) => void>();
  private readonly timers = new Set<TimerHandle>();
  private readonly input: LineSplitter;
  private closed = false;
  readonly description: { manufacturer: string; serialNumber: string };
  /** Commands answered so far (for reports and tests). */
  answered = 0;

  constructor(
    readonly header: RecordingHeader,
    lines: readonly RecordedLine[],
    private readonly options: ReplayOptions,
  ) {
    const { preamble, exchanges } = exchangesOf(lines);
    this.preamble = preamble;
    this.exchanges = exchanges;
    this.speed = options.speed ?? 1;
    if (!Number.isFinite(this.speed) || this.speed < 0) throw new RangeError(`speed must be a number >= 0, got ${this.speed}`);
    this.description = { manufacturer: 'cellgate-replay', serialNumber: header.port };
    this.input = new LineSplitter((line) => this.onCommand(line));
  }

  /** Starts the replay: the lines the module sent before any command (boot URCs). */
  start(): void {
    this.play(this.preamble);
  }

  /** Commands the recording never saw, in the order they first came. */
  get unseen(): readonly string[] {
    return [...this.unseenCommands];
  }

  /** Exchanges of the recording never asked for. */
  get unused(): readonly string[] {
    return this.exchanges.filter((e) => !e.used).map((e) => e.command);
  }

  write(data: Uint8Array | string): void {
    if (this.closed) return;
    this.input.push(data);
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    // A payload after a prompt ends with Ctrl-Z rather than CR.
    if (text.includes('\x1a')) this.input.flush();
  }

  onOutput(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get portPresent(): boolean {
    return !this.closed;
  }

  onPortChange(): () => void {
    return () => undefined;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }

  private onCommand(raw: string): void {
    const command = redactForRecording(raw.trim(), 'tx');
    if (command === '') return;
    const exchange = this.match(command);
    if (!exchange) {
      if (!this.unseenCommands.has(command)) this.options.logger.warn({ command }, 'replay: a command the recording never saw; answering ERROR');
      this.unseenCommands.add(command);
      this.emit('\r\nERROR\r\n');
      return;
    }
    this.answered++;
    this.play(exchange.replies);
  }

  private match(command: string): Exchange | undefined {
    const same = (e: Exchange): boolean => e.command === command;
    let index = this.exchanges.findIndex((e, i) => i >= this.cursor && !e.used && same(e));
    if (index < 0) index = this.exchanges.findIndex((e) => !e.used && same(e));
    if (index >= 0) {
      const exchange = this.exchanges[index]!;
      exchange.used = true;
      this.cursor = index + 1;
      this.lastUsed.set(command, exchange);
      return exchange;
    }
    return this.lastUsed.get(command);
  }

  private play(replies: Exchange['replies']): void {
    for (const reply of replies) {
      const bytes = reply.partial ? `\r\n${reply.line}` : `\r\n${reply.line}\r\n`;
      const delay = reply.delayMs * this.speed;
      if (delay <= 0) {
        this.emit(bytes);
        continue;
      }
      const timer = this.options.clock.setTimeout(() => {
        this.timers.delete(timer);
        this.emit(bytes);
      }, delay);
      this.timers.add(timer);
    }
  }

  private emit(text: string): void {
    if (this.closed) return;
    const chunk = Buffer.from(text, 'latin1');
    for (const listener of [...this.listeners]) listener(chunk);
  }
}
