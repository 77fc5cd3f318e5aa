/**
 * Public seam of the AT channel (agent/at). Everything above it (modem drivers, the session
 * machine, the LPA) talks to a modem only through `AtChannel`.
 */

/**
 * How a command ended (3GPP TS 27.007 §4 final result codes, V.25ter ones, and the vendor finals
 * real modules print instead of `ERROR`: Huawei `COMMAND NOT SUPPORT`, Motorola `MODEM ERROR: <n>`
 * — those are an `error` whose `text` is the line — and u-blox `ABORTED`).
 */
export type FinalResult =
  | { kind: 'ok' }
  | { kind: 'error'; text?: string }
  | { kind: 'aborted' }
  | { kind: 'cme'; code?: number; text?: string }
  | { kind: 'cms'; code?: number; text?: string }
  | { kind: 'no-carrier' }
  | { kind: 'connect'; text?: string }
  | { kind: 'busy' }
  | { kind: 'no-answer' }
  | { kind: 'no-dialtone' };

/** What a command produced: its information lines (echo and URCs removed) and its final result. */
export interface AtResponse {
  readonly lines: readonly string[];
  readonly final: FinalResult;
}

/** A command as data: how to write it, how long to wait, how to read its answer. */
export interface AtCommand<T> {
  /** The command without the trailing CR, e.g. `AT+CEREG?`. */
  readonly text: string;
  /** Per-command timeout; a PDP activation needs minutes, a query a second. */
  readonly timeoutMs?: number;
  /**
   * Payload sent after the `> ` prompt (SMS text, socket data), terminated by Ctrl-Z by the
   * channel. Absent for ordinary commands.
   */
  readonly payload?: string | Uint8Array;
  /** Turns a successful response into a value; throw `AtParseError` when it makes no sense. */
  parse(response: AtResponse): T;
  /**
   * Information prefixes that answer this command, when they differ from the command's own
   * (`AT+CEREG?` → `+CEREG` is derived). While the command is in flight, lines with these
   * prefixes are its answer, never URCs.
   */
  readonly responsePrefixes?: readonly string[];
  /**
   * The command carries a secret (PIN, APN password): its arguments are never logged. Known
   * credential commands (`+CPIN=`, `+CGAUTH`, `+QICSGP`, `+CNCFG`...) are redacted anyway.
   */
  readonly sensitive?: boolean;
}

/** An unsolicited result code, e.g. `+CEREG: 1,"1A2B","01A2D101",7`. */
export interface Urc {
  /** The prefix it was dispatched on, e.g. `+CEREG` or `RDY`. */
  readonly prefix: string;
  /** The whole line. */
  readonly line: string;
  /** Text after `<prefix>:`, trimmed (empty for bare URCs such as `RDY`). */
  readonly args: string;
  /** Clock time it was received. */
  readonly at: number;
}

export type UrcHandler = (urc: Urc) => void;

/** One command at a time, per-command timeouts, URCs dispatched by prefix. */
export interface AtChannel {
  /** Sends a command and resolves with its parsed value; rejects with one of the AT errors. */
  send<T>(command: AtCommand<T>): Promise<T>;
  /** Sends raw command text and returns the response as is (the CLI's `at` passthrough). */
  exec(text: string, timeoutMs?: number): Promise<AtResponse>;
  /**
   * Subscribes to URCs starting with `prefix` (`+CEREG`, `+CGEV`, `RDY`, `+QIURC`...). Also
   * registers the prefix with the framer so such lines are never mistaken for a command's
   * information lines. Returns an unsubscribe function.
   */
  onUrc(prefix: string, handler: UrcHandler): () => void;
  /** Called once when the transport closes (device gone, USB re-enumeration, TCP reset). */
  onClose(handler: (error?: Error) => void): () => void;
  /**
   * Called with the echo of a command line the module sent back. After `ATE0` an echo means the
   * module reset its settings — it rebooted, which u-blox SARA and Telit modules do without a boot
   * URC (and an EC21 reboot shows the same: SeeedJP/WioLTEforArduino#5). Optional for test doubles.
   */
  onEcho?(handler: (line: string) => void): () => void;
  readonly isOpen: boolean;
  /** Rejects the command in flight and the queue with `AtPortClosedError`, then closes. */
  close(): Promise<void>;
}

/** Byte transport under the channel: a serial device, a TCP serial server, or in-process. */
export interface Transport {
  open(): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  onData(handler: (chunk: Uint8Array) => void): void;
  onClose(handler: (error?: Error) => void): void;
  close(): Promise<void>;
  readonly isOpen: boolean;
  /** Human-readable endpoint for logs, e.g. `/dev/ttyUSB2` or `tcp://10.0.0.5:4001`. */
  readonly description: string;
}
