import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../common/log.js';
import type { ModemPort } from './modem-port.js';

export interface TcpSerialServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  logger: Logger;
}

/**
 * A raw TCP serial server in front of one simulated modem (like ser2net in raw mode): bytes pass
 * unchanged, one client at a time (a second one is refused). While the device is gone the
 * client is cut and the port refuses connections; it listens again on the same port after.
 */
export class TcpSerialServer {
  private server: Server | undefined;
  private client: Socket | undefined;
  private boundPort: number;
  private readonly host: string;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly modem: ModemPort,
    private readonly options: TcpSerialServerOptions,
  ) {
    this.boundPort = options.port;
    this.host = options.host ?? '127.0.0.1';
  }

  /** `tcp://host:port` the agent connects to. */
  get url(): string {
    return `tcp://${this.host}:${this.boundPort}`;
  }

  private transition: Promise<void> = Promise.resolve();

  /** Resolves once the server has followed the latest port change (listening again, or closed). */
  settled(): Promise<void> {
    return this.transition;
  }

  async start(): Promise<string> {
    this.unsubscribe.push(
      this.modem.onOutput((chunk) => {
        if (this.client && !this.client.destroyed) this.client.write(chunk);
      }),
      this.modem.onPortChange((present) => {
        if (this.closed) return;
        this.transition = present
          ? this.listen().catch((err: unknown) => this.options.logger.error({ err }, 'TCP serial server could not listen again'))
          : this.stopListening();
      }),
    );
    if (this.modem.portPresent) await this.listen();
    return this.url;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.stopListening();
  }

  private listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') this.boundPort = address.port;
        server.on('error', (err) => this.options.logger.warn({ err }, 'TCP serial server error'));
        resolve();
      });
    });
  }

  /**
   * Resolves once no client is connected: a test that runs one short-lived client after another
   * awaits this between them instead of guessing how long the server takes to see one leave.
   */
  whenIdle(): Promise<void> {
    const client = this.client;
    if (!client || client.destroyed) return Promise.resolve();
    return new Promise((resolve) => client.once('close', () => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.client && !this.client.destroyed) {
      this.options.logger.info({ remote: socket.remoteAddress }, 'TCP serial server busy; refusing a second client');
      socket.destroy();
      return;
    }
    this.client = socket;
    socket.setNoDelay(true);
    socket.on('data', (data) => this.modem.write(data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.client === socket) this.client = undefined;
    });
  }

  private async stopListening(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
