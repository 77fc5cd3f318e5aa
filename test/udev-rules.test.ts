/**
 * scripts/ops/78-cellgate-modem.rules against what the probe knows of each module's USB ports
 * (agent/probe/usb-ports.ts, from ModemManager's port-type rules): every /dev/cellgate-at line
 * names a port the table calls the AT port, and every module named there is also ignored by
 * ModemManager. (The file's syntax is checked by Debian 13's `udevadm verify` in
 * scripts/ops/test-install.sh.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usbPortRole } from '../agent/probe/usb-ports.js';
import { DIALECT_NAMES } from '../simulator/modem/dialect-profile.js';

const rules = readFileSync(join(import.meta.dirname, '..', 'scripts', 'ops', '78-cellgate-modem.rules'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** `ENV{KEY}=="a|b"` → ['a', 'b']. */
const matches = (line: string, key: string): string[] => line.match(new RegExp(`ENV\\{${key}\\}=="([^"]+)"`))?.[1]?.split('|') ?? [];

/**
 * Every supported module (docs/modems.md: each dialect but the generic one) and how its AT port
 * is named: by USB vendor:product, or on the Pi's UART (a HAT), where the rules file carries an
 * example line per UART. Sources are cited in the rules file.
 */
const SUPPORTED: Record<Exclude<(typeof DIALECT_NAMES)[number], 'generic'>, { usb: string[]; uart?: true }> = {
  bg96: { usb: ['2c7c:0296'] },
  bg95: { usb: ['2c7c:0700'] },
  ec25: { usb: ['2c7c:0125', '2c7c:0121'] }, // EC25, EG25-G; EC21
  sim7080: { usb: ['1e0e:9205', '1e0e:9206'] },
  sim7600: { usb: ['1e0e:9001'] },
  'sara-r4': { usb: ['05c6:90b2'], uart: true },
  // SARA-R5's USB is for firmware and diagnostics only: AT goes over the UART.
  'sara-r5': { usb: [], uart: true },
  me910: { usb: ['1bc7:1101'] },
  // The Serial LTE Modem on a Thingy:91 (USB bridge) or wired to the Pi's UART.
  nrf91: { usb: ['1915:9100'], uart: true },
};

describe('udev rules for /dev/cellgate-at', () => {
  const namingRules = rules.filter((line) => line.includes('SYMLINK+="cellgate-at"') && line.includes('ID_USB_INTERFACE_NUM'));
  const ignored = new Set(rules.filter((line) => line.includes('ENV{ID_MM_DEVICE_IGNORE}="1"')).flatMap((line) => matches(line, 'ID_MODEL_ID').map((p) => `${matches(line, 'ID_VENDOR_ID')[0]}:${p}`)));

  it('names the AT port of every supported module: each USB id once, and the UART for HATs', () => {
    expect(Object.keys(SUPPORTED).sort()).toEqual(DIALECT_NAMES.filter((d) => d !== 'generic').sort());
    const named = namingRules.flatMap((line) => matches(line, 'ID_MODEL_ID').map((p) => `${matches(line, 'ID_VENDOR_ID')[0]}:${p}`));
    expect(named.sort()).toEqual(Object.values(SUPPORTED).flatMap((m) => m.usb).sort());
    // The UART examples (commented: which UART a HAT uses is the board's choice).
    const uartLines = readFileSync(join(import.meta.dirname, '..', 'scripts', 'ops', '78-cellgate-modem.rules'), 'utf8').split('\n').filter((line) => /^#KERNEL=="tty(AMA|S)0", SYMLINK\+="cellgate-at", GROUP="dialout", MODE="0660"$/.test(line));
    expect(uartLines).toHaveLength(2);
  });

  it('each named interface is the AT port where the probe knows the module', () => {
    let checked = 0;
    for (const line of namingRules) {
      const vendor = matches(line, 'ID_VENDOR_ID')[0]!;
      const iface = matches(line, 'ID_USB_INTERFACE_NUM')[0]!;
      for (const product of matches(line, 'ID_MODEL_ID')) {
        const role = usbPortRole(vendor, product, iface);
        if (role === undefined) continue;
        expect(role, `${vendor}:${product} interface ${iface}`).toBe('at');
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it('tells ModemManager to ignore every module it names, and gives the port to dialout', () => {
    for (const line of namingRules) {
      for (const product of matches(line, 'ID_MODEL_ID')) expect(ignored, `${matches(line, 'ID_VENDOR_ID')[0]}:${product}`).toContain(`${matches(line, 'ID_VENDOR_ID')[0]}:${product}`);
      expect(line).toMatch(/GROUP="dialout", MODE="0660"/);
    }
  });
});
