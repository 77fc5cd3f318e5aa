/**
 * Recording of AT sessions: every line the host writes and the module answers, with its time and
 * direction, secrets redacted, as JSON lines (format: common/at-recording.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Clock } from '../../common/clock.js';
import type { Transport } from './types.js';
import {
  LineSplitter,
  RECORDING_TYPE,
  RECORDING_VERSION,
  redactForRecording,
  type RecordedLine,
  type RecordingHeader,
} from '../../common/at-recording.js';

export { LineSplitter, parseRecording, redactForRecording, RECORDING_TYPE, RECORDING_VERSION } from '../../common/at-recording.js';
export type { RecordedLine, RecordingHeader } from '../../common/at-recording.js';

/** Where records go: a JSON-lines file, or a test's array. */
export interface RecordingSink {
  header(header: RecordingHeader): void;
  line(record: RecordedLine): void;
  close(): Promise<void>;
}

/** A JSON-lines file; writes are buffered by the stream and flushed at `close()`. */
export function fileRecordingSink(path: string): RecordingSink {
  const stream: WriteStream = createWriteStream(path, { flags: 'w', mode: 0o600 });
  stream.on('error', () => undefined);
  const write = (value: unknown): void => {
    stream.write(`${JSON.stringify(value)}\n`);
  };
  return {
    header: write,
    line: write,
    close: () => new Promise((resolve) => stream.end(() => resolve())),
  };
}

/** Records both directions of a session on `clock`, redacting secrets line by line. */
export class SessionRecorder {
  private readonly start: number;
  private readonly rx: LineSplitter;
  private readonly tx: LineSplitter;

  constructor(
    private readonly sink: RecordingSink,
    private readonly clock: Clock,
    header: { port: string; tool: string; notes?: string },
  ) {
    this.start = clock.now();
    sink.header({
      type: RECORDING_TYPE,
      version: RECORDING_VERSION,
      port: header.port,
      started: new Date(clock.now()).toISOString(),
      tool: header.tool,
      ...(header.notes ? { notes: header.notes } : {}),
    });
    this.rx = new LineSplitter((line, partial) => this.record('rx', line, partial));
    this.tx = new LineSplitter((line, partial) => this.record('tx', line, partial));
  }

  /** Bytes the host wrote. A pending prompt from the module is flushed first, so order is kept. */
  sent(bytes: Uint8Array): void {
    this.rx.flush();
    this.tx.push(bytes);
    // A payload after a prompt ends with Ctrl-Z, not CR: keep it as its own line.
    if (bytes.includes(0x1a)) this.tx.flush();
  }

  /** Bytes the module sent. */
  received(bytes: Uint8Array): void {
    this.rx.push(bytes);
  }

  async close(): Promise<void> {
    this.rx.flush();
    this.tx.flush();
    await this.sink.close();
  }

  private record(dir: 'tx' | 'rx', line: string, partial: boolean): void {
    this.sink.line({ t: this.clock.now() - this.start, dir, line: redactForRecording(line, dir), ...(partial ? { partial: true } : {}) });
  }
}

/** A transport that records everything that crosses it; the channel never knows. */
export class RecordingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly recorder: SessionRecorder,
  ) {
    inner.onData((chunk) => recorder.received(chunk));
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get description(): string {
    return this.inner.description;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  write(data: Uint8Array): Promise<void> {
    this.recorder.sent(data);
    return this.inner.write(data);
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.inner.onData(handler);
  }

  onClose(handler: (error?: Error) => void): void {
    this.inner.onClose(handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

