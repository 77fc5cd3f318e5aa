/**
 * `cellgate probe` on real ptys: a simulated module's AT port, a silent port, an NMEA port, a
 * port another process holds (serialport's lock), and one ModemManager holds (a /proc tree).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRecording } from '../common/at-recording.js';
import { RealClock } from '../common/clock.js';
import { silentLogger } from '../common/log.js';
import { probePort } from '../agent/probe/probe-port.js';
import { renderReports } from '../agent/probe/render.js';
import { run as probeCli } from '../agent/probe-cli.js';
import { startSimulatedModem, type SimulatedModemHandle } from '../simulator/index.js';

let dir: string;
let sim: SimulatedModemHandle;
const children: ChildProcess[] = [];

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pty pair from socat: `a` is the probe's side, `b` the far end. */
async function ptyPair(name: string): Promise<{ a: string; b: string }> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  children.push(spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' }));
  await until(() => existsSync(a) && existsSync(b), `socat ${name}`);
  return { a, b };
}

/** A node process that keeps writing `text` to a device every 100 ms, or just holds it open (locked). */
async function nodeChild(script: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('ready'), 'child ready');
  return child;
}

const options = { clock: new RealClock(), logger: silentLogger(), listenMs: 300, atTimeoutMs: 500 };
let ports: { at: string; silent: string; nmea: string; busy: string; busyHolder: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cellgate-probe-'));
  sim = await startSimulatedModem({ dialect: 'ec25', latency: 'zero', imei: '866425030000017', expose: { pty: true } });
  const silent = await ptyPair('silent');
  const nmea = await ptyPair('nmea');
  await nodeChild(`import { openSync, writeSync } from 'node:fs'; const fd = openSync(${JSON.stringify(nmea.b)}, 'w'); setInterval(() => writeSync(fd, '$GPGSV,3,1,11,10,63,137,17,07,61,098,15,05,59,290,20,08,54,157,30*70\\r\\n'), 100); console.log('ready');`);
  const busy = await ptyPair('busy');
  const holder = await nodeChild(`import { SerialPort } from 'serialport'; const p = new SerialPort({ path: ${JSON.stringify(busy.a)}, baudRate: 115200 }, (e) => { if (e) { console.error(e); process.exit(1); } console.log('ready'); setInterval(() => undefined, 1000); });`);
  ports = { at: sim.ptyPath!, silent: silent.a, nmea: nmea.a, busy: busy.a, busyHolder: holder.pid! };
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cellgate probe on ptys', () => {
  it('an AT port: the module, its SIM, registration, signal and the dialect it would get', async () => {
    const report = await probePort(ports.at, options);
    expect(report.kind).toBe('at');
    expect(report.module).toMatchObject({ manufacturer: 'Quectel', model: 'EG25', revision: 'EG25GGBR07A08M2G', imei: '866425030000017', sim: 'ready' });
    expect(report.module!.iccid).toMatch(/^\d{19,20}$/);
    expect(report.module!.imsi).toMatch(/^\d{15}$/);
    expect(report.module!.registration).toMatchObject({ domain: 'eps', stat: 1 });
    expect(report.module!.signal?.csq).toBeGreaterThan(0);
    expect(report.module!.servingCell).toMatchObject({ rat: 'LTE' });
    expect(report.module!.eid).toBeUndefined();
    expect(report.dialect).toEqual({ id: 'ec25', reason: "model 'EG25' matches /\\bE[CG]2[15]/i" });
  }, 30_000);

  it('read-only: no setting of the module changed (echo still on, no registration URCs turned on)', async () => {
    await probePort(ports.at, options);
    const status = sim.modem.status();
    expect(status.cfun).toBe(1);
    // Echo is the V.250 default and stays on; the agent turns it off, the probe does not.
    expect((sim.modem as unknown as { settings: { echo: boolean; ceregN: number; cmee: number } }).settings).toMatchObject({ echo: true, ceregN: 0, cmee: 1 });
  }, 30_000);

  it('a silent port, an NMEA port', async () => {
    expect(await probePort(ports.silent, options)).toMatchObject({ kind: 'silent' });
    const nmea = await probePort(ports.nmea, options);
    expect(nmea.kind).toBe('nmea');
    expect(nmea.sample).toMatch(/^\$GPGSV,/);
  }, 30_000);

  it('a busy port names the process that holds it', async () => {
    const report = await probePort(ports.busy, options);
    expect(report.kind).toBe('unavailable');
    expect(report.diagnosis).toMatchObject({ kind: 'busy', heldByModemManager: false });
    expect(report.diagnosis!.holders.map((h) => h.pid)).toContain(ports.busyHolder);
    // socat, which made the pty pair, holds the device too; a real USB port has only its user.
    expect(report.diagnosis!.message).toMatch(new RegExp(`is busy: .*node \\(pid ${ports.busyHolder}\\).* holds? it`));
  }, 30_000);

  it('a port ModemManager holds is not opened, and says so', async () => {
    const root = join(dir, 'fakeroot');
    mkdirSync(join(root, 'proc', '612', 'fd'), { recursive: true });
    writeFileSync(join(root, 'proc', '612', 'comm'), 'ModemManager\n');
    writeFileSync(join(root, 'proc', '612', 'cmdline'), '/usr/sbin/ModemManager\0');
    symlinkSync(ports.silent, join(root, 'proc', '612', 'fd', '7'));
    const report = await probePort(ports.silent, { ...options, diagnosis: { root } });
    expect(report.kind).toBe('skipped');
    expect(report.diagnosis!.message).toMatch(/ModemManager \(pid 612\)/);
    expect(renderReports([report])).toMatch(/not opened: .*ModemManager is using this modem[\s\S]*systemctl stop ModemManager/);
  }, 30_000);

  it('the CLI: human output for all four, --json, exit code 0 when an AT port answered', async () => {
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((text: string) => void logs.push(text));
    try {
      expect(await probeCli([ports.at, ports.silent, ports.nmea, ports.busy])).toBe(0);
      const text = logs.join('\n');
      expect(text).toMatch(new RegExp(`${ports.at}  AT port`));
      expect(text).toMatch(/dialect +ec25/);
      expect(text).toMatch(new RegExp(`${ports.silent}  silent: no answer to AT`));
      expect(text).toMatch(new RegExp(`${ports.nmea}  NMEA \\(GNSS\\) port`));
      expect(text).toMatch(/is busy: .*node \(pid \d+\).* holds? it/);
      logs.length = 0;
      // --record: the probe's own exchanges, which also show it wrote no setting.
      const file = join(dir, 'probe.jsonl');
      expect(await probeCli(['--record', file, ports.at])).toBe(0);
      const sent = parseRecording(readFileSync(file, 'utf8')).lines.filter((l) => l.dir === 'tx').map((l) => l.line);
      expect(sent).toContain('AT+CGMM');
      const writes = sent.filter((l) => /^AT(E\d|\+CMEE=|\+C[EG]?REG=|\+CFUN=|\+CGDCONT=|\+COPS=|\+QCFG=)/i.test(l));
      expect(writes).toEqual([]);
      logs.length = 0;
      expect(await probeCli(['--json', ports.silent])).toBe(1);
      expect(JSON.parse(logs.join('\n'))).toEqual([{ port: ports.silent, kind: 'silent' }]);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
