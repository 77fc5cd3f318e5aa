/**
 * Why a serial port could not be opened (or should not be), in words a person at a gateway can
 * act on: the device is missing, the user lacks permission (the `dialout` group or a udev rule),
 * or another process holds it — named, and called out when it is ModemManager, which grabs every
 * modem port it finds unless told to ignore the device.
 *
 * The classification of an error is pure (`classifyOpenError`); finding who holds a device reads
 * `/proc/<pid>/fd` (`findPortHolders`), with the root directory injectable so tests build a fake
 * `/proc` tree. Used by `cellgate probe`, the agent's port reporting and its `/healthz`.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** What stopped a port from opening. `ok` is for a port that opened and that nobody else holds. */
export type PortFailureKind = 'ok' | 'missing' | 'permission-denied' | 'busy' | 'not-a-tty' | 'unknown';

/** A process that has the device open. */
export interface PortHolder {
  readonly pid: number;
  /** The process name (`/proc/<pid>/comm`), e.g. `ModemManager`, `node`, `minicom`. */
  readonly name: string;
  /** Its command line, arguments joined by spaces (empty when unreadable). */
  readonly commandLine: string;
  readonly isModemManager: boolean;
}

/** The verdict on one port. */
export interface PortDiagnosis {
  /** The path as given (`/dev/serial/by-id/...`, `/dev/ttyUSB2`). */
  readonly path: string;
  readonly kind: PortFailureKind;
  /** One line for logs and the probe: what is wrong, naming the holder when known. */
  readonly message: string;
  /** What to do about it (empty for `ok`). */
  readonly hint: string;
  /** Other processes with the device open (filled for `busy`, and for any kind when known). */
  readonly holders: readonly PortHolder[];
  /** True when ModemManager is among the holders. */
  readonly heldByModemManager: boolean;
  /** The error text the open failed with, when it failed. */
  readonly cause?: string;
  /** For `permission-denied`: the device node's group (`dialout`, `uucp`, `tty`) when readable. */
  readonly group?: string;
  /**
   * Processes whose descriptors could not be read (other users' processes when not root): a busy
   * port with no visible holder says so rather than guessing.
   */
  readonly unreadableProcesses: number;
}

/** Where `/proc` and `/etc/group` are read from, and which process to leave out (ourselves). */
export interface DiagnosisOptions {
  /** Root of the filesystem view; `/` on a gateway, a temp tree in tests. */
  readonly root?: string;
  /** Our own pid, never listed as a holder (default `process.pid`). */
  readonly selfPid?: number;
}

const errnoByText: ReadonlyArray<[RegExp, string]> = [
  [/no such file or directory/i, 'ENOENT'],
  [/no such device/i, 'ENODEV'],
  [/permission denied/i, 'EACCES'],
  [/operation not permitted/i, 'EPERM'],
  [/device or resource busy/i, 'EBUSY'],
  // serialport's flock(LOCK_EX|LOCK_NB) failure: "Error Resource temporarily unavailable Cannot lock port".
  [/resource temporarily unavailable|cannot lock port/i, 'EAGAIN'],
  [/inappropriate ioctl for device|not a typewriter/i, 'ENOTTY'],
];

/** The errno code of an open failure: the `code` property when set, else read from the message chain. */
export function errnoOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    const found = errnoByText.find(([re]) => re.test(message));
    if (found) return found[1];
  }
  return undefined;
}

/**
 * Pure: what kind of failure an open error is. ENOENT/ENODEV/ENXIO → missing (unplugged, wrong
 * path, a USB module re-enumerating); EACCES/EPERM → permission; EBUSY (another process set
 * TIOCEXCL, as ModemManager does) and EAGAIN (serialport's flock lock held) → busy; ENOTTY → the
 * path is not a serial device.
 */
