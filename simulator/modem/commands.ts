import type { ParsedCommand } from './command-line.js';
import { CME, cmeForEmmCause, cmeForEsmCause, emmCauseText, esmCauseText } from './errors.js';
import type { LatencyKind } from './latency.js';
import type { ModemContext } from './modem-context.js';
import { registrationTail } from './registration-format.js';

/** How a command ends: `OK`, `ERROR`, `+CME ERROR` (shown per CMEE), or nothing (it printed its own). */
export type FinalResult = { kind: 'ok' } | { kind: 'error' } | { kind: 'cme'; code: number } | { kind: 'none' };

export interface Reply {
  readonly lines: readonly string[];
  readonly result: FinalResult;
  /** Runs right after the final result is written (a reset after `OK`, a URC after `OK`). */
  readonly after?: () => void;
}

type Handler = (m: ModemContext, c: ParsedCommand) => Promise<Reply> | Reply;

interface CommandSpec {
  /** What the command waits for before answering. */
  readonly kind: LatencyKind;
  readonly run: Handler;
  /** Vendor family that must be present on the dialect. */
  readonly family?: 'quectel' | 'simcom';
  /** Whether the SIM must be present (`+CME ERROR: 10` otherwise). */
  readonly needsSim?: boolean;
}

const ok = (lines: string[] = [], after?: () => void): Reply => ({ lines, result: { kind: 'ok' }, ...(after ? { after } : {}) });
const error = (): Reply => ({ lines: [], result: { kind: 'error' } });
const cme = (code: number): Reply => ({ lines: [], result: { kind: 'cme', code } });
const badArgs = (): Reply => cme(CME.incorrectParameters);

function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function inRange(value: number | undefined, min: number, max: number): value is number {
  return value !== undefined && value >= min && value <= max;
}

const hex = /^(?:[0-9A-Fa-f]{2})*$/;

/** Dispatches one parsed command on the modem; the modem wraps it in echo, result codes, garbage. */
export async function handleCommand(m: ModemContext, c: ParsedCommand): Promise<Reply> {
  const spec = COMMANDS[c.name] ?? iccidSpec(m, c.name);
  if (!spec || (spec.family && !m.dialect.families.includes(spec.family))) {
    if (!(await m.wait('query'))) return error();
    return m.dialect.unknownCommand === 'cme' ? cme(CME.notSupported) : error();
  }
  if (!(await m.wait(c.form === 'test' || c.form === 'read' ? 'query' : spec.kind))) return error();
  if (spec.needsSim && c.form !== 'test') {
    if (m.simState === 'absent') return cme(CME.simNotInserted);
  }
  return spec.run(m, c);
}

function iccidSpec(m: ModemContext, name: string): CommandSpec | undefined {
  const prefix = m.dialect.iccidCommands[name];
  if (prefix === undefined) return undefined;
  return {
    kind: 'sim',
    needsSim: true,
    run: (modem, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec' && c.form !== 'read') return error();
      const iccid = modem.simIdentity?.iccid;
      if (!iccid) return cme(CME.simFailure);
      return ok([prefix ? `${prefix}: ${iccid}` : iccid]);
    },
  };
}

// ---- identification and V.250 basics -------------------------------------------------------

const identity = (pick: (m: ModemContext) => string): CommandSpec => ({
  kind: 'query',
  run: (m, c) => (c.form === 'exec' ? ok([pick(m)]) : c.form === 'test' ? ok() : error()),
});

