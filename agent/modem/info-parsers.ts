/**
 * Pure parsers of the answers `cellgate probe` and the agent read to describe a module: operator
 * (`+COPS`), functionality (`+CFUN`), Quectel serving cell (`+QENG`) and signal (`+QCSQ`),
 * SIMCom system information (`+CPSI`), and the logical channel id of `+CCHO`. Each takes the
 * text after `<prefix>:` and returns undefined when the text is not of that form.
 * Tests: `info-parsers.test.ts`, fed with real captured answers.
 */
import { intField, splitFields } from './args.js';

/** `+COPS: <mode>[,<format>,<oper>[,<AcT>]]` (27.007 §7.3). */
export interface Operator {
  readonly mode: number;
  /** 0 long alphanumeric, 1 short alphanumeric, 2 numeric (`AT+COPS=3,<format>` chooses it). */
  readonly format?: number;
  readonly name?: string;
  /** MCC and MNC when the operator is given in numeric format (`"26803"` → 268, `03`). */
  readonly mcc?: string;
  readonly mnc?: string;
  readonly act?: number;
}

export function parseCops(args: string): Operator | undefined {
  const fields = splitFields(args);
  const mode = intField(fields[0]);
  if (mode === undefined) return undefined;
  const format = intField(fields[1]);
  const name = fields[2]?.value || undefined;
  const act = intField(fields[3]);
  const numeric = format === 2 && name !== undefined && /^\d{5,6}$/.test(name) ? { mcc: name.slice(0, 3), mnc: name.slice(3) } : {};
  return {
    mode,
    ...(format !== undefined ? { format } : {}),
    ...(name !== undefined ? { name } : {}),
    ...numeric,
    ...(act !== undefined ? { act } : {}),
  };
}

/** `+CFUN: <fun>[,<rst>]` (27.007 §8.2): 0 minimum, 1 full, 4 radio off, vendor values kept. */
export function parseCfun(args: string): number | undefined {
  return intField(splitFields(args)[0]);
}

/** A Quectel serving-cell report (`AT+QENG="servingcell"`, EC2x/EG2x/BG9x/RM5xx AT manuals). */
export interface ServingCell {
  /** `SEARCH`, `LIMSRV`, `NOCONN`, `CONNECT`. */
  readonly state: string;
  /** `LTE`, `eMTC`, `CAT-M`, `NBIoT`, `GSM`, `WCDMA`, `NR5G-NSA`... as printed. */
  readonly rat?: string;
  readonly duplex?: string;
  readonly mcc?: string;
  readonly mnc?: string;
  readonly cellId?: number;
  readonly pci?: number;
  readonly earfcn?: number;
  readonly band?: number;
  readonly tac?: number;
  readonly rsrpDbm?: number;
  readonly rsrqDb?: number;
  readonly rssiDbm?: number;
  /** As printed; `-` (not measured) is left out. */
  readonly sinr?: number;
}

const num = (text: string | undefined): number | undefined => (text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined);
const hexNum = (text: string | undefined): number | undefined => (text !== undefined && /^[0-9A-Fa-f]+$/.test(text.trim()) ? Number.parseInt(text.trim(), 16) : undefined);