export function classifyOpenError(error: unknown): PortFailureKind {
  switch (errnoOf(error)) {
    case 'ENOENT':
    case 'ENODEV':
    case 'ENXIO':
      return 'missing';
    case 'EACCES':
    case 'EPERM':
      return 'permission-denied';
    case 'EBUSY':
    case 'EAGAIN':
      return 'busy';
    case 'ENOTTY':
      return 'not-a-tty';
    default:
      return 'unknown';
  }
}

/** ModemManager's process name; distributions also run it as `modem-manager` (older Ubuntu). */
export function isModemManagerName(name: string): boolean {
  return /^(modemmanager|modem-manager)$/i.test(name.trim());
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The device node a path names (by-id symlinks resolved), and its device number when it exists. */
async function deviceIdentity(path: string): Promise<{ real: string; rdev?: number }> {
  try {
    const real = await fs.realpath(path);
    const stat = await fs.stat(real);
    return stat.rdev ? { real, rdev: stat.rdev } : { real };
  } catch {
    return { real: path };
  }
}

/**
 * Every other process with `devicePath` open, found by reading the links in `/proc/<pid>/fd`
 * (a match by link target, or by device number when the link can be stat'ed). Processes whose
 * descriptors we may not read (other users' when not root) are counted, not guessed at.
 */
export async function findPortHolders(
  devicePath: string,
  options: DiagnosisOptions = {},
): Promise<{ holders: PortHolder[]; unreadableProcesses: number }> {
  const root = options.root ?? '/';
  const self = options.selfPid ?? process.pid;
  const target = await deviceIdentity(devicePath);
  // In a test tree the fd links point at paths outside it; compare them as written too.
  const names = new Set([devicePath, target.real]);
  const proc = join(root, 'proc');
  let entries: string[];
  try {
    entries = await fs.readdir(proc);
  } catch {
    return { holders: [], unreadableProcesses: 0 };
  }
  const holders: PortHolder[] = [];
  let unreadable = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === self) continue;
    const fdDir = join(proc, entry, 'fd');
    let fds: string[];
    try {
      fds = await fs.readdir(fdDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES' || (error as NodeJS.ErrnoException).code === 'EPERM') unreadable++;
      continue;
    }
    let holds = false;
    for (const fd of fds) {
      const link = join(fdDir, fd);
      const points = await fs.readlink(link).catch(() => undefined);
      if (points !== undefined && names.has(points)) {
        holds = true;
        break;
      }
      if (target.rdev !== undefined && points?.startsWith('/dev/')) {
        const stat = await fs.stat(link).catch(() => undefined);
        if (stat?.rdev === target.rdev) {
          holds = true;
          break;
        }
      }
    }
    if (!holds) continue;
    const name = ((await readText(join(proc, entry, 'comm'))) ?? '').trim() || `pid ${pid}`;
    const commandLine = ((await readText(join(proc, entry, 'cmdline'))) ?? '').split('\0').filter(Boolean).join(' ');
    holders.push({ pid, name, commandLine, isModemManager: isModemManagerName(name) || /(^|\/)ModemManager(\s|$)/.test(commandLine) });
  }
  holders.sort((a, b) => a.pid - b.pid);
  return { holders, unreadableProcesses: unreadable };
}