const basic: Record<string, CommandSpec> = {
  E: {
    kind: 'query',
    run: (m, c) => {
      const v = c.args[0] === undefined ? 0 : int(c.args[0]);
      if (v !== 0 && v !== 1) return error();
      m.settings.echo = v === 1;
      return ok();
    },
  },
  I: {
    kind: 'query',
    run: (m, c) => {
      const v = c.args[0] === undefined ? 0 : int(c.args[0]);
      if (v !== 0) return error();
      return ok(m.dialect.atiLines.map((l) => l.replace('{imei}', m.imei)), undefined);
    },
  },
  V: { kind: 'query', run: (_m, c) => (c.args[0] === undefined || c.args[0] === '1' ? ok() : error()) },
  Q: { kind: 'query', run: (_m, c) => (c.args[0] === undefined || c.args[0] === '0' ? ok() : error()) },
  Z: {
    kind: 'config',
    run: (m) => {
      const cfun = m.settings.cfun;
      m.settings = { ...m.settings, echo: true, cmee: m.dialect.defaultCmee, cregN: 0, cgregN: 0, ceregN: 0, cgerepMode: 0, cgerepBfr: 0, cfun };
      return ok();
    },
  },
  '&F': { kind: 'config', run: () => ok() },
  '&W': { kind: 'config', run: () => ok() },
  '&D': { kind: 'query', run: () => ok() },
  '&C': { kind: 'query', run: () => ok() },
  S3: { kind: 'query', run: (_m, c) => (c.form === 'read' ? ok(['013']) : ok()) },
  S4: { kind: 'query', run: (_m, c) => (c.form === 'read' ? ok(['010']) : ok()) },
  '+CMEE': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CMEE: ${m.settings.cmee}`]);
      if (c.form === 'test') return ok(['+CMEE: (0-2)']);
      const v = c.form === 'exec' ? 0 : int(c.args[0]);
      if (v !== 0 && v !== 1 && v !== 2) return badArgs();
      m.settings.cmee = v;
      return ok();
    },
  },
  '+CGMI': identity((m) => m.dialect.manufacturer),
  '+GMI': identity((m) => m.dialect.manufacturer),
  '+CGMM': identity((m) => m.dialect.model),
  '+GMM': identity((m) => m.dialect.model),
  '+CGMR': identity((m) => (m.dialect.families.includes('simcom') ? `Revision:${m.dialect.revision}` : m.dialect.revision)),
  '+GMR': identity((m) => m.dialect.revision),
  '+GSN': identity((m) => m.imei),
  '+CGSN': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGSN: (0-3)']);
      if (c.form === 'exec') return ok([m.imei]);
      if (c.form !== 'set') return error();
      const snt = int(c.args[0]);
      if (snt === 0) return ok([m.imei]);
      if (snt === 1) return ok([`+CGSN: "${m.imei}"`]);
      return badArgs();
    },
  },
};

// ---- SIM ------------------------------------------------------------------------------------

const sim: Record<string, CommandSpec> = {
  '+CPIN': {
    kind: 'sim',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (m.simState === 'absent') return cme(CME.simNotInserted);
      if (m.simState === 'no-profile') return cme(CME.simFailure);
      if (c.form === 'read') return ok(['+CPIN: READY']);
      // A PIN was given although none is asked for (27.007 §8.3).
      return cme(CME.notAllowed);
    },
  },
  '+CIMI': {
    kind: 'sim',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec') return error();
      const imsi = m.simIdentity?.imsi;
      return imsi ? ok([imsi]) : cme(CME.simFailure);
    },
  },
  '+QSIMDET': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+QSIMDET: ${m.persistent.qsimdet.join(',')}`]);
      if (c.form === 'test') return ok(['+QSIMDET: (0,1),(0,1)']);
      const enable = int(c.args[0]);
      const level = c.args[1] === undefined ? m.persistent.qsimdet[1] : int(c.args[1]);
      if (c.form !== 'set' || !inRange(enable, 0, 1) || !inRange(level, 0, 1)) return badArgs();
      m.persistent.qsimdet = [enable, level];
      return ok();
    },
  },
};

// ---- logical channels (27.007 §8.45, §8.43, §8.46, §8.17) -----------------------------------

function cglaPrefix(m: ModemContext): string {
  return m.quirks.cglaNoSpace ? '+CGLA:' : '+CGLA: ';
}

