/** Radio and registration: `+CFUN`, `+CREG`/`+CGREG`/`+CEREG`, signal, `+COPS`, `+CGATT`, `+CEER`. */
import { CME, cmeForEmmCause, emmCauseText, esmCauseText } from '../errors.js';
import { registrationTail } from '../registration-format.js';
import { badArgs, cme, error, inRange, int, ok, type CommandSpec, type Reply } from './reply.js';
import type { ModemContext } from '../modem-context.js';
import type { ParsedCommand } from '../command-line.js';

function registrationCommand(name: '+CREG' | '+CGREG' | '+CEREG', key: 'cregN' | 'cgregN' | 'ceregN', max: number): CommandSpec {
  return {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok([`${name}: (0-${max})`]);
      if (c.form === 'read') return ok([`${name}: ${m.settings[key]},${registrationTail(m, m.settings[key], name)}`]);
      const n = c.form === 'exec' || c.args[0] === undefined ? 0 : int(c.args[0]);
      if (!inRange(n, 0, max)) return badArgs();
      m.settings[key] = n;
      return ok();
    },
  };
}

export function signal(m: ModemContext): boolean {
  return m.settings.cfun === 1 && m.radio.hasCoverage && m.simState !== 'absent';
}

/** The Quectel RAT name a command prints (`+QCSQ`, `+QNWINFO`, `+QENG`), per profile. */
export function quectelRatName(m: ModemContext, command: 'qcsq' | 'qnwinfo' | 'qeng'): string {
  const names = m.dialect.quectelNames?.[command] ?? ['eMTC', 'NBIoT'];
  return m.radio.radioType === 'nb-iot' ? names[1] : names[0];
}

export function act(m: ModemContext): number {
  return m.radio.radioType === 'nb-iot' ? m.dialect.actNbIot : m.dialect.actLteM;
}

export function applyRatPreference(m: ModemContext): void {
  const f = m.dialect.families;
  if (f.includes('quectel-iot')) m.radio.radioType = m.persistent.qcfg.get('iotopmode') === '1' ? 'nb-iot' : 'lte-m';
  if (f.includes('simcom-cnact')) m.radio.radioType = m.persistent.cmnb === 2 ? 'nb-iot' : 'lte-m';
  if (f.includes('ublox')) m.radio.radioType = m.persistent.urat.split(',')[0] === '8' ? 'nb-iot' : 'lte-m';
  if (f.includes('telit')) m.radio.radioType = m.persistent.ws46 === 1 ? 'nb-iot' : 'lte-m';
  if (f.includes('nordic')) m.radio.radioType = m.persistent.systemMode[0] === 1 ? 'lte-m' : 'nb-iot';
}

/** A reset as the dialect does it: a USB module re-enumerates (its port vanishes for a while). */
export function resetLikeTheModule(m: ModemContext): void {
  const usb = m.dialect.usbReenumerationMs;
  m.reset(usb > 0 ? { dropPortMs: usb } : {});
}

async function setFunctionality(m: ModemContext, c: ParsedCommand): Promise<Reply> {
  const fun = int(c.args[0]);
  const rst = c.args[1] === undefined ? 0 : int(c.args[1]);
  const resets = m.dialect.cfunResetValues;
  if (!(fun === 0 || fun === 1 || fun === 4 || (fun !== undefined && resets.includes(fun))) || !(rst === 0 || rst === 1)) return badArgs();
  // AT+CFUN=1,1, or a vendor reset value (u-blox 15 / 16): OK, then the module reboots.
  if (rst === 1 || resets.includes(fun)) {
    if (rst === 1 && fun !== 1) return badArgs();
    return ok([], () => resetLikeTheModule(m));
  }
  const previous = m.settings.cfun;
  if (fun === previous) return ok();
  if (fun === 1) {
    if (!(await m.wait('radioOn'))) return error();
    m.settings.cfun = 1;
    // CFUN 0 powers the SIM down with the radio (a SIM power cycle); CFUN 4 keeps it powered.
    if (previous === 0) m.powerCycleSim();
    m.applyPendingRefresh();
    applyRatPreference(m);
    // SIMCom reads the SIM again when the radio comes back from CFUN 0 and says so.
    const extra = m.dialect.families.includes('simcom') && previous === 0 && m.simState !== 'absent' ? m.dialect.simReadyUrcs : [];
    return ok([], () => {
      for (const line of extra) m.urc(line);
      m.startSearching();
    });
  }
  if (!(await m.wait('radioOff'))) return error();
  m.settings.cfun = fun as 0 | 4;
  await m.detach();
  return ok();
}

