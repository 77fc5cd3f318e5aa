import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { ModemPort } from './modem-port.js';

/** Simulated modems reachable through the in-process binding, keyed by path (`sim://<imei>`). */
export class InProcessRegistry {
  private readonly ports = new Map<string, ModemPort>();
  private readonly openPaths = new Set<string>();

  /** Makes `port` openable at `path`; returns a function that removes it again. */
  register(path: string, port: ModemPort): () => void {
    if (this.ports.has(path)) throw new Error(`a simulated modem is already registered at ${path}`);
    this.ports.set(path, port);
    return () => {
      if (this.ports.get(path) === port) this.ports.delete(path);
    };
  }

  /** @internal */
  get(path: string): ModemPort | undefined {
    return this.ports.get(path);
  }

  /** @internal */
  entries(): [string, ModemPort][] {
    return [...this.ports.entries()];
  }

  /** @internal */
  lock(path: string): boolean {
    if (this.openPaths.has(path)) return false;
    this.openPaths.add(path);
    return true;
  }

  /** @internal */
  unlock(path: string): void {
    this.openPaths.delete(path);
  }
}

/** The registry `startSimulatedModem({ expose: { inProcess: true } })` uses. */
export const defaultInProcessRegistry = new InProcessRegistry();

class BindingError extends Error {
  constructor(
    message: string,
    readonly canceled = false,
  ) {
    super(message);
  }
}

/**
 * One open simulated device. Reads wait for modem output; while the device is gone (dropped
 * port, power off) reads and writes fail with a non-cancel error, which makes
 * `@serialport/stream` report a disconnect exactly as it does for an unplugged USB modem.
 */
class InProcessPort implements BindingPortInterface {
  isOpen = true;
  readonly openOptions: Required<OpenOptions>;
  private rx: Buffer[] = [];
  private pendingRead: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private gone = false;
  private readonly unsubscribe: (() => void)[];
  private baudRate: number;

  constructor(
    private readonly modem: ModemPort,
    options: OpenOptions,
    private readonly release: () => void,
  ) {
    this.openOptions = {
      dataBits: 8, lock: true, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, xany: false, hupcl: true,
      ...options,
    } as Required<OpenOptions>;
    this.baudRate = options.baudRate;
    this.unsubscribe = [
      modem.onOutput((chunk) => {
        this.rx.push(Buffer.from(chunk));
        this.wake();
      }),
      modem.onPortChange((present) => {
        if (!present) {
          this.gone = true;
          const pending = this.pendingRead;
          this.pendingRead = undefined;
          pending?.reject(new BindingError('device disconnected (simulated USB re-enumeration)'));
        }
      }),
    ];
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      if (!this.isOpen) throw new BindingError('Read canceled', true);
      if (this.gone) throw new BindingError('device disconnected (simulated USB re-enumeration)');
      if (this.rx.length > 0) {
        let bytesRead = 0;
        while (this.rx.length > 0 && bytesRead < length) {
          const head = this.rx[0]!;
          const n = Math.min(head.length, length - bytesRead);
          head.copy(buffer, offset + bytesRead, 0, n);
          bytesRead += n;
          if (n === head.length) this.rx.shift();
          else this.rx[0] = head.subarray(n);
        }
        return { buffer, bytesRead };
      }
      await new Promise<void>((resolve, reject) => {
        this.pendingRead = { resolve, reject };
      });
    }
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new BindingError('Write canceled', true);
    if (this.gone) throw new BindingError('device disconnected (simulated USB re-enumeration)');
    const copy = Buffer.from(buffer);
    // The bytes reach the module after the write resolves, as they would through a UART.
    setImmediate(() => {
      if (this.isOpen && !this.gone) this.modem.write(copy);
    });
  }

  async update(options: UpdateOptions): Promise<void> {
    this.assertOpen();
    this.baudRate = options.baudRate;
  }

  async set(_options: SetOptions): Promise<void> {
    this.assertOpen();
  }

  async get(): Promise<PortStatus> {
    this.assertOpen();
    return { cts: true, dsr: !this.gone, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    this.assertOpen();
    return { baudRate: this.baudRate };
  }

  async flush(): Promise<void> {
    this.assertOpen();
    this.rx = [];
  }

  async drain(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open');
    this.isOpen = false;
    for (const off of this.unsubscribe) off();
    this.release();
    const pending = this.pendingRead;
    this.pendingRead = undefined;
    pending?.reject(new BindingError('Read canceled', true));
  }

  private wake(): void {
    const pending = this.pendingRead;
    this.pendingRead = undefined;
    pending?.resolve();
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new BindingError('Port is not open');
  }
}

/**
 * A serialport binding whose devices are simulated modems: pass it as `binding` to
 * `SerialPortStream` (@serialport/stream) and open `sim://<imei>`. Large fleets use it to run
 * the real serialport stream code without a pty per modem.
 */
export function createInProcessBinding(registry: InProcessRegistry = defaultInProcessRegistry): BindingInterface {
  return {
    async list(): Promise<PortInfo[]> {
      return registry
        .entries()
        .filter(([, port]) => port.portPresent)
        .map(([path, port]) => ({
          path,
          manufacturer: port.description.manufacturer,
          serialNumber: port.description.serialNumber,
          pnpId: undefined,
          locationId: undefined,
          productId: undefined,
          vendorId: undefined,
        }));
    },
    async open(options: OpenOptions): Promise<BindingPortInterface> {
      if (!options || typeof options.path !== 'string') throw new TypeError('"path" is not a valid port');
      const port = registry.get(options.path);
      if (!port || !port.portPresent) throw new BindingError(`Error: No such file or directory, cannot open ${options.path}`);
      if (options.lock !== false && !registry.lock(options.path)) {
        throw new BindingError(`Error Resource temporarily unavailable Cannot lock port ${options.path}`);
      }
      const release = options.lock !== false ? () => registry.unlock(options.path) : () => undefined;
      return new InProcessPort(port, options, release);
    },
  };
}
