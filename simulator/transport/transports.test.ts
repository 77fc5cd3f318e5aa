import { SerialPortStream } from '@serialport/stream';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatedModem, type SimulatedModemHandle } from '../index.js';

/**
 * Collects text from a stream until `pattern` matches. The check runs on every chunk (no timer);
 * a stream that never says it fails at the test's own timeout.
 */
function reader(stream: NodeJS.EventEmitter): { text: () => string; until: (pattern: RegExp) => Promise<string> } {
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return {
    text: () => text,
    until: (pattern) =>
      new Promise((resolve) => {
        if (pattern.test(text)) return resolve(text);
        const check = (): void => {
          if (!pattern.test(text)) return;
          stream.off('data', check);
          resolve(text);
        };
        stream.on('data', check);
      }),
  };
}

const handles: SimulatedModemHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

describe('pty transport (socat)', () => {
  it('is a real serial device the serialport package opens; a dropped port disappears and comes back', async () => {
    const handle = await startSimulatedModem({ dialect: 'bg96', latency: 'zero', expose: { pty: true } });
    handles.push(handle);
    expect(handle.ptyPath && existsSync(handle.ptyPath)).toBe(true);
    const port = new SerialPort({ path: handle.ptyPath!, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
    const r = reader(port);
    port.write('ATI\r');
    const got = await r.until(/Revision[^]*OK\r\n$/);
    expect(got, JSON.stringify(got)).toContain('\r\nQuectel\r\nBG96\r\nRevision: BG96MAR02A07M1G\r\n\r\nOK\r\n');
    const closed = new Promise<void>((resolve) => port.once('close', () => resolve()));
    // Dropped until the test brings it back: a short real-time drop could end before a loaded
    // machine ran the next line, and whenPort(false) would then wait for a drop that never comes.
    handle.modem.faults.dropPort(3_600_000);
    await closed;
    // Awaited, not timed: socat is gone with its links, then comes back once the port does.
    await handle.whenPort(false);
    expect(existsSync(handle.ptyPath!)).toBe(false);
    handle.modem.faults.dropPort(0); // on an absent port: only schedules its return, now
    await handle.whenPort(true);
    expect(existsSync(handle.ptyPath!)).toBe(true);
    const again = new SerialPort({ path: handle.ptyPath!, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => again.once('open', resolve).once('error', reject));
    const r2 = reader(again);
    again.write('AT\r');
    expect(await r2.until(/OK\r\n$/)).toContain('AT\r\r\nOK\r\n');
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });

  it('close() kills socat and removes the device', async () => {
    const handle = await startSimulatedModem({ dialect: 'generic', latency: 'zero', expose: { pty: true } });
    const path = handle.ptyPath!;
    expect(existsSync(path)).toBe(true);
    await handle.close();
    expect(existsSync(path)).toBe(false);
  });
});

describe('TCP serial server', () => {
  it('passes raw bytes, serves one client at a time, and refuses connections while the port is dropped', async () => {
    const handle = await startSimulatedModem({ dialect: 'sim7080', latency: 'zero', expose: { tcp: { port: 0 } } });
    handles.push(handle);
    const url = new URL(handle.tcpUrl!);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(Number(url.port), url.hostname, () => resolve(s));
        s.once('error', reject);
      });
    const client = await open();
    const r = reader(client);
    client.write('AT+CGMM\r');
    expect(await r.until(/OK\r\n$/)).toContain('SIMCOM_SIM7080G');
    const second = await open();
    await new Promise((resolve) => second.once('close', resolve));
    const cut = new Promise((resolve) => client.once('close', resolve));
    handle.modem.faults.dropPort(3_600_000); // until brought back below (see the pty case)
    await cut;
    await handle.whenPort(false);
    await expect(open()).rejects.toThrow(/ECONNREFUSED/);
    handle.modem.faults.dropPort(0);
    await handle.whenPort(true);
    const back = await open();
    const r2 = reader(back);
    back.write('AT\r');
    expect(await r2.until(/OK\r\n$/)).toContain('OK');
    back.destroy();
  });
});

describe('in-process binding', () => {
  it('runs the real @serialport/stream against a simulated modem and honours port drops', async () => {
    const handle = await startSimulatedModem({ dialect: 'bg95', latency: 'zero', expose: { inProcess: true } });
    handles.push(handle);
    const binding = handle.binding!;
    expect((await binding.list()).map((p) => p.path)).toContain(handle.inProcessPath);
    const port = new SerialPortStream({ binding, path: handle.inProcessPath!, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
    const r = reader(port);
    port.write('AT+CGMM\r');
    expect(await r.until(/OK\r\n$/)).toContain('BG95-M3');
    const second = new SerialPortStream({ binding, path: handle.inProcessPath!, baudRate: 115200 });
    await expect(new Promise((resolve, reject) => second.once('open', resolve).once('error', reject))).rejects.toThrow(/lock/);
    const closed = new Promise<unknown>((resolve) => port.once('close', resolve));
    handle.modem.faults.dropPort(200);
    const error = (await closed) as { disconnected?: boolean } | null;
    expect(error?.disconnected).toBe(true);
    const reopen = new SerialPortStream({ binding, path: handle.inProcessPath!, baudRate: 115200 });
    await expect(new Promise((resolve, reject) => reopen.once('open', resolve).once('error', reject))).rejects.toThrow(/No such file/);
    await handle.whenPort(true);
    const back = new SerialPortStream({ binding, path: handle.inProcessPath!, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => back.once('open', resolve).once('error', reject));
    const r2 = reader(back);
    back.write('AT\r');
    expect(await r2.until(/OK\r\n$/)).toContain('OK');
    await new Promise<void>((resolve) => back.close(() => resolve()));
  });
});
