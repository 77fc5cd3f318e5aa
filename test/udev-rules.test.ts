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

const rules = readFileSync(join(import.meta.dirname, '..', 'scripts', 'ops', '78-cellgate-modem.rules'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** `ENV{KEY}=="a|b"` → ['a', 'b']. */
const matches = (line: string, key: string): string[] => line.match(new RegExp(`ENV\\{${key}\\}=="([^"]+)"`))?.[1]?.split('|') ?? [];

describe('udev rules for /dev/cellgate-at', () => {
  const namingRules = rules.filter((line) => line.includes('SYMLINK+="cellgate-at"') && line.includes('ID_USB_INTERFACE_NUM'));
  const ignored = new Set(rules.filter((line) => line.includes('ENV{ID_MM_DEVICE_IGNORE}="1"')).flatMap((line) => matches(line, 'ID_MODEL_ID').map((p) => `${matches(line, 'ID_VENDOR_ID')[0]}:${p}`)));

  it('names the AT port of every supported USB module', () => {
    const named = namingRules.flatMap((line) => matches(line, 'ID_MODEL_ID').map((p) => `${matches(line, 'ID_VENDOR_ID')[0]}:${p}`));
    // Quectel BG96, BG95, EC25/EG25-G; SIMCom SIM7600, SIM7080 (two layouts); u-blox SARA-R410M; Telit ME910C1.
    expect(named.sort()).toEqual(['05c6:90b2', '1bc7:1101', '1e0e:9001', '1e0e:9205', '1e0e:9206', '2c7c:0125', '2c7c:0296', '2c7c:0700'].sort());
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
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('tells ModemManager to ignore every module it names, and gives the port to dialout', () => {
    for (const line of namingRules) {
      for (const product of matches(line, 'ID_MODEL_ID')) expect(ignored, `${matches(line, 'ID_VENDOR_ID')[0]}:${product}`).toContain(`${matches(line, 'ID_VENDOR_ID')[0]}:${product}`);
      expect(line).toMatch(/GROUP="dialout", MODE="0660"/);
    }
  });
});