/** The group name of a device node (from `/etc/group`), when the node exists. */
async function nodeGroup(path: string, root: string): Promise<string | undefined> {
  let gid: number;
  try {
    gid = (await fs.stat(path)).gid;
  } catch {
    return undefined;
  }
  const groups = await readText(join(root, 'etc', 'group'));
  const line = groups?.split('\n').find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

/** `ModemManager (pid 612)`, `minicom (pid 4410) and node (pid 77)`. */
export function describeHolders(holders: readonly PortHolder[]): string {
  const names = holders.map((h) => `${h.name} (pid ${h.pid})`);
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const MODEMMANAGER_HINT =
  'ModemManager owns every modem port it finds: stop it (sudo systemctl stop ModemManager; disable it to keep it stopped) ' +
  'or make it ignore this modem with a udev rule setting ENV{ID_MM_DEVICE_IGNORE}="1" for the device';

function busyHint(holders: readonly PortHolder[], unreadable: number): string {
  if (holders.some((h) => h.isModemManager)) return MODEMMANAGER_HINT;
  if (holders.length > 0) return `stop ${describeHolders(holders)}, or point the agent at another port of the modem`;
  if (unreadable > 0) return 'run the probe as root to see which process holds it (sudo fuser -v <port> also tells)';
  return 'another program has it open or locked (ModemManager, minicom, a second agent); sudo fuser -v <port> names it';
}

function permissionHint(path: string, group: string | undefined): string {
  const g = group ?? 'dialout';
  return (
    `add the agent's user to the '${g}' group (sudo usermod -aG ${g} $USER, then log in again), ` +
    `or install a udev rule giving the modem's ports to that user, e.g. ` +
    `SUBSYSTEM=="tty", ATTRS{idVendor}=="2c7c", GROUP="${g}", MODE="0660" (docs/raspberry-pi.md); device ${path}`
  );
}

/**
 * Explains why opening `path` failed with `error`: the kind, a message naming whoever holds the
 * port, and a hint. With `error` undefined it checks a port that did open: `busy` when another
 * process holds it too (root can open a port ModemManager holds exclusively, and then both
 * talk at once), else `ok`.
 */
export async function diagnosePort(path: string, error?: unknown, options: DiagnosisOptions = {}): Promise<PortDiagnosis> {
  const root = options.root ?? '/';
  const cause = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
  const kind = error === undefined ? 'ok' : classifyOpenError(error);
  const { holders, unreadableProcesses } = kind === 'missing' ? { holders: [], unreadableProcesses: 0 } : await findPortHolders(path, options);
  const heldByModemManager = holders.some((h) => h.isModemManager);
  const base = { path, holders, heldByModemManager, unreadableProcesses, ...(cause !== undefined ? { cause } : {}) };
  const who = describeHolders(holders);
  switch (kind) {
    case 'ok':
      if (holders.length === 0) return { ...base, kind: 'ok', message: `${path} is free`, hint: '' };
      return {
        ...base,
        kind: 'busy',
        message: `${path} is also open in ${who}${heldByModemManager ? ': ModemManager is using this modem' : ''}`,
        hint: busyHint(holders, unreadableProcesses),
      };
    case 'missing':
      return {
        ...base,
        kind,
        message: `${path} does not exist (modem unplugged, not enumerated yet, or another port name)`,
        hint: 'check the cable and power; list the ports with `ls -l /dev/serial/by-id` or run `cellgate probe`',
      };
    case 'permission-denied': {
      const group = await nodeGroup(path, root);
      return {
        ...base,
        kind,
        ...(group ? { group } : {}),
        message: `permission denied opening ${path}${group ? ` (owned by group '${group}')` : ''}`,
        hint: permissionHint(path, group),
      };
    }
    case 'busy':
      return {
        ...base,
        kind,
        message: who
          ? `${path} is busy: ${who} ${holders.length > 1 ? 'hold' : 'holds'} it${heldByModemManager ? ' (ModemManager is using this modem)' : ''}`
          : `${path} is busy: another process holds it${unreadableProcesses > 0 ? ` (${unreadableProcesses} processes could not be inspected)` : ''}`,
        hint: busyHint(holders, unreadableProcesses),
      };
    case 'not-a-tty':
      return { ...base, kind, message: `${path} is not a serial device`, hint: 'give the modem\'s AT port (a /dev/ttyUSB*, /dev/ttyACM* or /dev/serial/by-id path)' };
    default:
      return {
        ...base,
        kind: 'unknown',
        message: `cannot open ${path}: ${cause ?? 'unknown error'}${who ? ` (also open in ${who})` : ''}`,
        hint: heldByModemManager ? MODEMMANAGER_HINT : '',
      };
  }
}
