import type { Logger } from '../../common/log.js';
import { childLogger, silentLogger } from '../../common/log.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { RealClock } from '../../common/clock.js';
import type { AtChannel, AtCommand, AtResponse, FinalResult, Transport, Urc, UrcHandler } from './types.js';
import { AtFramer, type Expectation, type FramerEvent } from './framer.js';
import { AtError, AtParseError, AtPortClosedError, AtTimeoutError, errorForFinal } from './errors.js';
import { describeFinal, isSuccess } from './final-result.js';
import { lineHasPrefix, normalisePrefix, responsePrefixesOf } from './urc-prefixes.js';
import { redactCommand, redactLine } from './redact.js';

/** Options of `createChannel`. Every value has a default. */
export interface ChannelOptions {
  clock?: Clock;
  logger?: Logger;
  /** Timeout of a command that names none (default 5000 ms). */
  defaultTimeoutMs?: number;
  /** Timeout of one resync probe after a command timed out (default 2000 ms). */
  resyncTimeoutMs?: number;
  /** Probes tried before the next queued command is failed instead (default 3). */
  resyncAttempts?: number;
  /** Longest line the framer keeps (default 8192 bytes). */
  maxLineLength?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_RESYNC_TIMEOUT_MS = 2000;
export const DEFAULT_RESYNC_ATTEMPTS = 3;

/**
 * The resync probe. `AT+CMEE?` is mandatory in 3GPP TS 27.007 §9.1 and answers with an
 * information line (`+CMEE: <n>`) that a late final result of an abandoned command cannot fake.
 */
const RESYNC_PROBE = 'AT+CMEE?';
const RESYNC_PREFIX = '+CMEE';
const CTRL_Z = 0x1a;

interface Job {
  readonly text: string;
  readonly logText: string;
  readonly timeoutMs: number;
  readonly responsePrefixes: readonly string[];
  readonly payload: Uint8Array | undefined;
  readonly payloadText: string | undefined;
  readonly resolve: (response: AtResponse) => void;
  readonly reject: (error: Error) => void;
}

type Active =
  | {
      readonly kind: 'command';
      readonly job: Job;
      readonly lines: string[];
      overflow: { limit: number; length: number } | undefined;
      readonly timer: TimerHandle;
    }
  | { readonly kind: 'probe'; answered: boolean; readonly timer: TimerHandle };

/**
 * `AtChannel` over any `Transport`: one command in flight, a FIFO queue, per-command timeouts on
 * the injected clock, URCs dispatched by prefix at once (also while a command is in flight).
 *
 * After a timeout the modem may still send the abandoned command's final result; the channel
 * therefore sends a resync probe (`AT+CMEE?`) before the next command and takes the probe as
 * answered only when its `+CMEE:` line arrived, so a late `OK`/`ERROR` is discarded instead of
 * being read as the next command's result.
 */
export class Channel implements AtChannel {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly defaultTimeoutMs: number;
  private readonly resyncTimeoutMs: number;
  private readonly resyncAttempts: number;
  private readonly framer: AtFramer;
  private readonly queue: Job[] = [];
  private active: Active | undefined;
  private needsResync = false;
  private failedProbes = 0;
  private pumpScheduled = false;
  private closed = false;
  private readonly urcHandlers = new Map<string, Set<UrcHandler>>();
  private readonly closeHandlers = new Set<(error?: Error) => void>();
  private readonly echoHandlers = new Set<(line: string) => void>();

  constructor(
    private readonly transport: Transport,
    options: ChannelOptions = {},
  ) {
    this.clock = options.clock ?? new RealClock();
    this.log = childLogger(options.logger ?? silentLogger(), { component: 'at', port: transport.description });
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.resyncTimeoutMs = options.resyncTimeoutMs ?? DEFAULT_RESYNC_TIMEOUT_MS;
    this.resyncAttempts = Math.max(1, options.resyncAttempts ?? DEFAULT_RESYNC_ATTEMPTS);
    this.framer = new AtFramer({ maxLineLength: options.maxLineLength });
    transport.onData((chunk) => this.onData(chunk));
    transport.onClose((error) => this.onTransportClosed(error));
    if (!transport.isOpen) this.closed = true;
  }

  get isOpen(): boolean {
    return !this.closed && this.transport.isOpen;
  }