export const radio: Record<string, CommandSpec> = {
  '+CFUN': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CFUN: ${m.settings.cfun}`]);
      if (c.form === 'test') return ok([`+CFUN: (${[0, 1, 4, ...m.dialect.cfunResetValues].join(',')}),(0-1)`]);
      if (c.form !== 'set') return error();
      return setFunctionality(m, c);
    },
  },
  '+CREG': registrationCommand('+CREG', 'cregN', 3),
  '+CGREG': registrationCommand('+CGREG', 'cgregN', 4),
  '+CEREG': registrationCommand('+CEREG', 'ceregN', 5),
  '+CSQ': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CSQ: (0-31,99),(0-7,99)']);
      if (c.form !== 'exec') return error();
      if (!signal(m)) return ok(['+CSQ: 99,99']);
      const rssi = Math.max(0, Math.min(31, Math.round((m.radio.cell.rssi + 113) / 2)));
      return ok([`+CSQ: ${rssi},99`]);
    },
  },
  '+CESQ': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)']);
      if (c.form !== 'exec') return error();
      if (!signal(m)) return ok(['+CESQ: 99,99,255,255,255,255']);
      // 27.007 §8.69: rsrq index = (RSRQ + 20) * 2, rsrp index = RSRP + 141.
      const rsrq = Math.max(0, Math.min(34, Math.round((m.radio.cell.rsrq + 20) * 2)));
      const rsrp = Math.max(0, Math.min(97, m.radio.cell.rsrp + 141));
      return ok([`+CESQ: 99,99,255,255,${rsrq},${rsrp}`]);
    },
  },
  '+COPS': {
    kind: 'query',
    run: async (m, c) => {
      const cell = m.radio.cell;
      if (c.form === 'read') {
        if (!m.radio.registered) return ok(['+COPS: 0']);
        // AT+COPS=3,<format> chose how the operator is named: 0/1 alphanumeric, 2 numeric.
        const format = m.settings.copsFormat;
        const name = format === 2 ? `${cell.mcc}${cell.mnc}` : cell.operatorName;
        return ok([`+COPS: 0,${format},"${name}",${m.onUtran ? 2 : act(m)}`]);
      }
      if (c.form === 'test') {
        if (!(await m.wait('registration'))) return error();
        if (!signal(m)) return ok(['+COPS: ,,(0-4),(0-2)']);
        return ok([`+COPS: (2,"${cell.operatorName}","${cell.operatorName}","${cell.mcc}${cell.mnc}",${act(m)}),,(0-4),(0-2)`]);
      }
      const mode = c.form === 'exec' ? 0 : int(c.args[0]);
      if (!inRange(mode, 0, 4)) return badArgs();
      if (mode === 3) {
        // 27.007 §7.3: <mode> 3 only sets <format> for the read command.
        const format = int(c.args[1]);
        if (!inRange(format, 0, 2)) return badArgs();
        m.settings.copsFormat = format;
        return ok();
      }
      if (mode === 2) {
        await m.detach();
        return ok();
      }
      if (mode === 1 || mode === 4) {
        const oper = c.args[2];
        if (oper !== undefined && oper !== `${cell.mcc}${cell.mnc}` && oper !== cell.operatorName) {
          return mode === 4 ? ok() : cme(CME.noNetworkService);
        }
      }
      if (!m.radio.registered && m.radio.stat !== 2) m.startSearching();
      return ok();
    },
  },
  '+CGATT': {
    kind: 'query',
    run: async (m, c) => {
      if (c.form === 'read') return ok([`+CGATT: ${m.radio.registered ? 1 : 0}`]);
      if (c.form === 'test') return ok(['+CGATT: (0,1)']);
      const state = int(c.args[0]);
      if (c.form !== 'set' || !inRange(state, 0, 1)) return badArgs();
      if (state === 0) {
        await m.detach();
        return ok();
      }
      return attach(m);
    },
  },
  '+CEER': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec') return error();
      return ok([ceerLine(m)]);
    },
  },
};

export async function attach(m: ModemContext): Promise<Reply> {
  if (m.simState === 'absent') return cme(CME.simNotInserted);
  if (m.simState === 'no-profile') return cme(CME.simFailure);
  if (m.settings.cfun !== 1) return cme(CME.notAllowed);
  if (m.radio.registered) return ok();
  if (m.radio.stat !== 2) m.startSearching();
  const outcome = await m.waitForRegistration(150_000);
  if (outcome === 1 || outcome === 5) return ok();
  if (outcome === 3 && m.radio.emmCause !== undefined) return cme(cmeForEmmCause(m.radio.emmCause));
  return cme(CME.noNetworkService);
}

function ceerLine(m: ModemContext): string {
  const failure = m.lastFailure;
  if (m.dialect.ceerStyle === 'text') {
    if (!failure) return '+CEER: No Cause';
    const text = failure.kind === 'emm' ? emmCauseText(failure.cause) : esmCauseText(failure.cause);
    return `+CEER: ${failure.kind.toUpperCase()} cause ${failure.cause},${text}`;
  }
  if (!failure) return '+CEER: "No cause information available"';
  const text = failure.kind === 'emm' ? emmCauseText(failure.cause) : esmCauseText(failure.cause);
  return `+CEER: "${failure.kind.toUpperCase()} cause",${failure.cause},"${text}"`;
}
