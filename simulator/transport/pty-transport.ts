import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
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

  constructor(
    private readonly modem: ModemPort,
    private readonly options: PtyTransportOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'cellgate-sim-'));
    this.modemSide = join(this.dir, 'modem');
    this.path = options.link ?? join(this.dir, 'tty');
  }

  /** Resolves once the pty pair has followed the latest port change (socat up and the modem side open, or gone). */
  settled(): Promise<void> {
    return this.transition;
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
    // `-d -d` makes socat say when both ptys (and their links) exist: "starting data transfer
    // loop". Detached: socat gets its own process group, so a terminal's Ctrl-C (SIGINT to the
    // foreground group) reaches only cellgate, which stops the agent while the device is still
    // there and only then closes the pty.
    const child = spawn(this.options.socat ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${this.modemSide}`, `pty,raw,echo=0,link=${this.path}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    this.socat = child;
    let stderr = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        // Keep only the tail: socat goes on logging notices for as long as it runs.
        stderr = (stderr + d.toString()).slice(-4096);
        if (/starting data transfer loop/.test(stderr)) resolve();
      });
      child.once('error', (err) => reject(new Error(`could not start socat (apt-get install socat): ${err.message}`)));
      child.once('exit', (code, signal) => reject(new Error(`socat exited (${signal ?? code}) before the pty pair was ready: ${stderr.trim()}`)));
    });
    child.once('exit', (code, signal) => {
      if (this.socat === child) {
        this.socat = undefined;
        if (!this.closed) this.options.logger.warn({ code, signal, stderr }, 'socat exited');
      }
    });
    await ready;
    if (this.socat !== child) throw new Error('the pty pair was closed while it was being set up');
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
