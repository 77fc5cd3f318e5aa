import type { FinalResult } from './types.js';
import { parseFinalResult } from './final-result.js';
import { BUILT_IN_URC_PREFIXES, lineHasPrefix, normalisePrefix } from './urc-prefixes.js';

const BUILT_IN: ReadonlySet<string> = new Set(BUILT_IN_URC_PREFIXES);
/**
 * The prefix sets in use, by their registered prefixes: framers of the same dialect share one
 * (read-only) set instead of keeping a copy each — 2.5 KiB per gateway in a 10 000-gateway
 * fleet. Bounded, so odd registrations cannot grow it without limit.
 */
const SHARED_PREFIX_SETS = new Map<string, ReadonlySet<string>>();
const MAX_SHARED_PREFIX_SETS = 64;

/** What the framer recognised in the byte stream, in arrival order. */
export type FramerEvent =
  /** The module echoing the command line back (ATE1) or the payload after a prompt. */
  | { readonly kind: 'echo'; readonly line: string }
  /** Information text: part of the in-flight command's answer (or stray when none is in flight). */
  | { readonly kind: 'info'; readonly line: string }
  /** An unsolicited result code. `args` is the text after `<prefix>:`, trimmed. */
  | { readonly kind: 'urc'; readonly prefix: string; readonly line: string; readonly args: string }
  /** A final result code; it ends the in-flight command in the framer's view. */
  | { readonly kind: 'final'; readonly line: string; readonly result: FinalResult }
  /** The `> ` prompt for a payload (SMS text, socket data), seen only while one is expected. */
  | { readonly kind: 'prompt' }
  /** A line longer than the limit: its bytes were dropped, nothing else was lost. */
  | { readonly kind: 'overflow'; readonly limit: number; readonly length: number };

/** The command the framer should read the following lines against. */
export interface Expectation {
  /** Command line as written, without CR (used to recognise its echo). */
  readonly text: string;
  /** Information prefixes that answer it (`+CEREG` for `AT+CEREG?`): never URCs meanwhile. */
  readonly responsePrefixes?: readonly string[];
  /** Whether a `> ` prompt is expected before the final result. */
  readonly expectPrompt?: boolean;
  /** Payload text, to recognise its echo after the prompt. */
  readonly payloadText?: string;
}

export interface FramerOptions {
  /** Longest line kept, in bytes; longer ones are dropped and reported (`overflow`). */
  readonly maxLineLength?: number;
  /** URC prefixes besides the built-in ones. */
  readonly urcPrefixes?: readonly string[];
}

/** Default line limit: an `AT+CGLA` answer with a 255-byte APDU is ~530 characters. */
export const DEFAULT_MAX_LINE_LENGTH = 8192;
/** First size of the line buffer (grown by doubling): 10 000 idle gateways need not hold 80 MB. */
const INITIAL_LINE_CAPACITY = 128;

const CR = 0x0d;
const LF = 0x0a;
const PROMPT = 0x3e;
const SPACE = 0x20;
const TILDE = 0x7e;

// Control characters (Ctrl-Z after a payload, NULs of a power-on burst) never carry meaning
// inside a line; leading replacement characters are undecodable garbage before the text.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const LEADING_GARBAGE = /^[\s\ufffd]+/;

/**
 * A pure AT response framer: bytes in, events out, no I/O and no clock (the digester idea of
 * atat). It keeps only the current partial line (bounded by `maxLineLength`) and the
 * expectation of the command in flight, so any chunking of the same bytes yields the same
 * events. It never throws on input.
 *
 * Lines end at CR, LF or any run of them; empty lines are skipped. A line is, in order: the
 * echo of the command (before its first answer line), a final result, information text when it
 * carries a prefix of the command in flight, a URC when it carries a registered URC prefix, and
 * information text otherwise. With no command in flight, `NO CARRIER` is reported as a URC
 * (a dropped data call).
 */
