/**
 * Short message service commands (3GPP TS 27.005 §3): `+CSMS`, `+CPMS`, `+CMGF`, `+CSCS`,
 * `+CNMI`, `+CSDH`, `+CSCA`, `+CMGR`, `+CMGL`, `+CMGD`, in PDU mode (the default) and text mode,
 * and the delivery of incoming messages: stored with `+CMTI` or routed with `+CMT` per `+CNMI`.
 * The simulator receives messages only; `+CMGS` / `+CMGW` (sending) are not served.
 */
import { decodeDeliver, type SmsDeliver } from '../../../common/sms/pdu.js';
import type { ModemContext } from '../modem-context.js';
import type { SmsMemory, SmsStatus, StoredSms } from '../sms-store.js';
import { badArgs, error, inRange, int, ok, type CommandSpec, type Reply } from './reply.js';

/** `+CMS ERROR` codes of TS 27.005 §3.2.5. */
export const CMS = { operationNotAllowed: 302, operationNotSupported: 303, invalidPduParameter: 304, invalidTextParameter: 305, simNotInserted: 310, invalidIndex: 321, memoryFull: 322 } as const;
const cms = (code: number): Reply => ({ lines: [], result: { kind: 'cms', code } });

import { SIMULATED_SMSC_ADDRESS as SIMULATED_SMSC } from '../../network/smsc.js';

const MEMORIES: readonly SmsMemory[] = ['SM', 'ME'];
const STAT_NUMBER: Record<SmsStatus, number> = { 'REC UNREAD': 0, 'REC READ': 1 };
const TEXT_STATS = ['REC UNREAD', 'REC READ', 'STO UNSENT', 'STO SENT', 'ALL'] as const;

const unquote = (s: string | undefined): string | undefined => (s === undefined ? undefined : s.trim().replace(/^"(.*)"$/, '$1'));

const two = (n: number): string => String(n).padStart(2, '0');

/** `"yy/MM/dd,hh:mm:ss±zz"` (27.005 §3.3.1 `<scts>`, zone in quarter hours). */
function sctsText(m: SmsDeliver): string {
  const t = new Date(m.timestamp + m.utcOffsetMinutes * 60_000);
  const q = Math.round(m.utcOffsetMinutes / 15);
  return `${two(t.getUTCFullYear() % 100)}/${two(t.getUTCMonth() + 1)}/${two(t.getUTCDate())},${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}${q < 0 ? '-' : '+'}${two(Math.abs(q))}`;
}

/**
 * Text-mode `<data>` (27.005 §3.1): GSM 7-bit text in the `+CSCS` character set — UCS2 as hex of
 * each character, GSM/IRA with characters IRA lacks shown as `?` [choice]; UCS2 and 8-bit
 * messages as hex of their octets whatever `+CSCS` says.
 */
function textData(m: SmsDeliver, charset: 'GSM' | 'IRA' | 'UCS2'): string {
  const hex4 = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('').toUpperCase();
  if (m.encoding === 'ucs2') return hex4(m.text);
  if (m.encoding === '8bit') return [...m.text].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('').toUpperCase();
  if (charset === 'UCS2') return hex4(m.text);
  return m.text.replace(/[^\x20-\x7e\r\n]/g, '?');
}

const tooa = (address: string): number => (address.startsWith('+') ? 145 : 129);
const DCS_OF = { gsm7: 0, '8bit': 4, ucs2: 8 } as const;

function textHeader(m: ModemContext, sms: StoredSms, decoded: SmsDeliver, prefix: string): string {
  const base = `${prefix}"${sms.status}","${decoded.originator}",,"${sctsText(decoded)}"`;
  if (!m.sms.showHeader) return base;
  const tpduStart = 2 + parseInt(sms.pdu.slice(0, 2), 16) * 2;
  const first = parseInt(sms.pdu.slice(tpduStart, tpduStart + 2), 16);
  const sca = decoded.smsc ?? '';
  return `${base},${tooa(decoded.originator)},${first},${decoded.pid ?? 0},${DCS_OF[decoded.encoding]},"${sca}",${tooa(sca)},${textData(decoded, m.sms.charset).length}`;
}

/** The lines `+CMGR` / `+CMGL` show for one message (after `<index>,` for CMGL). */
function messageLines(m: ModemContext, sms: StoredSms, prefix: string): string[] {
  if (m.sms.pduMode) return [`${prefix}${STAT_NUMBER[sms.status]},,${sms.tpduLength}`, sms.pdu];
  const decoded = decodeDeliver(sms.pdu);
  return [textHeader(m, sms, decoded, prefix), textData(decoded, m.sms.charset)];
}