const channels: Record<string, CommandSpec> = {
  '+CCHO': {
    kind: 'channel',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const aid = c.args[0];
      if (c.form !== 'set' || aid === undefined || c.args.length !== 1 || !hex.test(aid) || aid.length < 10 || aid.length > 32) {
        return badArgs();
      }
      const opened = m.card!.openChannel(aid.toUpperCase());
      if ('sw' in opened) return cme(opened.sw === 0x6a81 ? CME.memoryFull : CME.notAllowed);
      return ok([m.quirks.cchoBare ? String(opened.channel) : `+CCHO: ${opened.channel}`]);
    },
  },
  '+CCHC': {
    kind: 'channel',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const ch = int(c.args[0]);
      if (c.form !== 'set' || !inRange(ch, 1, 19)) return badArgs();
      return m.card!.closeChannel(ch) ? ok() : badArgs();
    },
  },
  '+CGLA': {
    kind: 'apdu',
    needsSim: true,
    run: async (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const ch = int(c.args[0]);
      const length = int(c.args[1]);
      const command = c.args[2];
      if (c.form !== 'set' || !inRange(ch, 1, 19) || length === undefined || command === undefined || !hex.test(command)) return badArgs();
      if (command.length !== length || length < 8) return badArgs();
      if (m.quirks.slowApduMs > 0 && !(await m.wait(m.quirks.slowApduMs))) return error();
      let response: Uint8Array;
      try {
        response = m.card!.transmit(ch, Buffer.from(command, 'hex'));
      } catch (err) {
        m.logger.warn({ err }, 'card refused an APDU');
        return badArgs();
      }
      const out = Buffer.from(response).toString('hex').toUpperCase();
      return ok([`${cglaPrefix(m)}${out.length},"${out}"`]);
    },
  },
  '+CSIM': {
    kind: 'apdu',
    needsSim: true,
    run: async (m, c) => {
      if (c.form === 'test') return ok();
      const length = int(c.args[0]);
      const command = c.args[1];
      if (c.form !== 'set' || length === undefined || command === undefined || !hex.test(command)) return badArgs();
      if (command.length !== length || length < 8) return badArgs();
      if (m.quirks.slowApduMs > 0 && !(await m.wait(m.quirks.slowApduMs))) return error();
      const out = Buffer.from(m.channels.csim(Buffer.from(command, 'hex'))).toString('hex').toUpperCase();
      return ok([`+CSIM: ${out.length},"${out}"`]);
    },
  },
};

// ---- radio and registration -----------------------------------------------------------------

function registrationCommand(name: '+CREG' | '+CGREG' | '+CEREG', key: 'cregN' | 'cgregN' | 'ceregN', max: number): CommandSpec {
  return {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok([`${name}: (0-${max})`]);
      if (c.form === 'read') return ok([`${name}: ${m.settings[key]},${registrationTail(m, m.settings[key], name === '+CEREG')}`]);
      const n = c.form === 'exec' || c.args[0] === undefined ? 0 : int(c.args[0]);
      if (!inRange(n, 0, max)) return badArgs();
      m.settings[key] = n;
      return ok();
    },
  };
}

function signal(m: ModemContext): boolean {
  return m.settings.cfun === 1 && m.radio.hasCoverage && m.simState !== 'absent';
}

function sysmode(m: ModemContext): string {
  return m.radio.radioType === 'nb-iot' ? 'NBIoT' : 'eMTC';
}

function act(m: ModemContext): number {
  return m.radio.radioType === 'nb-iot' ? m.dialect.actNbIot : m.dialect.actLteM;
}

function applyRatPreference(m: ModemContext): void {
  if (m.dialect.families.includes('quectel')) m.radio.radioType = m.persistent.qcfg.get('iotopmode') === '1' ? 'nb-iot' : 'lte-m';
  if (m.dialect.families.includes('simcom')) m.radio.radioType = m.persistent.cmnb === 2 ? 'nb-iot' : 'lte-m';
}

async function setFunctionality(m: ModemContext, c: ParsedCommand): Promise<Reply> {
  const fun = int(c.args[0]);
  const rst = c.args[1] === undefined ? 0 : int(c.args[1]);
  if (!(fun === 0 || fun === 1 || fun === 4) || !(rst === 0 || rst === 1)) return badArgs();
  if (rst === 1) {
    if (fun !== 1) return badArgs();
    return ok([], () => m.reset());
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
    const extra = m.dialect.families.includes('simcom') && previous === 0 && m.simState !== 'absent' ? ['+CPIN: READY', 'SMS Ready'] : [];
    return ok([], () => {
      for (const line of extra) m.urc(line);
      m.startSearching();
    });
  }
  if (!(await m.wait('radioOff'))) return error();
  m.settings.cfun = fun;
  await m.detach();
  return ok();
}

