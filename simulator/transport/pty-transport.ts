import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { RealClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { ModemPort } from './modem-port.js';

export interface PtyTransportOptions {
  /** Path of the device the agent opens (a symlink to the pty); a temp path when omitted. */
  link?: string;
  logger: Logger;
  /** Path of the socat binary. */
  socat?: string;
}

/**
 * Exposes a simulated modem as a real serial device: `socat` makes a pty pair, the simulator
 * holds one end (through serialport) and the agent opens the other (`path`). Dropping the port
 * kills socat, so the device node disappears and the agent's open port fails the way an
 * unplugged USB modem does; when the device comes back socat is started again on the same link.
 */
export class PtyTransport {
  private readonly dir: string;
  private readonly modemSide: string;
  readonly path: string;
  private socat: ChildProcess | undefined;
  private port: SerialPort | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;
  private transition: Promise<void> = Promise.resolve();
  // Waiting for socat to create its links is OS time, not simulated time.
  private readonly osClock: Clock = new RealClock();

  constructor(
    private readonly modem: ModemPort,
    private readonly options: PtyTransportOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'cellgate-sim-'));
    this.modemSide = join(this.dir, 'modem');
    this.path = options.link ?? join(this.dir, 'tty');
  }

  async start(): Promise<string> {
    this.unsubscribe.push(
      this.modem.onOutput((chunk) => {
        if (this.port?.isOpen) this.port.write(chunk);
      }),
      this.modem.onPortChange((present) => {
        this.transition = this.transition
          .then(() => (present ? this.up() : this.down()))
          .catch((err: unknown) => this.options.logger.error({ err }, 'pty transport failed to follow the device'));
      }),
    );
    if (this.modem.portPresent) await this.up();
    return this.path;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.transition;
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async up(): Promise<void> {
    if (this.closed || this.socat) return;
    removeStaleLink(this.path);
    removeStaleLink(this.modemSide);
    const child = spawn(this.options.socat ?? 'socat', [
      `pty,raw,echo=0,link=${this.modemSide}`,
      `pty,raw,echo=0,link=${this.path}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.socat = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('error', (err) => this.options.logger.error({ err }, 'could not start socat (apt-get install socat)'));
    child.once('exit', (code, signal) => {
      if (this.socat === child) {
        this.socat = undefined;
        if (!this.closed) this.options.logger.warn({ code, signal, stderr }, 'socat exited');
      }
    });
    for (let waited = 0; !(existsSync(this.modemSide) && existsSync(this.path)); waited += 10) {
      if (this.socat !== child || waited > 5000) {
        child.kill('SIGTERM');
        await exited;
        throw new Error(`socat did not create the pty pair: ${stderr.trim() || 'timed out'}`);
      }
      await this.osClock.sleep(10);
    }
    const port = new SerialPort({ path: this.modemSide, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (data: Buffer) => this.modem.write(data));
    port.on('error', (err) => this.options.logger.debug({ err }, 'pty modem side error'));
    this.port = port;
  }

  private async down(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    const child = this.socat;
    this.socat = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

function removeStaleLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) unlinkSync(path);
  } catch {
    // Nothing there: nothing to remove.
  }
}
