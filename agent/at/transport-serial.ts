import { SerialPortStream } from '@serialport/stream';
// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Transport } from './types.js';
import { AtPortClosedError } from './errors.js';

/** serialport read pool per AT port (see `open`). */
const AT_READ_POOL_BYTES = 1024;

/** Options of a serial device transport. */
export interface SerialTransportOptions {
  /** Device path, e.g. `/dev/ttyUSB2`. */
  readonly path: string;
  /** Default 115200 (the factory rate of BG95/BG96 and SIM7080 USB AT ports). */
  readonly baudRate?: number;
  /**
   * The serialport binding. Defaults to the platform binding of `@serialport/bindings-cpp`,
   * loaded only when needed; the simulator passes its in-process binding, unit tests the mock.
   */
  readonly binding?: BindingInterface;
}

async function defaultBinding(): Promise<BindingInterface> {
  const { autoDetect } = await import('@serialport/bindings-cpp');
  return autoDetect() as unknown as BindingInterface;
}

/**
 * A `Transport` over a serial device through serialport's stream; the stream never knows which
 * binding it has. A disconnect (USB re-enumeration after a module reset) surfaces as `onClose`
 * with the error; the port is never re-opened here.
 */
export class SerialTransport implements Transport {
  private stream: SerialPortStream | undefined;
  private readonly dataHandlers: ((chunk: Uint8Array) => void)[] = [];
  private readonly closeHandlers: ((error?: Error) => void)[] = [];
  private lastError: Error | undefined;
  readonly description: string;

  constructor(private readonly options: SerialTransportOptions) {
    this.description = options.path;
  }

  get isOpen(): boolean {
    return this.stream?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.stream) throw new AtPortClosedError(undefined, `${this.description} already opened`);
    const binding = this.options.binding ?? (await defaultBinding());
    const stream = new SerialPortStream({
      binding,
      path: this.options.path,
      baudRate: this.options.baudRate ?? 115200,
      autoOpen: false,
      // [choice] serialport's default read pool is 64 KiB per port (allocated up front, and kept
      // alive by any chunk still referenced). An AT port moves lines of tens of bytes at 115200
      // baud at most: 1 KiB pools cost nothing in throughput and save ~600 MB in a 10 000-gateway fleet.
      highWaterMark: AT_READ_POOL_BYTES,
    });
    this.stream = stream;
    // Without an 'error' listener a stray stream error would crash the process.
    stream.on('error', (error: Error) => {
      this.lastError = error;
    });
    stream.on('data', (chunk: Buffer) => {
      for (const handler of this.dataHandlers) handler(chunk);
    });
    stream.once('close', (error?: Error | null) => {
      const reason = error ?? this.lastError ?? undefined;
      for (const handler of this.closeHandlers) handler(reason);
    });
    await new Promise<void>((resolve, reject) => {
      stream.open((error) => {
        if (!error) return resolve();
        reject(new AtPortClosedError(undefined, `cannot open ${this.description}: ${error.message}`, { cause: error }));
      });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const stream = this.stream;
    if (!stream || !stream.isOpen) {
      return Promise.reject(new AtPortClosedError(undefined, `${this.description} is not open`));
    }
    return new Promise((resolve, reject) => {
      stream.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.dataHandlers.push(handler);
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandlers.push(handler);
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (!stream || !stream.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      stream.close(() => resolve());
    });
  }
}