const radio: Record<string, CommandSpec> = {
  '+CFUN': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CFUN: ${m.settings.cfun}`]);
      if (c.form === 'test') return ok(['+CFUN: (0,1,4),(0-1)']);
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
        return ok([m.radio.registered ? `+COPS: 0,0,"${cell.operatorName}",${act(m)}` : '+COPS: 0']);
      }
      if (c.form === 'test') {
        if (!(await m.wait('registration'))) return error();
        if (!signal(m)) return ok(['+COPS: ,,(0-4),(0-2)']);
        return ok([`+COPS: (2,"${cell.operatorName}","${cell.operatorName}","${cell.mcc}${cell.mnc}",${act(m)}),,(0-4),(0-2)`]);
      }
      const mode = c.form === 'exec' ? 0 : int(c.args[0]);
      if (!inRange(mode, 0, 4)) return badArgs();
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

async function attach(m: ModemContext): Promise<Reply> {
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

// ---- packet domain --------------------------------------------------------------------------

const PDP_TYPES = new Set(['IP', 'IPV6', 'IPV4V6', 'NON-IP', 'NONIP']);

/** Activates `cid` through the gate; the shared core of CGACT, QIACT and CNACT. */
async function activate(m: ModemContext, cid: number, apnOverride?: string): Promise<{ ok: true } | { ok: false; code: number }> {
  if (m.simState === 'absent') return { ok: false, code: CME.simNotInserted };
  if (m.settings.cfun !== 1) return { ok: false, code: CME.notAllowed };
  if (!m.radio.registered) {
    // 27.007 §10.1.10: an MT not attached attaches first.
    const attached = await attach(m);
    if (attached.result.kind !== 'ok') {
      return { ok: false, code: attached.result.kind === 'cme' ? attached.result.code : CME.noNetworkService };
    }
  }
  if (!(await m.wait('pdpActivate'))) return { ok: false, code: CME.unspecifiedGprsError };
  const apn = apnOverride ?? m.persistent.contexts.get(cid)?.apn ?? '';
  const outcome = await m.radio.openSession(cid, apn);
  if (!outcome.ok) {
    m.lastFailure = { kind: 'esm', cause: outcome.esmCause };
    return { ok: false, code: cmeForEsmCause(outcome.esmCause) };
  }
  if (m.settings.cgerepMode > 0) m.later(0, () => m.urc(`+CGEV: ME PDN ACT ${cid}`));
  return { ok: true };
}

async function deactivate(m: ModemContext, cid: number): Promise<void> {
  if (!m.radio.session(cid)) return;
  if (!(await m.wait('pdpDeactivate'))) return;
  await m.radio.closeSession(cid);
}

function address(m: ModemContext, cid: number): string | undefined {
  return m.radio.session(cid)?.ueIpAddress;
}

const packet: Record<string, CommandSpec> = {
  '+CGDCONT': {
    kind: 'config',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGDCONT: (1-15),"IP",,,(0-2),(0-4)', '+CGDCONT: (1-15),"IPV6",,,(0-2),(0-4)', '+CGDCONT: (1-15),"IPV4V6",,,(0-2),(0-4)']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.entries()].sort(([a], [b]) => a - b).map(([cid, d]) => `+CGDCONT: ${cid},"${d.pdpType}","${d.apn}","${address(m, cid) ?? '0.0.0.0'}",0,0`));
      }
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 15)) return badArgs();
      if (c.args.length === 1) {
        if (m.radio.session(cid)) return cme(CME.notAllowed);
        m.persistent.contexts.delete(cid);
        return ok();
      }
      const pdpType = (c.args[1] ?? 'IP').toUpperCase();
      const apn = c.args[2] ?? '';
      if (!PDP_TYPES.has(pdpType) || apn.length > 99 || !/^[\x20-\x7e]*$/.test(apn)) return badArgs();
      const old = m.persistent.contexts.get(cid);
      m.persistent.contexts.set(cid, { pdpType, apn, authType: old?.authType ?? 0, user: old?.user ?? '', password: old?.password ?? '' });
      return ok();
    },
  },
  '+CGAUTH': {
    kind: 'config',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGAUTH: (1-15),(0-2),,']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.entries()].map(([cid, d]) => `+CGAUTH: ${cid},${d.authType},"${d.user}"`));
      }
      const cid = int(c.args[0]);
      const authType = c.args[1] === undefined ? 0 : int(c.args[1]);
      if (c.form !== 'set' || !inRange(cid, 1, 15) || !inRange(authType, 0, 3)) return badArgs();
      const d = m.persistent.contexts.get(cid) ?? { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' };
      m.persistent.contexts.set(cid, { ...d, authType, user: c.args[2] ?? '', password: c.args[3] ?? '' });
      return ok();
    },
  },
  '+CGEREP': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CGEREP: ${m.settings.cgerepMode},${m.settings.cgerepBfr}`]);
      if (c.form === 'test') return ok(['+CGEREP: (0-2),(0-1)']);
      const mode = c.form === 'exec' ? 0 : int(c.args[0] ?? '0');
      const bfr = c.args[1] === undefined ? 0 : int(c.args[1]);
      if (!inRange(mode, 0, 2) || !inRange(bfr, 0, 1)) return badArgs();
      m.settings.cgerepMode = mode;
      m.settings.cgerepBfr = bfr;
      return ok();
    },
  },
  '+CGACT': {
    kind: 'query',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+CGACT: (0,1)']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.keys()].sort((a, b) => a - b).map((cid) => `+CGACT: ${cid},${m.radio.session(cid) ? 1 : 0}`));
      }
      const state = int(c.args[0]);
      if (c.form !== 'set' || !inRange(state, 0, 1)) return badArgs();
      const cids = c.args.slice(1).map(int);
      if (cids.some((cid) => !inRange(cid, 1, 15))) return badArgs();
      const targets = (cids.length > 0 ? (cids as number[]) : [...m.persistent.contexts.keys()]).filter((cid) => state === 0 || m.persistent.contexts.has(cid));
      if (state === 1 && targets.length === 0) return badArgs();
      for (const cid of targets) {
        if (state === 0) {
          await deactivate(m, cid);
          continue;
        }
        const result = await activate(m, cid);
        if (!result.ok) return cme(result.code);
      }
      return ok();
    },
  },
  '+CGPADDR': {
    kind: 'query',
    run: (m, c) => {
      const defined = [...m.persistent.contexts.keys()].sort((a, b) => a - b);
      if (c.form === 'test') return ok([`+CGPADDR: (${defined.join(',')})`]);
      if (c.form === 'read') return error();
      const cids = c.form === 'exec' ? defined : c.args.map(int);
      if (cids.some((cid) => !inRange(cid, 1, 15))) return badArgs();
      return ok((cids as number[]).map((cid) => {
        const ip = address(m, cid);
        return ip ? `+CGPADDR: ${cid},"${ip}"` : `+CGPADDR: ${cid}`;
      }));
    },
  },
};

