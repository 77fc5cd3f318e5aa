import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidatePorts, usbInfoOf, usbPortRole } from './usb-ports.js';

describe('usbPortRole (ModemManager 77-mm-*-port-types.rules)', () => {
  it.each([
    ['2c7c', '0125', '02', 'at'],
    ['2c7c', '0125', '01', 'gps'],
    ['2c7c', '0125', '00', 'qcdm'],
    ['2C7C', '0296', '3', 'at-secondary'],
    ['1e0e', '9001', '04', 'audio'],
    ['1e0e', '9205', '03', 'ppp'],
    ['1bc7', '1101', '01', 'at'],
  ] as const)('%s:%s if%s → %s', (v, p, i, role) => {
    expect(usbPortRole(v, p, i)).toBe(role);
  });
  it('unknown devices have no role', () => {
    expect(usbPortRole('1234', '5678', '00')).toBeUndefined();
  });
});

describe('sysfs and /dev', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'usb-ports-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads vendor, product and interface of a ttyUSB, and lists by-id ports first without duplicates', async () => {
    // /sys/class/tty/ttyUSB2/device → .../1-1:1.2 (interface), whose parent is the USB device.
    const device = join(root, 'sys', 'devices', 'usb1', '1-1');
    const iface = join(device, '1-1:1.2');
    mkdirSync(iface, { recursive: true });
    writeFileSync(join(device, 'idVendor'), '2c7c\n');
    writeFileSync(join(device, 'idProduct'), '0125\n');
    writeFileSync(join(iface, 'bInterfaceNumber'), '02\n');
    mkdirSync(join(root, 'sys', 'class', 'tty', 'ttyUSB2'), { recursive: true });
    symlinkSync(iface, join(root, 'sys', 'class', 'tty', 'ttyUSB2', 'device'));
    mkdirSync(join(root, 'dev', 'serial', 'by-id'), { recursive: true });
    for (const n of ['ttyUSB0', 'ttyUSB2', 'ttyUSB10', 'ttyACM0', 'ttyS0']) writeFileSync(join(root, 'dev', n), '');
    symlinkSync(join(root, 'dev', 'ttyUSB2'), join(root, 'dev', 'serial', 'by-id', 'usb-Quectel_EG25-G-if02-port0'));
    expect(await usbInfoOf(join(root, 'dev', 'ttyUSB2'), root)).toEqual({ vendor: '2c7c', product: '0125', interfaceNumber: '02', role: 'at' });
    expect(await usbInfoOf(join(root, 'dev', 'ttyS0'), root)).toBeUndefined();
    const ports = await candidatePorts(root);
    expect(ports.map((p) => p.slice(root.length))).toEqual(['/dev/serial/by-id/usb-Quectel_EG25-G-if02-port0', '/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB10']);
  });
});