function markRead(sms: StoredSms): void {
  sms.status = 'REC READ';
}

/** A `0|1` setting: test form `(0,1)`, read form its value, set form 0 or 1, execute form 0. */
function onOffSetting(name: string, get: (m: ModemContext) => boolean, set: (m: ModemContext, on: boolean) => void): CommandSpec {
  return {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok([`${name}: (0,1)`]);
      if (c.form === 'read') return ok([`${name}: ${get(m) ? 1 : 0}`]);
      const value = c.form === 'exec' ? 0 : int(c.args[0]);
      if (!inRange(value, 0, 1)) return badArgs();
      set(m, value === 1);
      return ok();
    },
  };
}

function cpmsCounts(m: ModemContext, mems: readonly SmsMemory[]): string {
  return mems.map((mem) => `${m.sms.used(mem)},${m.sms.capacity(mem)}`).join(',');
}

export const sms: Record<string, CommandSpec> = {
  '+CSMS': {
    kind: 'query',
    run: (_m, c) => {
      if (c.form === 'test') return ok(['+CSMS: (0,1)']);
      if (c.form === 'read') return ok(['+CSMS: 0,1,1,1']);
      const service = int(c.args[0]);
      if (c.form !== 'set' || !inRange(service, 0, 1)) return badArgs();
      return ok(['+CSMS: 1,1,1']);
    },
  },
  '+CPMS': {
    kind: 'query',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")']);
      if (c.form === 'read') return ok([`+CPMS: ${m.sms.mem.map((mem) => `"${mem}",${m.sms.used(mem)},${m.sms.capacity(mem)}`).join(',')}`]);
      if (c.form !== 'set') return error();
      const wanted = c.args.slice(0, 3).map(unquote);
      if (wanted.length === 0 || wanted.some((w) => !MEMORIES.includes(w as SmsMemory))) return cms(CMS.operationNotAllowed);
      wanted.forEach((w, i) => (m.sms.mem[i] = w as SmsMemory));
      return ok([`+CPMS: ${cpmsCounts(m, m.sms.mem)}`]);
    },
  },
  // 27.005 §3.2.3: 0 PDU mode, 1 text mode (the execute form means 0).
  '+CMGF': onOffSetting('+CMGF', (m) => !m.sms.pduMode, (m, on) => (m.sms.pduMode = !on)),
  '+CSCS': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CSCS: ("GSM","IRA","UCS2")']);
      if (c.form === 'read') return ok([`+CSCS: "${m.sms.charset}"`]);
      const cs = unquote(c.args[0]);
      if (c.form !== 'set' || (cs !== 'GSM' && cs !== 'IRA' && cs !== 'UCS2')) return badArgs();
      m.sms.charset = cs;
      return ok();
    },
  },
  '+CNMI': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)']);
      if (c.form === 'read') return ok([`+CNMI: ${m.sms.cnmi.join(',')}`]);
      if (c.form !== 'set') return error();
      const limits = [2, 3, 2, 2, 1];
      const next = [...m.sms.cnmi] as typeof m.sms.cnmi;
      for (let i = 0; i < c.args.length && i < 5; i++) {
        if (c.args[i]!.trim() === '') continue;
        const v = int(c.args[i]);
        if (!inRange(v, 0, limits[i]!)) return cms(CMS.operationNotSupported);
        next[i] = v;
      }
      m.sms.cnmi = next;
      return ok();
    },
  },
  // 27.005 §3.3.3: 1 shows the header values of text-mode reads (the execute form means 0).
  '+CSDH': onOffSetting('+CSDH', (m) => m.sms.showHeader, (m, on) => (m.sms.showHeader = on)),
  '+CSCA': {
    kind: 'sim',
    needsSim: true,
    run: (_m, c) => {
      if (c.form === 'test') return ok();
      if (c.form === 'read') return ok([`+CSCA: "${SIMULATED_SMSC}",145`]);
      // [choice] The service centre is the simulated network's: a new one is accepted and ignored.
      return c.form === 'set' ? ok() : error();
    },
  },
  '+CMGR': {
    kind: 'sim',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok();
      const index = int(c.args[0]);
      const mem = m.sms.mem[0];
      if (c.form !== 'set' || index === undefined || index >= m.sms.capacity(mem)) return cms(CMS.invalidIndex);
      const stored = m.sms.read(mem, index);
      // An empty location answers OK with no text (Quectel, SIMCom).
      if (!stored) return ok();
      const lines = messageLines(m, stored, '+CMGR: ');
      markRead(stored);
      return ok(lines);
    },
  },
  '+CMGL': {
    kind: 'sim',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok([m.sms.pduMode ? '+CMGL: (0-4)' : `+CMGL: (${TEXT_STATS.map((s) => `"${s}"`).join(',')})`]);
      let wanted: SmsStatus[] | 'all';
      const arg = c.form === 'exec' ? undefined : c.args[0];
      if (m.sms.pduMode) {
        const stat = arg === undefined ? 0 : int(arg);
        if (!inRange(stat, 0, 4)) return cms(CMS.invalidPduParameter);
        wanted = stat === 4 ? 'all' : stat === 0 ? ['REC UNREAD'] : stat === 1 ? ['REC READ'] : [];
      } else {
        const stat = unquote(arg) ?? 'REC UNREAD';
        if (!(TEXT_STATS as readonly string[]).includes(stat)) return cms(CMS.invalidTextParameter);
        wanted = stat === 'ALL' ? 'all' : stat.startsWith('REC') ? [stat as SmsStatus] : [];
      }
      const lines: string[] = [];
      const listed: StoredSms[] = [];
      m.sms.memories[m.sms.mem[0]].forEach((stored, index) => {
        if (!stored || (wanted !== 'all' && !wanted.includes(stored.status))) return;
        lines.push(...messageLines(m, stored, `+CMGL: ${index},`));
        listed.push(stored);
      });
      listed.forEach(markRead);
      return ok(lines);
    },
  },
  '+CMGD': {
    kind: 'sim',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CMGD: (0-254),(0-4)']);
      const index = int(c.args[0]);
      const flag = c.args[1] === undefined ? 0 : int(c.args[1]);
      const mem = m.sms.mem[0];
      if (c.form !== 'set' || !inRange(flag, 0, 4)) return badArgs();
      if (flag === 0) {
        if (index === undefined || index >= m.sms.capacity(mem)) return cms(CMS.invalidIndex);
        m.sms.delete(mem, index);
        return ok();
      }
      // 27.005 §3.5.4: 1 read, 2 read and sent, 3 read, sent and unsent, 4 all (index ignored).
      m.sms.memories[mem].forEach((stored, i) => {
        if (stored && (flag === 4 || stored.status === 'REC READ')) m.sms.delete(mem, i);
      });
      return ok();
    },
  },
};