// ---- Quectel --------------------------------------------------------------------------------

const QCFG_VALIDATORS: Record<string, (args: (string | undefined)[]) => string | undefined> = {
  iotopmode: ([mode]) => (['0', '1', '2'].includes(mode ?? '') ? mode : undefined),
  nwscanseq: ([seq]) => (seq !== undefined && /^(00|(0[1-3]){1,3})$/.test(seq) ? seq : undefined),
  nwscanmode: ([mode]) => (['0', '1', '3'].includes(mode ?? '') ? mode : undefined),
  band: ([gsm, catm, nb]) =>
    [gsm, catm, nb].every((b) => b !== undefined && /^(0x)?[0-9a-f]{1,32}$/i.test(b)) ? [gsm, catm, nb].join(',') : undefined,
};

const quectel: Record<string, CommandSpec> = {
  '+QCFG': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') {
        return ok(['+QCFG: "nwscanseq",(00-030201),(0,1)', '+QCFG: "nwscanmode",(0,1,3),(0,1)', '+QCFG: "iotopmode",(0-2),(0,1)', '+QCFG: "band",(0-f),(0-400a0e189f),(0-a0e189f),(0,1)']);
      }
      if (c.form !== 'set') return error();
      const key = c.args[0]?.toLowerCase();
      const validate = key === undefined ? undefined : QCFG_VALIDATORS[key];
      if (!key || !validate) return badArgs();
      const values = c.args.slice(1);
      if (values.length === 0) return ok([`+QCFG: "${key}",${m.persistent.qcfg.get(key) ?? ''}`]);
      const value = validate(values);
      if (value === undefined) return badArgs();
      m.persistent.qcfg.set(key, value);
      // The trailing <effect> of 1 applies at once; 0 at the next reboot. Both are kept in NV.
      if (key === 'iotopmode' && values[values.length - 1] !== '0') applyRatPreference(m);
      return ok();
    },
  },
  '+QICSGP': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QICSGP: (1-16),(1-3),<APN>,<username>,<password>,(0-3)']);
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      const d = m.persistent.contexts.get(cid) ?? { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' };
      if (c.args.length === 1) {
        const type = d.pdpType === 'IPV6' ? 2 : d.pdpType === 'IPV4V6' ? 3 : 1;
        return ok([`+QICSGP: ${type},"${d.apn}","${d.user}","${d.password}",${d.authType}`]);
      }
      const type = int(c.args[1]);
      const auth = c.args[5] === undefined ? 0 : int(c.args[5]);
      if (!inRange(type, 1, 3) || !inRange(auth, 0, 3)) return badArgs();
      m.persistent.contexts.set(cid, {
        pdpType: type === 1 ? 'IP' : type === 2 ? 'IPV6' : 'IPV4V6',
        apn: c.args[2] ?? '',
        user: c.args[3] ?? '',
        password: c.args[4] ?? '',
        authType: auth,
      });
      return ok();
    },
  },
  '+QIACT': {
    kind: 'query',
    family: 'quectel',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+QIACT: (1-16)']);
      if (c.form === 'read') {
        return ok(m.radio.sessions().sort((a, b) => a.cid - b.cid).map((s) => `+QIACT: ${s.cid},1,1,"${s.ueIpAddress}"`));
      }
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      // BG96 answers ERROR when the context is already active (TCP/IP manual, AT+QIACT).
      if (m.radio.session(cid)) return error();
      const result = await activate(m, cid);
      if (result.ok) return ok();
      return m.dialect.vendorPdpFailure === 'cme' ? cme(result.code) : error();
    },
  },
  '+QIDEACT': {
    kind: 'query',
    family: 'quectel',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+QIDEACT: (1-16)']);
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      await deactivate(m, cid);
      return ok();
    },
  },
  '+QPOWD': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QPOWD: (0,1)']);
      const mode = c.form === 'exec' ? 1 : int(c.args[0]);
      if (!inRange(mode, 0, 1)) return badArgs();
      const restart = 5_000;
      if (mode === 0) return { lines: [], result: { kind: 'none' }, after: () => m.reset({ poweredDownUrc: true, powerOffFor: restart, dropPortMs: restart }) };
      return ok([], () => m.reset({ poweredDownUrc: true, powerOffFor: restart, dropPortMs: restart }));
    },
  },
  '+QNWINFO': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec') return error();
      const cell = m.radio.cell;
      if (!m.radio.registered) return ok(['+QNWINFO: No Service']);
      return ok([`+QNWINFO: "${sysmode(m)}","${cell.mcc}${cell.mnc}","LTE BAND ${cell.band}",${cell.earfcn}`]);
    },
  },
  '+QCSQ': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QCSQ: "NOSERVICE","GSM","CAT-M","NBIOT"']);
      if (c.form !== 'exec') return error();
      if (!signal(m) || !m.radio.registered) return ok(['+QCSQ: "NOSERVICE"']);
      const cell = m.radio.cell;
      // SINR is reported as 0..250 for -20..+30 dB (BG96 manual, AT+QCSQ).
      const sinr = Math.max(0, Math.min(250, Math.round((cell.sinr + 20) * 5)));
      return ok([`+QCSQ: "${sysmode(m) === 'eMTC' ? 'CAT-M' : 'NBIOT'}",${cell.rssi},${cell.rsrp},${sinr},${cell.rsrq}`]);
    },
  },
};

