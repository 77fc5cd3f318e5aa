import { Socket, createConnection } from 'node:net';
import type { Transport } from './types.js';
import { AtPortClosedError } from './errors.js';

/** Where a raw serial server (ser2net, a bench's terminal server, the simulator) listens. */
export interface TcpEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Reads `tcp://host:port` (IPv6 hosts in brackets); throws `RangeError` on anything else. */
export function parseTcpSpec(spec: string): TcpEndpoint {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new RangeError(`not a tcp:// port spec: ${spec}`);
  }
  const port = Number(url.port);
  if (url.protocol !== 'tcp:' || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`expected tcp://host:port, got ${spec}`);
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * A `Transport` over a TCP connection to a raw serial server: bytes pass through unchanged
 * (no Telnet / RFC 2217 negotiation). The connection is never re-opened here; the session
 * machine owns reconnects (DESIGN.md, one owner per lifecycle).
 */
export class TcpTransport implements Transport {
  private socket: Socket | undefined;
  private readonly dataHandlers: ((chunk: Uint8Array) => void)[] = [];
  private readonly closeHandlers: ((error?: Error) => void)[] = [];
  private lastError: Error | undefined;
  private closedByUs = false;
  readonly description: string;

  constructor(private readonly endpoint: TcpEndpoint) {
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    this.description = `tcp://${host}:${endpoint.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  open(): Promise<void> {
    if (this.socket) return Promise.reject(new AtPortClosedError(undefined, `${this.description} already opened`));
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: this.endpoint.host, port: this.endpoint.port });
      this.socket = socket;
      const onConnectError = (error: Error): void => {
        reject(new AtPortClosedError(undefined, `cannot connect to ${this.description}: ${error.message}`, { cause: error }));
      };
      socket.once('error', onConnectError);
      socket.once('connect', () => {
        socket.off('error', onConnectError);
        socket.setNoDelay(true);
        socket.setKeepAlive(true);
        socket.on('error', (error) => {
          this.lastError = error;
        });
        socket.on('data', (chunk: Buffer) => {
          for (const handler of this.dataHandlers) handler(chunk);
        });
        socket.once('close', () => {
          const error = this.closedByUs
            ? undefined
            : (this.lastError ?? new Error(`${this.description} closed by the peer`));
          for (const handler of this.closeHandlers) handler(error);
        });
        resolve();
      });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.isOpen) return Promise.reject(new AtPortClosedError(undefined, `${this.description} is not open`));
    return new Promise((resolve, reject) => {
      socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.dataHandlers.push(handler);
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandlers.push(handler);
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    this.closedByUs = true;
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
