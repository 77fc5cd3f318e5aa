import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { Logger } from '../../common/log.js';
import type { ModemPort } from './modem-port.js';

export interface PtyTransportOptions {
  /** Path of the device the agent opens (a symlink to the pty); a temp path when omitted. */
  link?: string;
  logger: Logger;
  /** Path of the socat binary. */
  socat?: string;
  /**
   * Path of util-linux's `setpriv`, which starts socat with a parent-death signal; `false` starts
   * socat without it (socat then outlives a SIGKILLed owner). Default: `setpriv` from PATH on
   * Linux, when there.
   */
  setpriv?: string | false;
}

/**
 * Exposes a simulated modem as a real serial device: `socat` makes a pty pair, the simulator
 * holds one end (through serialport) and the agent opens the other (`path`). Dropping the port
 * kills socat, so the device node disappears and the agent's open port fails the way an
 * unplugged USB modem does; when the device comes back socat is started again on the same link.
 *
 * socat dies with its owner, even when the owner is SIGKILLed (no chance to clean up): it is
 * started through `setpriv --pdeathsig TERM` (util-linux, essential on Debian), so the kernel
 * sends it SIGTERM when the owner's thread that spawned it ends (`prctl(PR_SET_PDEATHSIG)`, kept
 * across setpriv's exec of socat); on SIGTERM socat removes its pty links. Node spawns from the
 * thread running the event loop, so that is the owner's death. The temp directory of a default
 * link stays behind (empty) after a SIGKILL.
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
    const socat = [this.options.socat ?? 'socat', '-d', '-d', `pty,raw,echo=0,link=${this.modemSide}`, `pty,raw,echo=0,link=${this.path}`];
    const setpriv = this.options.setpriv ?? defaultSetpriv();
    if (setpriv === false && this.options.setpriv === undefined && process.platform === 'linux' && !warnedNoSetpriv) {
      warnedNoSetpriv = true;
      this.options.logger.warn('setpriv not found (apt-get install util-linux): socat will outlive this process if it is killed with SIGKILL');
    }
    const command = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...socat] : socat;
    const child = spawn(command[0]!, command.slice(1), {
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
      child.once('error', (err) => reject(new Error(`could not start ${setpriv ? 'setpriv' : 'socat'} (apt-get install ${setpriv ? 'util-linux' : 'socat'}): ${err.message}`)));
      child.once('exit', (code, signal) => {
        // setpriv could not exec socat: 127 = not found, 126 = not executable.
        if (setpriv && (code === 127 || code === 126)) reject(new Error(`could not start socat (apt-get install socat): ${stderr.trim()}`));
        else reject(new Error(`socat exited (${signal ?? code}) before the pty pair was ready: ${stderr.trim()}`));
      });
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

let setprivPath: string | false | undefined;
let warnedNoSetpriv = false;

/** `setpriv` on PATH (Linux only: the parent-death signal is a Linux feature), looked up once. */
function defaultSetpriv(): string | false {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = false;
  if (process.platform !== 'linux') return setprivPath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK);
      return (setprivPath = join(dir, 'setpriv'));
    } catch {
      // Not in this directory.
    }
  }
  return setprivPath;
}

function removeStaleLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) unlinkSync(path);
  } catch {
    // Nothing there: nothing to remove.
  }
}