// ---- SIMCom ---------------------------------------------------------------------------------

/** SIM7080 app network context `pdpidx` (0..3) is carried on PDP cid `pdpidx + 1`. */
const cnactCid = (idx: number): number => idx + 1;

const simcom: Record<string, CommandSpec> = {
  '+CNMP': {
    kind: 'config',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CNMP: ${m.persistent.cnmp}`]);
      if (c.form === 'test') return ok(['+CNMP: (2,13,38,51)']);
      const mode = int(c.args[0]);
      if (c.form !== 'set' || ![2, 13, 38, 51].includes(mode ?? -1)) return badArgs();
      m.persistent.cnmp = mode!;
      return ok();
    },
  },
  '+CMNB': {
    kind: 'config',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CMNB: ${m.persistent.cmnb}`]);
      if (c.form === 'test') return ok(['+CMNB: (1-3)']);
      const mode = int(c.args[0]);
      if (c.form !== 'set' || !inRange(mode, 1, 3)) return badArgs();
      m.persistent.cmnb = mode;
      applyRatPreference(m);
      return ok();
    },
  },
  '+CNCFG': {
    kind: 'config',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CNCFG: (0-3),(0-3),<APN>,<username>,<password>,(0-3)']);
      if (c.form === 'read') {
        return ok([...m.persistent.cncfg.entries()].map(([i, d]) => `+CNCFG: ${i},${d.ipType},"${d.apn}","${d.user}","${d.password}",${d.auth}`));
      }
      const idx = int(c.args[0]);
      const ipType = int(c.args[1]);
      const auth = c.args[5] === undefined ? 0 : int(c.args[5]);
      if (c.form !== 'set' || !inRange(idx, 0, 3) || !inRange(ipType, 0, 3) || !inRange(auth, 0, 3)) return badArgs();
      m.persistent.cncfg.set(idx, { ipType, apn: c.args[2] ?? '', user: c.args[3] ?? '', password: c.args[4] ?? '', auth });
      return ok();
    },
  },
  '+CNACT': {
    kind: 'query',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CNACT: (0-3),(0-2)']);
      if (c.form === 'read') {
        return ok([0, 1, 2, 3].map((i) => {
          const ip = address(m, cnactCid(i));
          return `+CNACT: ${i},${ip ? 1 : 0},"${ip ?? '0.0.0.0'}"`;
        }));
      }
      const idx = int(c.args[0]);
      const action = int(c.args[1]);
      if (c.form !== 'set' || !inRange(idx, 0, 3) || !inRange(action, 0, 2)) return badArgs();
      const cid = cnactCid(idx);
      if (action === 0) {
        if (!m.radio.session(cid)) return error();
        return ok([], () => {
          void (async () => {
            await deactivate(m, cid);
            m.urc(`+APP PDP: ${idx},DEACTIVE`);
          })();
        });
      }
      if (m.radio.session(cid)) return error();
      if (m.settings.cfun !== 1 || m.simState !== 'ready') return error();
      const config = m.persistent.cncfg.get(idx);
      const apn = config?.apn || m.persistent.contexts.get(cid)?.apn || '';
      // SIM7080 answers OK at once and reports the outcome with +APP PDP (AT command manual, AT+CNACT).
      const epoch = m.bootEpoch;
      return ok([], () => {
        void (async () => {
          const result = await activate(m, cid, apn);
          if (epoch !== m.bootEpoch) return;
          m.urc(`+APP PDP: ${idx},${result.ok ? 'ACTIVE' : 'DEACTIVE'}`);
        })();
      });
    },
  },
  '+CPSI': {
    kind: 'query',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'read') return error();
      const online = m.settings.cfun === 1 ? 'Online' : 'Low Power Mode';
      if (!m.radio.registered) return ok([`+CPSI: NO SERVICE,${online}`]);
      const cell = m.radio.cell;
      const system = m.radio.radioType === 'nb-iot' ? 'LTE NB-IOT' : 'LTE CAT-M1';
      const tac = `0x${cell.tac.toString(16).toUpperCase().padStart(4, '0')}`;
      return ok([`+CPSI: ${system},${online},${cell.mcc}-${cell.mnc},${tac},${cell.eci},${cell.pci},EUTRAN-BAND${cell.band},${cell.earfcn},3,3,${cell.rsrq},${cell.rsrp},${cell.rssi},${cell.sinr}`]);
    },
  },
};

const COMMANDS: Record<string, CommandSpec> = { ...basic, ...sim, ...channels, ...radio, ...packet, ...quectel, ...simcom };
