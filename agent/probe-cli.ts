/**
 * `cellgate probe [port...] [--json] [--record FILE] [--force]`: which serial ports answer AT, and
 * what the module behind each says — read-only (agent/probe/probe-port.ts). Without a port it
 * looks at /dev/serial/by-id, /dev/ttyUSB* and /dev/ttyACM*; `tcp://host:port` must be given.
 */
import { RealClock } from '../common/clock.js';
import { parseCommandLine } from '../common/command-line.js';
import { createLogger } from '../common/log.js';
import { fileRecordingSink, SessionRecorder } from './at/recording.js';
import { probePort, type PortReport } from './probe/probe-port.js';
import { renderReports } from './probe/render.js';
import { candidatePorts } from './probe/usb-ports.js';

const USAGE = `usage: cellgate probe [port...] [options]

Finds the ports that answer AT and shows, per port, the module (manufacturer, model, firmware,
IMEI), the SIM (state, ICCID, IMSI, EID of an eUICC), registration, signal, and the dialect the
agent would choose and why. Read-only: it never changes a setting. A port that ModemManager holds
is not opened (it says so); a busy or forbidden port is explained.

  port                   a device path or tcp://host:port (default: /dev/serial/by-id/*, /dev/ttyUSB*, /dev/ttyACM*)
  --json                 the reports as JSON
  --record <file>        record every AT line (secrets redacted) as JSON lines, for cellgate sim --replay
  --force                open ports ModemManager holds too (it then talks to the module at the same time)
  --listen-ms <ms>       listen this long before sending AT, to recognise NMEA/diagnostic ports (default 300)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate probe', USAGE, {
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      record: { type: 'string' },
      force: { type: 'boolean', default: false },
      'listen-ms': { type: 'string', default: '300' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const listenMs = Number(values['listen-ms']);
  if (!Number.isInteger(listenMs) || listenMs < 0) {
    console.error('cellgate probe: --listen-ms takes a number of milliseconds');
    return 2;
  }
  const clock = new RealClock();
  const logger = createLogger({ name: 'probe', level: process.env.LOG_LEVEL ?? 'silent' });
  const ports = positionals.length > 0 ? positionals : await candidatePorts();
  const recorder = values.record ? new SessionRecorder(fileRecordingSink(values.record), clock, { port: ports.join(' '), tool: 'cellgate probe' }) : undefined;
  const reports: PortReport[] = [];
  try {
    for (const port of ports) {
      reports.push(await probePort(port, { clock, logger, listenMs, force: values.force, ...(recorder ? { recorder } : {}) }));
    }
  } finally {
    await recorder?.close();
  }
  console.log(values.json ? JSON.stringify(reports, null, 2) : renderReports(reports));
  return reports.some((r) => r.kind === 'at') ? 0 : 1;
}