  async send<T>(command: AtCommand<T>): Promise<T> {
    const response = await this.enqueue(command.text, command.timeoutMs, command.payload, {
      responsePrefixes: command.responsePrefixes,
      sensitive: command.sensitive,
    });
    const logText = redactCommand(command.text, command.sensitive);
    if (!isSuccess(response.final)) throw errorForFinal(logText, response);
    try {
      return command.parse(response);
    } catch (error) {
      if (error instanceof AtError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AtParseError(message, logText, response, { cause: error });
    }
  }

  exec(text: string, timeoutMs?: number): Promise<AtResponse> {
    return this.enqueue(text, timeoutMs, undefined, {});
  }

  onUrc(prefix: string, handler: UrcHandler): () => void {
    const key = prefix.trim() === '*' ? '*' : normalisePrefix(prefix);
    let handlers = this.urcHandlers.get(key);
    if (!handlers) {
      handlers = new Set();
      this.urcHandlers.set(key, handlers);
    }
    if (handlers.has(handler)) return () => undefined;
    handlers.add(handler);
    if (key !== '*') this.framer.registerUrcPrefix(key);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      handlers.delete(handler);
      if (key !== '*') this.framer.unregisterUrcPrefix(key);
    };
  }

  onClose(handler: (error?: Error) => void): () => void {
    this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  onEcho(handler: (line: string) => void): () => void {
    this.echoHandlers.add(handler);
    return () => this.echoHandlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.shutDown(undefined, 'channel closed');
    try {
      await this.transport.close();
    } catch (error) {
      this.log.warn({ err: error }, 'closing the transport failed');
    }
  }

  private enqueue(
    text: string,
    timeoutMs: number | undefined,
    payload: string | Uint8Array | undefined,
    extra: { responsePrefixes?: readonly string[]; sensitive?: boolean },
  ): Promise<AtResponse> {
    const logText = redactCommand(text, extra.sensitive);
    if (this.closed) return Promise.reject(new AtPortClosedError(logText));
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    return new Promise<AtResponse>((resolve, reject) => {
      this.queue.push({
        text: text.replace(/[\r\n]+$/, ''),
        logText,
        timeoutMs: timeoutMs ?? this.defaultTimeoutMs,
        responsePrefixes: [...responsePrefixesOf(text), ...(extra.responsePrefixes ?? []).map(normalisePrefix)],
        payload: bytes,
        payloadText: typeof payload === 'string' && !extra.sensitive ? payload : undefined,
        resolve,
        reject,
      });
      this.schedulePump();
    });
  }

  /** Starts the next command on a later microtask, never inside a data or URC callback. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.active || this.closed || this.queue.length === 0) return;
    if (this.needsResync) {
      this.startProbe();
      return;
    }
    this.startCommand(this.queue.shift()!);
  }

  private startCommand(job: Job): void {
    const timer = this.clock.setTimeout(() => this.onCommandTimeout(), job.timeoutMs);
    this.active = { kind: 'command', job, lines: [], overflow: undefined, timer };
    const expectation: Expectation = {
      text: job.text,
      responsePrefixes: job.responsePrefixes,
      expectPrompt: job.payload !== undefined,
      payloadText: job.payloadText,
    };
    this.framer.expect(expectation);
    this.log.debug({ command: job.logText, timeoutMs: job.timeoutMs }, 'AT send');
    this.write(`${job.text}\r`);
  }

  private startProbe(): void {
    const timer = this.clock.setTimeout(() => this.onProbeTimeout(), this.resyncTimeoutMs);
    this.active = { kind: 'probe', answered: false, timer };
    this.framer.expect({ text: RESYNC_PROBE, responsePrefixes: [RESYNC_PREFIX] });
    this.log.debug({ command: RESYNC_PROBE }, 'AT resync probe');
    this.write(`${RESYNC_PROBE}\r`);
  }

  private write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.transport.write(bytes).catch((error: unknown) => {
      const active = this.active;
      this.log.warn({ err: error }, 'AT write failed');
      if (!active) return;
      this.finishActive();
      // Fail one job per failed write, so a broken port drains the queue instead of spinning.
      const job = active.kind === 'command' ? active.job : this.queue.shift();
      if (active.kind === 'probe') this.needsResync = true;
      job?.reject(new AtPortClosedError(job.logText, 'write failed', { cause: error }));
      this.schedulePump();
    });
  }

  private onData(chunk: Uint8Array): void {
    let events: FramerEvent[];
    try {
      events = this.framer.push(chunk);
    } catch (error) {
      // The framer is written never to throw; if it ever does, the bytes are lost, the channel is not.
      this.log.error({ err: error }, 'AT framer failed on a chunk');
      return;
    }
    for (const event of events) this.handle(event);
  }

  private handle(event: FramerEvent): void {
    const active = this.active;
    switch (event.kind) {
      case 'echo':
        for (const handler of [...this.echoHandlers]) {
          try {
            handler(event.line);
          } catch (error) {
            this.log.error({ err: error }, 'AT echo subscriber threw');
          }
        }
        return;
      case 'urc':
        this.dispatchUrc({ prefix: event.prefix, line: event.line, args: event.args, at: this.clock.now() });
        return;
      case 'info':
        if (active?.kind === 'command') active.lines.push(event.line);
        else if (active?.kind === 'probe') active.answered ||= lineHasPrefix(event.line, RESYNC_PREFIX);
        else this.log.info({ line: redactLine(event.line) }, 'AT line with no command in flight');
        return;
      case 'prompt':
        if (active?.kind === 'command' && active.job.payload) {
          const out = new Uint8Array(active.job.payload.length + 1);
          out.set(active.job.payload);
          out[out.length - 1] = CTRL_Z;
          this.log.debug({ bytes: active.job.payload.length }, 'AT payload');
          this.write(out);
        }
        return;
      case 'overflow':
        this.log.warn({ limit: event.limit, length: event.length }, 'AT line too long, dropped');
        if (active?.kind === 'command') active.overflow = { limit: event.limit, length: event.length };
        return;
      case 'final':
        this.onFinal(event.result);
        return;
    }
  }

  private onFinal(final: FinalResult): void {
    const active = this.active;
    if (!active) {
      this.log.info({ final: describeFinal(final) }, 'AT final result with no command in flight, discarded');
      return;
    }
    if (active.kind === 'probe') {
      if (!active.answered) {
        // A late result of the abandoned command: keep waiting for the probe's own answer.
        this.log.info({ final: describeFinal(final) }, 'AT late final result discarded during resync');
        this.framer.expect({ text: RESYNC_PROBE, responsePrefixes: [RESYNC_PREFIX] });
        return;
      }
      this.finishActive();
      this.needsResync = false;
      this.failedProbes = 0;
      this.log.debug('AT resynchronised');
      this.schedulePump();
      return;
    }
    this.finishActive();
    const { job } = active;
    const response: AtResponse = { lines: active.lines, final };
    this.log.debug({ command: job.logText, final: describeFinal(final), lines: active.lines.length }, 'AT done');
    if (active.overflow) {
      job.reject(
        new AtParseError(
          `a response line of ${active.overflow.length} bytes exceeded the ${active.overflow.limit}-byte limit`,
          job.logText,
          response,
        ),
      );
    } else {
      job.resolve(response);
    }
    this.schedulePump();
  }

  private onCommandTimeout(): void {
    const active = this.active;
    if (active?.kind !== 'command') return;
    this.active = undefined;
    this.framer.expect(undefined);
    this.needsResync = true;
    this.log.warn({ command: active.job.logText, timeoutMs: active.job.timeoutMs }, 'AT command timed out');
    active.job.reject(new AtTimeoutError(active.job.logText, active.job.timeoutMs));
    this.schedulePump();
  }

  private onProbeTimeout(): void {
    if (this.active?.kind !== 'probe') return;
    this.active = undefined;
    this.framer.expect(undefined);
    this.failedProbes++;
    this.log.warn({ attempt: this.failedProbes }, 'AT resync probe timed out');
    if (this.failedProbes >= this.resyncAttempts) {
      this.failedProbes = 0;
      const job = this.queue.shift();
      job?.reject(
        new AtTimeoutError(job.logText, this.resyncTimeoutMs * this.resyncAttempts, 'modem did not answer the resync probe'),
      );
    }
    this.schedulePump();
  }

  private finishActive(): void {
    if (!this.active) return;
    this.clock.clearTimeout(this.active.timer);
    this.active = undefined;
    this.framer.expect(undefined);
  }

  private dispatchUrc(urc: Urc): void {
    const targets = [...(this.urcHandlers.get(urc.prefix) ?? []), ...(this.urcHandlers.get('*') ?? [])];
    if (targets.length === 0) {
      this.log.debug({ urc: urc.prefix }, 'AT URC without subscriber');
      return;
    }
    for (const handler of targets) {
      try {
        handler(urc);
      } catch (error) {
        this.log.error({ err: error, urc: urc.prefix }, 'AT URC subscriber threw');
      }
    }
  }

  private onTransportClosed(error?: Error): void {
    if (this.closed) return;
    this.log.warn({ err: error }, 'AT transport closed');
    this.shutDown(error, error ? `port closed: ${error.message}` : 'port closed');
  }

  private shutDown(error: Error | undefined, detail: string): void {
    this.closed = true;
    const active = this.active;
    this.finishActive();
    if (active?.kind === 'command') active.job.reject(new AtPortClosedError(active.job.logText, detail, { cause: error }));
    for (const job of this.queue.splice(0)) job.reject(new AtPortClosedError(job.logText, detail, { cause: error }));
    for (const handler of [...this.closeHandlers]) {
      try {
        handler(error);
      } catch (handlerError) {
        this.log.error({ err: handlerError }, 'AT close subscriber threw');
      }
    }
    this.closeHandlers.clear();
  }
}

/** Builds an `AtChannel` over an open transport. */
export function createChannel(transport: Transport, options: ChannelOptions = {}): AtChannel {
  return new Channel(transport, options);
}