function lteCell(fields: readonly string[]): Omit<ServingCell, 'state'> {
  // "LTE",<is_tdd>,<MCC>,<MNC>,<cellID>,<PCID>,<earfcn>,<freq_band_ind>,<UL_bw>,<DL_bw>,<TAC>,<RSRP>,<RSRQ>,<RSSI>,<SINR>,...
  const [rat, duplex, mcc, mnc, cellId, pci, earfcn, band, , , tac, rsrp, rsrq, rssi, sinr] = fields;
  const out: { -readonly [K in keyof ServingCell]?: ServingCell[K] } = {};
  if (rat) out.rat = rat;
  if (duplex) out.duplex = duplex;
  if (mcc) out.mcc = mcc;
  if (mnc) out.mnc = mnc;
  const values: Array<[keyof ServingCell, number | undefined]> = [
    ['cellId', hexNum(cellId)],
    ['pci', num(pci)],
    ['earfcn', num(earfcn)],
    ['band', num(band)],
    ['tac', hexNum(tac)],
    ['rsrpDbm', num(rsrp)],
    ['rsrqDb', num(rsrq)],
    ['rssiDbm', num(rssi)],
    ['sinr', num(sinr)],
  ];
  for (const [key, value] of values) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/**
 * `+QENG: "servingcell",<state>[,<rat>,...]` — on one line (EC2x, BG9x), or the state on its own
 * line followed by one `+QENG: "<rat>",...` line per RAT (RM5xx). Pass the arguments of every
 * `+QENG:` line of the answer.
 */
export function parseQengServingCell(argsLines: readonly string[]): ServingCell | undefined {
  const rows = argsLines.map((args) => splitFields(args).map((f) => f.value));
  const head = rows.find((r) => r[0]?.toLowerCase() === 'servingcell');
  if (!head || head[1] === undefined) return undefined;
  const state = head[1];
  const inline = head.slice(2);
  const lte = inline.length > 0 ? inline : rows.find((r) => r !== head && (r[0] === 'LTE' || r[0] === 'eMTC' || r[0] === 'CAT-M' || r[0] === 'NBIoT'));
  return lte && lte.length > 0 ? { state, ...lteCell(lte) } : { state };
}

/** Quectel `+QCSQ: <sysmode>[,<value1>...]`: `"CAT-M1",<rssi>,<rsrp>,<sinr>,<rsrq>` and friends. */
export interface QuectelSignal {
  /** `NOSERVICE`, `GSM`, `LTE`, `CAT-M1` / `CAT-NB1` (BG96), `eMTC` / `NBIoT` (BG95), as printed. */
  readonly sysmode: string;
  readonly rssiDbm?: number;
  readonly rsrpDbm?: number;
  /** Raw SINR as printed (BG9x: 0..250 for -20..+30 dB; EC2x prints other scales). */
  readonly sinr?: number;
  readonly rsrqDb?: number;
}

export function parseQcsq(args: string): QuectelSignal | undefined {
  const fields = splitFields(args).map((f) => f.value);
  const sysmode = fields[0];
  if (!sysmode) return undefined;
  const [, rssi, rsrp, sinr, rsrq] = fields;
  const out: { -readonly [K in keyof QuectelSignal]: QuectelSignal[K] } = { sysmode };
  if (num(rssi) !== undefined) out.rssiDbm = num(rssi);
  if (num(rsrp) !== undefined) out.rsrpDbm = num(rsrp);
  if (num(sinr) !== undefined) out.sinr = num(sinr);
  if (num(rsrq) !== undefined) out.rsrqDb = num(rsrq);
  return out;
}

/** SIMCom `+CPSI: <system mode>,<operation mode>[,<MCC>-<MNC>,<TAC>,<SCellID>,<PCellID>,<band>,...]`. */
export interface SimcomSystemInfo {
  /** `NO SERVICE`, `GSM`, `WCDMA`, `LTE`, `LTE CAT-M1`, `LTE NB-IOT`... */
  readonly system: string;
  /** `Online`, `Offline`, `Low Power Mode`, `Powering Off`... */
  readonly operation: string;
  readonly mcc?: string;
  readonly mnc?: string;
  readonly tac?: number;
  readonly cellId?: number;
  readonly band?: string;
}

export function parseCpsi(args: string): SimcomSystemInfo | undefined {
  const fields = splitFields(args).map((f) => f.value);
  const [system, operation, plmn, tac, cellId, , band] = fields;
  if (!system || operation === undefined) return undefined;
  const out: { -readonly [K in keyof SimcomSystemInfo]: SimcomSystemInfo[K] } = { system, operation };
  const m = plmn ? /^(\d{3})-(\d{2,3})$/.exec(plmn) : null;
  if (m) {
    out.mcc = m[1]!;
    out.mnc = m[2]!;
  }
  if (tac && /^0x[0-9A-Fa-f]+$/.test(tac)) out.tac = Number.parseInt(tac.slice(2), 16);
  if (num(cellId) !== undefined) out.cellId = num(cellId);
  if (band && /BAND/i.test(band)) out.band = band;
  return out;
}

/**
 * The id `AT+CCHO` returns (27.007 §8.45): `+CCHO: <sessionid>` as the standard says, the bare
 * number some firmware prints (Fibocom FM350-GL), or a 16-digit hexadecimal handle (Sierra
 * MC7455 / EM7590). `text` is the id as printed — pass it back unchanged in `AT+CGLA`/`AT+CCHC`;
 * `value` is its number.
 */
export interface ChannelId {
  readonly text: string;
  readonly value: number;
  readonly format: 'decimal' | 'hex';
}

export function parseCchoAnswer(lines: readonly string[]): ChannelId | undefined {
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^(?:\+CCHO:\s*)?"?([0-9A-Fa-f]+)"?$/.exec(line);
    if (!m) continue;
    const text = m[1]!;
    // Short all-digit ids are decimal; letters or a zero-padded 16-character handle mean hex.
    const hex = /[A-Fa-f]/.test(text) || (text.length >= 8 && text.startsWith('0'));
    if (!hex && /^\d{1,9}$/.test(text)) return { text, value: Number(text), format: 'decimal' };
    const value = Number(BigInt(`0x${text}`) & BigInt(Number.MAX_SAFE_INTEGER));
    return { text, value, format: 'hex' };
  }
  return undefined;
}
