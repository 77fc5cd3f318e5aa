/** The human-readable form of `cellgate probe` (the `--json` form is the reports as they are). */
import type { PortReport } from './probe-port.js';

const STATE_WORDS: Readonly<Record<string, string>> = {
  'not-registered': 'not registered',
  'registered-home': 'registered (home)',
  searching: 'searching',
  denied: 'registration denied',
  unknown: 'unknown (out of coverage?)',
  'registered-roaming': 'registered (roaming)',
  'sms-only-home': 'registered, SMS only (home)',
  'sms-only-roaming': 'registered, SMS only (roaming)',
  'emergency-only': 'emergency services only',
  'csfb-not-preferred-home': 'registered, CSFB not preferred (home)',
  'csfb-not-preferred-roaming': 'registered, CSFB not preferred (roaming)',
  'attached-rlos': 'attached for RLOS only',
  unrecognised: 'not registered (unknown state)',
};

const DOMAIN_WORDS: Readonly<Record<string, string>> = { eps: 'LTE (+CEREG)', ps: '2G/3G packet (+CGREG)', cs: 'circuit (+CREG)', '5gs': '5G (+C5GREG)' };

function kindLine(report: PortReport): string {
  const usb = report.usb ? ` (USB ${report.usb.vendor}:${report.usb.product} interface ${report.usb.interfaceNumber}${report.usb.role ? `: ${report.usb.role} port per ModemManager's rules` : ''})` : '';
  switch (report.kind) {
    case 'at':
      return `AT port${usb}`;
    case 'nmea':
      return `NMEA (GNSS) port, not AT${usb}${report.sample ? `: ${report.sample}` : ''}`;
    case 'diagnostic':
      return `diagnostic (binary) port, not AT${usb}`;
    case 'silent':
      return `silent: no answer to AT${usb}`;
    case 'skipped':
      return `not opened: ${report.diagnosis?.message ?? 'held by another program'}`;
    case 'unavailable':
      return report.diagnosis?.message ?? 'cannot be opened';
  }
}

export function renderReports(reports: readonly PortReport[]): string {
  if (reports.length === 0) return 'no serial ports found (looked in /dev/serial/by-id, /dev/ttyUSB*, /dev/ttyACM*); give one: cellgate probe /dev/ttyS0 or tcp://host:port';
  const out: string[] = [];
  for (const r of reports) {
    out.push(`${r.port}  ${kindLine(r)}`);
    const pad = (label: string, text: string): void => void out.push(`  ${label.padEnd(10)} ${text}`);
    if ((r.kind === 'skipped' || r.kind === 'unavailable' || r.kind === 'at') && r.diagnosis && r.diagnosis.kind !== 'ok') {
      if (r.kind === 'at') pad('warning', r.diagnosis.message);
      if (r.diagnosis.hint) pad('hint', r.diagnosis.hint);
    }
    const m = r.module;
    if (!m) continue;
    pad('module', [m.manufacturer, m.model, m.revision && `revision ${m.revision}`, m.imei && `IMEI ${m.imei}`].filter(Boolean).join('  ') || '(says nothing about itself)');
    pad('SIM', [m.sim === 'error' ? 'not readable' : m.sim, m.iccid && `ICCID ${m.iccid}`, m.imsi && `IMSI ${m.imsi}`, m.eid ? `EID ${m.eid}` : 'no eUICC answered'].filter(Boolean).join('  '));
    const reg = m.registration;
    const radio: string[] = [];
    if (m.functionality !== undefined) radio.push(`CFUN ${m.functionality}`);
    if (reg) {
      const where = [reg.tac !== undefined && `area ${reg.tac.toString(16).toUpperCase()}`, reg.cellId !== undefined && `cell ${reg.cellId.toString(16).toUpperCase()}`, reg.act !== undefined && `AcT ${reg.act}`].filter(Boolean).join(' ');
      radio.push(`${STATE_WORDS[reg.state ?? 'unrecognised'] ?? `stat ${reg.stat}`} on ${DOMAIN_WORDS[reg.domain ?? 'eps']}${where ? ` ${where}` : ''}${reg.rejectCause !== undefined ? ` (cause #${reg.rejectCause})` : ''}`);
    } else radio.push('registration not readable');
    if (m.operator?.name) radio.push(`operator ${m.operator.name}`);
    if (m.signal?.rssiDbm !== undefined) radio.push(`signal ${m.signal.rssiDbm} dBm (CSQ ${m.signal.csq})`);
    else if (m.signal?.csq === 99) radio.push('no signal (CSQ 99)');
    pad('radio', radio.join('; '));
    if (m.servingCell?.rat) pad('cell', `${m.servingCell.rat} ${m.servingCell.state} band ${m.servingCell.band ?? '?'} EARFCN ${m.servingCell.earfcn ?? '?'} RSRP ${m.servingCell.rsrpDbm ?? '?'} dBm`);
    if (r.dialect) pad('dialect', `${r.dialect.id} — ${r.dialect.reason}`);
  }
  return out.join('\n');
}