export class AtFramer {
  private readonly maxLineLength: number;
  /** The partial line; starts small and doubles on demand up to `maxLineLength` (most AT lines are short). */
  private line: Uint8Array;
  private lineLength = 0;
  private overflowLength = 0;
  private swallowSpace = false;
  private dirty = false;
  private expectation: Expectation | undefined;
  private answerStarted = false;
  private echoSeen = false;
  private promptSeen = false;
  private readonly registered = new Map<string, number>();
  private urcPrefixes: ReadonlySet<string> = BUILT_IN;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(options: FramerOptions = {}) {
    this.maxLineLength = Math.max(16, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
    this.line = new Uint8Array(Math.min(INITIAL_LINE_CAPACITY, this.maxLineLength));
    for (const prefix of options.urcPrefixes ?? []) this.registerUrcPrefix(prefix);
    this.rebuildPrefixes();
  }

  /** Adds a URC prefix (reference counted with `unregisterUrcPrefix`). */
  registerUrcPrefix(prefix: string): void {
    const p = normalisePrefix(prefix);
    if (p === '') return;
    this.registered.set(p, (this.registered.get(p) ?? 0) + 1);
    this.rebuildPrefixes();
  }

  /** Drops one registration of a prefix; built-in prefixes stay. */
  unregisterUrcPrefix(prefix: string): void {
    const p = normalisePrefix(prefix);
    const count = this.registered.get(p);
    if (count === undefined) return;
    if (count <= 1) this.registered.delete(p);
    else this.registered.set(p, count - 1);
    this.rebuildPrefixes();
  }

  /** Sets (or clears) the command whose answer the next lines belong to. */
  expect(expectation: Expectation | undefined): void {
    this.expectation = expectation;
    this.answerStarted = false;
    this.echoSeen = false;
    this.promptSeen = false;
  }

  /** Whether a command is in flight in the framer's view (cleared by its final result). */
  get inFlight(): boolean {
    return this.expectation !== undefined;
  }

  /** Feeds bytes; returns the events completed by them. */
  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const byte = chunk[i]!;
      if (byte === CR || byte === LF) {
        this.swallowSpace = false;
        this.endLine(events);
        i++;
        continue;
      }
      if (this.swallowSpace) {
        this.swallowSpace = false;
        if (byte === SPACE) {
          i++;
          continue;
        }
      }
      if (byte === PROMPT && this.atLineStart() && this.expectation?.expectPrompt && !this.promptSeen) {
        this.promptSeen = true;
        this.swallowSpace = true;
        events.push({ kind: 'prompt' });
        i++;
        continue;
      }
      // Copy the run up to the next line end in one go, noting whether it needs cleaning.
      let end = i;
      while (end < n) {
        const b = chunk[end]!;
        if (b === CR || b === LF) break;
        if (b < SPACE || b > TILDE) this.dirty = true;
        end++;
      }
      this.append(chunk, i, end);
      i = end;
    }
    return events;
  }

  private atLineStart(): boolean {
    return this.lineLength === 0 && this.overflowLength === 0;
  }

  private append(chunk: Uint8Array, start: number, end: number): void {
    const count = end - start;
    if (this.overflowLength > 0) {
      this.overflowLength += count;
      return;
    }
    if (this.lineLength + count > this.maxLineLength) {
      this.overflowLength = this.lineLength + count;
      this.lineLength = 0;
      return;
    }
    if (this.lineLength + count > this.line.length) {
      let capacity = this.line.length * 2;
      while (capacity < this.lineLength + count) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, this.maxLineLength));
      grown.set(this.line.subarray(0, this.lineLength));
      this.line = grown;
    }
    this.line.set(chunk.subarray(start, end), this.lineLength);
    this.lineLength += count;
  }

  private endLine(events: FramerEvent[]): void {
    if (this.overflowLength > 0) {
      events.push({ kind: 'overflow', limit: this.maxLineLength, length: this.overflowLength });
      this.overflowLength = 0;
      this.dirty = false;
      this.answerStarted = true;
      return;
    }
    if (this.lineLength === 0) return;
    const raw = this.decoder.decode(this.line.subarray(0, this.lineLength));
    this.lineLength = 0;
    const dirty = this.dirty;
    this.dirty = false;
    // Printable ASCII needs no cleaning; only lines with other bytes pay for the regexes.
    const line = dirty
      ? raw.replace(CONTROL_CHARS, '').replace(LEADING_GARBAGE, '').trimEnd()
      : raw.charCodeAt(0) === SPACE
        ? raw.trim()
        : raw.trimEnd();
    if (line === '') return;
    this.classify(line, events);
  }

  private classify(line: string, events: FramerEvent[]): void {
    const expectation = this.expectation;
    if (expectation && !this.answerStarted && !this.echoSeen && this.isEcho(line, expectation)) {
      this.echoSeen = true;
      events.push({ kind: 'echo', line });
      return;
    }
    const result = parseFinalResult(line);
    if (result) {
      if (!expectation && result.kind === 'no-carrier') {
        events.push({ kind: 'urc', prefix: 'NO CARRIER', line, args: '' });
        return;
      }
      this.expectation = undefined;
      events.push({ kind: 'final', line, result });
      return;
    }
    if (expectation?.responsePrefixes && expectation.responsePrefixes.length > 0 && this.answers(line, expectation.responsePrefixes)) {
      this.answerStarted = true;
      events.push({ kind: 'info', line });
      return;
    }
    const prefix = this.urcPrefixOf(line);
    if (prefix !== undefined) {
      events.push({ kind: 'urc', prefix, line, args: line.slice(prefix.length + 1).trim() });
      return;
    }
    if (expectation && expectation.payloadText !== undefined && this.promptSeen && !this.answerStarted) {
      if (line === expectation.payloadText.replace(CONTROL_CHARS, '').trim()) {
        events.push({ kind: 'echo', line });
        return;
      }
    }
    if (expectation) this.answerStarted = true;
    events.push({ kind: 'info', line });
  }

  private isEcho(line: string, expectation: Expectation): boolean {
    const text = expectation.text.trim();
    return line.length === text.length && line.toUpperCase() === text.toUpperCase();
  }

  private answers(line: string, prefixes: readonly string[]): boolean {
    for (const prefix of prefixes) if (lineHasPrefix(line, prefix)) return true;
    return false;
  }

  /**
   * A line carries prefix P when it is P or starts with `P:`; prefixes hold no colon, so the
   * only candidates are the whole line and the text before its first colon: two set lookups.
   */
  private urcPrefixOf(line: string): string | undefined {
    if (this.urcPrefixes.has(line)) return line;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const head = line.slice(0, colon);
    return this.urcPrefixes.has(head) ? head : undefined;
  }

  private rebuildPrefixes(): void {
    const registered = [...this.registered.keys()].sort();
    const id = registered.join('\n');
    let prefixes = SHARED_PREFIX_SETS.get(id);
    if (!prefixes) {
      prefixes = new Set<string>([...BUILT_IN, ...registered]);
      if (SHARED_PREFIX_SETS.size < MAX_SHARED_PREFIX_SETS) SHARED_PREFIX_SETS.set(id, prefixes);
    }
    this.urcPrefixes = prefixes;
  }
}
