/**
 * Which serial ports to look at, and what a USB interface number says a port is for. The roles
 * follow ModemManager's port-type rules (src/plugins/<vendor>/77-mm-<vendor>-port-types.rules): a Quectel
 * EC25/EG25 (2c7c:0125) exposes QCDM on interface 0, NMEA on 1, the AT port on 2 and a second AT
 * port on 3; the probe still asks each port itself, the table only explains what it finds.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';

export type UsbPortRole = 'at' | 'at-secondary' | 'ppp' | 'qcdm' | 'gps' | 'audio' | 'ignore';

/** `vendor:product` → role per interface number (two hex digits). */
const ROLES: Readonly<Record<string, Readonly<Record<string, UsbPortRole>>>> = {
  // Quectel BG96, EC25/EG25 (77-mm-quectel-port-types.rules); EC21, the same ports (Linux
  // drivers/usb/serial/option.c lists it with them: RSVD(4)).
  '2c7c:0296': { '00': 'qcdm', '01': 'gps', '02': 'at', '03': 'at-secondary' },
  '2c7c:0125': { '00': 'qcdm', '01': 'gps', '02': 'at', '03': 'at-secondary' },
  '2c7c:0121': { '00': 'qcdm', '01': 'gps', '02': 'at', '03': 'at-secondary' },
  // SIMCom SIM7000/7100/7600 (9001), SIM7070/7080/7090 (9205) (77-mm-simtech-port-types.rules).
  '1e0e:9001': { '00': 'qcdm', '01': 'gps', '02': 'at', '03': 'at-secondary', '04': 'audio' },
  '1e0e:9205': { '00': 'qcdm', '01': 'gps', '02': 'at', '03': 'ppp' },
  // Telit ME910C1 (1101), MEx10G1 (110a) (77-mm-telit-port-types.rules).
  '1bc7:1101': { '00': 'qcdm', '01': 'at', '02': 'at-secondary' },
  '1bc7:110a': { '00': 'qcdm', '01': 'at', '02': 'at-secondary' },
  // Nordic Thingy:91's USB bridge: the nRF91's UART0 (the Serial LTE Modem's AT port) on the
  // first CDC ACM port (nrfconnect/sdk-nrf applications/connectivity_bridge, thingy91 overlay).
  '1915:9100': { '00': 'at' },
};

export function usbPortRole(vendor: string, product: string, interfaceNumber: string): UsbPortRole | undefined {
  return ROLES[`${vendor.toLowerCase()}:${product.toLowerCase()}`]?.[interfaceNumber.toLowerCase().padStart(2, '0')];
}

export interface UsbInfo {
  readonly vendor: string;
  readonly product: string;
  readonly interfaceNumber: string;
  readonly role?: UsbPortRole;
}

async function readTrim(path: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * USB identity of a tty (`/sys/class/tty/<name>/device` is the interface; its parent the device),
 * when the port is a USB one. `root` lets tests build a fake sysfs.
 */
export async function usbInfoOf(devicePath: string, root = '/'): Promise<UsbInfo | undefined> {
  let name: string;
  try {
    name = basename(await fs.realpath(devicePath));
  } catch {
    name = basename(devicePath);
  }
  const iface = join(root, 'sys', 'class', 'tty', name, 'device');
  let ifaceReal: string;
  try {
    ifaceReal = await fs.realpath(iface);
  } catch {
    return undefined;
  }
  const interfaceNumber = (await readTrim(join(ifaceReal, 'bInterfaceNumber'))) ?? (await readTrim(join(ifaceReal, '..', 'bInterfaceNumber')));
  const device = join(ifaceReal, '..');
  const vendor = (await readTrim(join(device, 'idVendor'))) ?? (await readTrim(join(device, '..', 'idVendor')));
  const product = (await readTrim(join(device, 'idProduct'))) ?? (await readTrim(join(device, '..', 'idProduct')));
  if (!vendor || !product || !interfaceNumber) return undefined;
  const role = usbPortRole(vendor, product, interfaceNumber);
  return { vendor, product, interfaceNumber, ...(role ? { role } : {}) };
}

/**
 * The serial ports a probe looks at when none is given: `/dev/serial/by-id/*` (resolved, the
 * stable names shown), then any `/dev/ttyUSB*` and `/dev/ttyACM*` not already listed.
 */
export async function candidatePorts(root = '/'): Promise<string[]> {
  const dev = join(root, 'dev');
  const out: string[] = [];
  const seen = new Set<string>();
  const byId = join(dev, 'serial', 'by-id');
  for (const entry of (await fs.readdir(byId).catch(() => [] as string[])).sort()) {
    const path = join(byId, entry);
    const real = await fs.realpath(path).catch(() => path);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(path);
  }
  const ttys = (await fs.readdir(dev).catch(() => [] as string[])).filter((n) => /^tty(USB|ACM)\d+$/.test(n));
  ttys.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const name of ttys) {
    const path = join(dev, name);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push(path);
  }
  return out;
}
