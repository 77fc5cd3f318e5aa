import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyOpenError, diagnosePort, errnoOf, findPortHolders } from './port-diagnosis.js';

describe('classifyOpenError', () => {
  // The texts are the ones @serialport/bindings-cpp builds from strerror (serialport_unix.cpp):
  // "Error: <strerror>, cannot open <path>" and "Error <strerror> Cannot lock port".
  const cases: Array<[string, unknown, string]> = [
    ['serialport ENOENT', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'), 'missing'],
    ['serialport EACCES', new Error('Error: Permission denied, cannot open /dev/ttyS0'), 'permission-denied'],
    ['serialport EBUSY (TIOCEXCL held by ModemManager)', new Error('Error: Device or resource busy, cannot open /dev/ttyUSB2'), 'busy'],
    ['serialport flock', new Error('Error Resource temporarily unavailable Cannot lock port'), 'busy'],
    ['wrapped in the cause chain', new Error('cannot open /dev/ttyUSB2', { cause: new Error('Error: Permission denied, cannot open') }), 'permission-denied'],
    ['node errno code', Object.assign(new Error('open failed'), { code: 'ENOENT' }), 'missing'],
    ['ENODEV after an unplug', Object.assign(new Error('x'), { code: 'ENODEV' }), 'missing'],
    ['not a tty', new Error('Error: Inappropriate ioctl for device, cannot open /tmp/file'), 'not-a-tty'],
    ['unknown', new Error('Error: Input/output error, cannot open /dev/ttyUSB2'), 'unknown'],
  ];
  it.each(cases)('%s', (_name, error, kind) => {
    expect(classifyOpenError(error)).toBe(kind);
  });

  it('reads the errno from a plain string too', () => {
    expect(errnoOf('Permission denied')).toBe('EACCES');
  });
});

describe('findPortHolders and diagnosePort over a /proc tree', () => {
  let root: string;
  const device = '/dev/ttyUSB2';

  function proc(pid: number, comm: string, cmdline: string[], fds: string[]): void {
    const dir = join(root, 'proc', String(pid));
    mkdirSync(join(dir, 'fd'), { recursive: true });
    writeFileSync(join(dir, 'comm'), `${comm}\n`);
    writeFileSync(join(dir, 'cmdline'), `${cmdline.join('\0')}\0`);
    fds.forEach((target, i) => symlinkSync(target, join(dir, 'fd', String(i + 3))));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'port-diag-'));
    mkdirSync(join(root, 'proc'), { recursive: true });
    mkdirSync(join(root, 'proc', 'self'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names ModemManager and says so explicitly when it holds the port', async () => {
    proc(612, 'ModemManager', ['/usr/sbin/ModemManager'], ['/dev/null', device, 'socket:[1234]']);
    proc(700, 'bash', ['-bash'], ['/dev/pts/0']);
    const diagnosis = await diagnosePort(device, new Error('Error: Device or resource busy, cannot open /dev/ttyUSB2'), { root, selfPid: 1 });
    expect(diagnosis.kind).toBe('busy');
    expect(diagnosis.heldByModemManager).toBe(true);
    expect(diagnosis.holders).toEqual([{ pid: 612, name: 'ModemManager', commandLine: '/usr/sbin/ModemManager', isModemManager: true }]);
    expect(diagnosis.message).toBe('/dev/ttyUSB2 is busy: ModemManager (pid 612) holds it (ModemManager is using this modem)');
    expect(diagnosis.hint).toMatch(/systemctl stop ModemManager/);
    expect(diagnosis.hint).toMatch(/ID_MM_DEVICE_IGNORE/);
  });

  it('names every other holder, never ourselves', async () => {
    proc(4410, 'minicom', ['minicom', '-D', device], [device]);
    proc(77, 'node', ['node', 'agent.js'], [device]);
    proc(1, 'node', ['node', 'probe.js'], [device]);
    const { holders } = await findPortHolders(device, { root, selfPid: 1 });
    expect(holders.map((h) => [h.pid, h.name, h.isModemManager])).toEqual([
      [77, 'node', false],
      [4410, 'minicom', false],
    ]);
    const diagnosis = await diagnosePort(device, new Error('Error Resource temporarily unavailable Cannot lock port'), { root, selfPid: 1 });
    expect(diagnosis.message).toBe('/dev/ttyUSB2 is busy: node (pid 77) and minicom (pid 4410) hold it');
    expect(diagnosis.hint).toMatch(/stop node \(pid 77\) and minicom \(pid 4410\)/);
  });

  it('says when a busy port has no visible holder', async () => {
    const diagnosis = await diagnosePort(device, new Error('Error: Device or resource busy, cannot open'), { root, selfPid: 1 });
    expect(diagnosis.kind).toBe('busy');
    expect(diagnosis.holders).toEqual([]);
    expect(diagnosis.message).toBe('/dev/ttyUSB2 is busy: another process holds it');
    expect(diagnosis.hint).toMatch(/fuser/);
  });

  it('flags a port that opened but that ModemManager also holds', async () => {
    proc(612, 'ModemManager', ['/usr/sbin/ModemManager'], [device]);
    const diagnosis = await diagnosePort(device, undefined, { root, selfPid: 1 });
    expect(diagnosis.kind).toBe('busy');
    expect(diagnosis.message).toBe('/dev/ttyUSB2 is also open in ModemManager (pid 612): ModemManager is using this modem');
  });

  it('reports a free port as ok', async () => {
    proc(700, 'bash', ['-bash'], ['/dev/pts/0']);
    const diagnosis = await diagnosePort(device, undefined, { root, selfPid: 1 });
    expect(diagnosis).toMatchObject({ kind: 'ok', holders: [], hint: '' });
  });

  it('missing device: says what to check', async () => {
    const diagnosis = await diagnosePort('/dev/ttyUSB9', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'), { root });
    expect(diagnosis.kind).toBe('missing');
    expect(diagnosis.message).toMatch(/does not exist/);
    expect(diagnosis.hint).toMatch(/cellgate probe/);
  });

  it('permission denied: names the node group and the dialout / udev remedy', async () => {
    const node = join(root, 'ttyFAKE');
    writeFileSync(node, '');
    chmodSync(node, 0o660);
    mkdirSync(join(root, 'etc'));
    // The test file's gid is ours; map it to "dialout" in the fake /etc/group.
    const gid = process.getgid?.() ?? 0;
    writeFileSync(join(root, 'etc', 'group'), `not-it:x:999999:\ndialout:x:${gid}:pi\n`);
    const diagnosis = await diagnosePort(node, new Error('Error: Permission denied, cannot open'), { root, selfPid: 1 });
    expect(diagnosis.kind).toBe('permission-denied');
    expect(diagnosis.group).toBe('dialout');
    expect(diagnosis.message).toBe(`permission denied opening ${node} (owned by group 'dialout')`);
    expect(diagnosis.hint).toMatch(/usermod -aG dialout/);
    expect(diagnosis.hint).toMatch(/udev rule/);
  });
});

describe('findPortHolders on the real /proc', () => {
  it('finds a child process that holds a file open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-diag-real-'));
    const file = join(dir, 'fake-tty');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    const child = spawn('sleep', ['60'], { stdio: [fd, 'ignore', 'ignore'] });
    closeSync(fd);
    try {
      await new Promise<void>((resolve) => child.once('spawn', () => resolve()));
      const { holders } = await findPortHolders(file);
      expect(holders.map((h) => [h.pid, h.name])).toEqual([[child.pid, 'sleep']]);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