/** One part of an incoming message, as the network's SMSC built it. */
export interface IncomingPdu {
  pdu: string;
  tpduLength: number;
}

/**
 * An incoming message reaches the module (27.005 §3.4.1): with `+CNMI` `<mt>` 2 (and `<mode>` 1
 * or 2) it is routed to the host as `+CMT` and not stored; otherwise every part is stored in the
 * `<mem3>` memory and, with `<mt>` 1 or 3, announced by `+CMTI: "<mem>",<index>`. When the memory
 * cannot take every part, nothing is stored (`memory-full`): the network keeps the message and
 * tries again once memory is freed.
 */
export function receiveSms(m: ModemContext, parts: readonly IncomingPdu[]): 'stored' | 'routed' | 'memory-full' {
  const [mode, mt] = m.sms.cnmi;
  const forward = mode === 1 || mode === 2;
  if (mt === 2 && forward) {
    for (const p of parts) {
      if (m.sms.pduMode) m.urc(`+CMT: ,${p.tpduLength}\r\n${p.pdu}`);
      else {
        const d = decodeDeliver(p.pdu);
        m.urc(`+CMT: "${d.originator}",,"${sctsText(d)}"\r\n${textData(d, m.sms.charset)}`);
      }
    }
    return 'routed';
  }
  const mem = m.sms.mem[2];
  if (m.sms.free(mem) < parts.length) return 'memory-full';
  for (const p of parts) {
    const index = m.sms.store(mem, { status: 'REC UNREAD', pdu: p.pdu, tpduLength: p.tpduLength })!;
    if ((mt === 1 || mt === 3) && forward) m.urc(`+CMTI: "${mem}",${index}`);
  }
  return 'stored';
}
