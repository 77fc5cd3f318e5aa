/**
 * Pure parsers of modem answers and URCs. Each takes the text after `<prefix>:` (or a whole
 * line where stated) and returns a value, or undefined when the text is not of that form.
 * Tests: `parsers.test.ts`, fed with real module output.
 */
import { intField, splitFields } from './args.js';
import { parseRegistration, type Registration } from './registration.js';

export { isRegistered, isRoaming, parseRegistration, parseRegistrationAnswer, effectiveRegistration, registrationDomainOf, registrationState } from './registration.js';
export type { Registration, RegistrationDomain, RegistrationForm, RegistrationState } from './registration.js';
export { isSessionLoss, parseCgev } from './packet-events.js';
export type { PacketEvent, PacketEventKind } from './packet-events.js';

/** `<stat>` of `+CREG`/`+CGREG`/`+CEREG` (3GPP TS 27.007 §7.2): 0..11, other values kept as they are. */
export type RegistrationStat = number;

/** Access technology `<AcT>` (27.007 §7.3): 7 E-UTRAN, 8 E-UTRAN (Cat-M on Quectel), 9 NB-S1. */
export type AccessTechnology = number;

/**
 * `+CEREG` arguments in the read form, the URC form, or decided from the shape (`auto`, which
 * prefers the URC reading on a tie). See `registration.ts`.
 */
export function parseCereg(args: string, form: 'read' | 'urc' | 'auto' = 'auto'): Registration | undefined {
  return parseRegistration('eps', args, { form });
}

/** Signal quality, in the units a dashboard wants. */
export interface SignalQuality {
  /** Received signal strength, dBm (from `+CSQ`). */
  readonly rssiDbm?: number;
  /** Reference signal received power, dBm (from `+CESQ`). */
  readonly rsrpDbm?: number;
  /** Reference signal received quality, dB (from `+CESQ`). */
  readonly rsrqDb?: number;
  /** Raw `+CSQ` `<rssi>` 0..31 (99 unknown), kept for fleets that chart it. */
  readonly csq?: number;
}

/** `+CSQ: <rssi>,<ber>` (27.007 §8.5): rssi 0 ≤ -113 dBm, 31 ≥ -51 dBm, 99 unknown. */
export function parseCsq(args: string): SignalQuality | undefined {
  const fields = splitFields(args);
  const rssi = intField(fields[0]);
  if (rssi === undefined || fields.length < 2) return undefined;
  if (rssi === 99 || rssi < 0 || rssi > 31) return { csq: 99 };
  return { csq: rssi, rssiDbm: -113 + 2 * rssi };
}

/**
 * `+CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>` (27.007 §8.69): rsrq 0..34 in 0.5 dB steps
 * from -20 dB, rsrp 0..97 in 1 dB steps from -141 dBm; 255 unknown.
 */
export function parseCesq(args: string): SignalQuality | undefined {
  const fields = splitFields(args);
  if (fields.length < 6) return undefined;
  const rsrq = intField(fields[4]);
  const rsrp = intField(fields[5]);
  if (rsrq === undefined || rsrp === undefined) return undefined;
  const out: { rsrqDb?: number; rsrpDbm?: number } = {};
  if (rsrq >= 0 && rsrq <= 34) out.rsrqDb = -20 + rsrq * 0.5;
  if (rsrp >= 0 && rsrp <= 97) out.rsrpDbm = -141 + rsrp;
  return out;
}

/** `+CPIN: READY`, `SIM PIN`, `SIM PUK`, `NOT READY`, `NOT INSERTED` (27.007 §8.3). */
export type PinState = 'ready' | 'sim-pin' | 'sim-puk' | 'not-ready' | 'not-inserted' | 'other';

export function parseCpin(args: string): PinState {
  const code = args.replace(/"/g, '').trim().toUpperCase();
  switch (code) {
    case 'READY':
      return 'ready';
    case 'SIM PIN':
      return 'sim-pin';
    case 'SIM PUK':
      return 'sim-puk';
    case 'NOT READY':
      return 'not-ready';
    case 'NOT INSERTED':
    case 'SIM NOT INSERTED':
      return 'not-inserted';
    default:
      return 'other';
  }
}

const noAddress = new Set(['', '0.0.0.0', '0:0:0:0:0:0:0:0', '::']);

function address(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return noAddress.has(value) ? undefined : value;
}

/** `+CGPADDR: <cid>[,<PDP_addr_1>[,<PDP_addr_2>]]` (27.007 §10.1.14); quotes optional. */
export function parseCgpaddr(args: string): { cid: number; address?: string } | undefined {
  const fields = splitFields(args);
  const cid = intField(fields[0]);
  if (cid === undefined) return undefined;
  const ip = address(fields[1]?.value) ?? address(fields[2]?.value);
  return ip === undefined ? { cid } : { cid, address: ip };
}

/** Quectel `+QIACT: <contextID>,<context_state>,<context_type>[,<IP_address>]`. */
export function parseQiact(args: string): { cid: number; active: boolean; address?: string } | undefined {
  const fields = splitFields(args);
  const cid = intField(fields[0]);
  const state = intField(fields[1]);
  if (cid === undefined || state === undefined) return undefined;
  const ip = address(fields[3]?.value);
  return ip === undefined ? { cid, active: state === 1 } : { cid, active: state === 1, address: ip };
}

/** SIMCom `+CNACT: <pdpidx>,<statusx>,<address>` (answer to `AT+CNACT?`). */
export function parseCnact(args: string): { cid: number; active: boolean; address?: string } | undefined {
  return parseQiactLike(args);
}

function parseQiactLike(args: string): { cid: number; active: boolean; address?: string } | undefined {
  const fields = splitFields(args);
  const cid = intField(fields[0]);
  const state = intField(fields[1]);
  if (cid === undefined || state === undefined) return undefined;
  const ip = address(fields[2]?.value);
  return ip === undefined ? { cid, active: state === 1 } : { cid, active: state === 1, address: ip };
}

/** SIMCom URC `+APP PDP: <pdpidx>,ACTIVE|DEACTIVE`. */
export function parseAppPdp(args: string): { cid: number; active: boolean } | undefined {
  const fields = splitFields(args);
  const cid = intField(fields[0]);
  const state = fields[1]?.value.toUpperCase();
  if (cid === undefined || (state !== 'ACTIVE' && state !== 'DEACTIVE')) return undefined;
  return { cid, active: state === 'ACTIVE' };
}

/** Quectel URC `+QIURC: "pdpdeact",<contextID>` (other `+QIURC` kinds are socket events). */
export function parseQiurc(args: string): { kind: string; cid?: number } {
  const fields = splitFields(args);
  const kind = fields[0]?.value ?? '';
  const cid = intField(fields[1]);
  return cid === undefined ? { kind } : { kind, cid };
}

/** What `AT+CEER` said about the last failure: a cause number when it gave one, and its text. */
export interface ErrorReport {
  readonly cause?: number;
  readonly text: string;
}

/**
 * Well-known cause texts (24.301 §9.9.3.9 EMM, §9.9.4.4 ESM) for modules that report words
 * instead of numbers.
 */
const causeTexts: ReadonlyArray<[RegExp, number]> = [
  [/illegal ue/i, 3],
  [/illegal me/i, 6],
  [/eps services not allowed/i, 7],
  [/eps services and non-eps services not allowed/i, 8],
  [/plmn not allowed/i, 11],
  [/tracking area not allowed/i, 12],
  [/roaming not allowed in this tracking area/i, 13],
  [/no suitable cells/i, 15],
  [/congestion/i, 22],
  [/insufficient resources/i, 26],
  [/missing or unknown apn/i, 27],
  [/unknown pdn type/i, 28],
  [/user authentication failed/i, 29],
  [/request rejected by serving gw or pdn gw/i, 30],
  [/request rejected, unspecified/i, 31],
  [/service option not supported/i, 32],
  [/requested service option not subscribed/i, 33],
  [/service option temporarily out of order/i, 34],
  [/regular deactivation/i, 36],
  [/network failure/i, 38],
];

/**
 * `+CEER: <report>` (27.007 §6.10). Formats seen: `+CEER: "No cause information available"`
 * (Quectel), `+CEER: EMM cause #7` / `+CEER: ESM cause 33,<text>` (SIMCom),
 * `+CEER: "ESM cause",33,"<text>"`, `+CEER: 33,"..."`, bare text.
 */
export function parseCeer(args: string): ErrorReport {
  const text = args.replace(/"/g, '').trim();
  const numbered = /(?:cause\s*[#,:]?\s*|^)(\d{1,3})\b/i.exec(text);
  if (numbered) return { cause: Number(numbered[1]), text };
  const known = causeTexts.find(([re]) => re.test(text));
  return known ? { cause: known[1], text } : { text };
}

export { parseCops } from './info-parsers.js';
export type { Operator } from './info-parsers.js';

/**
 * The value of an identification answer: the first information line, with an optional
 * `+CGSN:`/`+QCCID:`/`+CCID:`/`+ICCID:` prefix and quotes removed.
 */
export function parseIdentity(lines: readonly string[]): string | undefined {
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const value = line.replace(/^\+[A-Z]+:\s*/i, '').replace(/"/g, '').trim();
    if (value !== '') return value;
  }
  return undefined;
}

/** `ATI` (V.25ter): manufacturer, model and revision lines, in that order on most modules. */
export function parseAti(lines: readonly string[]): { manufacturer?: string; model?: string; revision?: string } {
  const values = lines.map((l) => l.trim()).filter((l) => l !== '');
  const out: { manufacturer?: string; model?: string; revision?: string } = {};
  // Some firmwares label every line (`Manufacturer: SIMCOM_Ltd`, `Model: ...`, `IMEI: ...`).
  const labelled = (label: string): string | undefined => {
    const line = values.find((l) => new RegExp(`^${label}:`, 'i').test(l));
    return line?.replace(new RegExp(`^${label}:\\s*`, 'i'), '');
  };
  const revision = labelled('revision');
  if (revision) out.revision = revision;
  const manufacturer = labelled('manufacturer');
  const model = labelled('model');
  if (manufacturer) out.manufacturer = manufacturer;
  if (model) out.model = model;
  if (manufacturer || model) return out;
  const rest = values.filter((l) => !/^[a-z ]+:/i.test(l));
  if (rest.length >= 2) {
    out.manufacturer = rest[0]!;
    out.model = rest[1]!;
  } else if (rest.length === 1) {
    // SIMCom answers `ATI` with one line: `SIM7080 R1951.03`.
    const [model, rev] = rest[0]!.split(/\s+/);
    if (model) out.model = model;
    if (rev && !out.revision) out.revision = rev;
  }
  return out;
}

/** ICCIDs are 19–20 digits; some modules pad with `F` (BCD filler). */
export function normaliseIccid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digits = value.replace(/[Ff]+$/, '');
  return /^\d{18,22}$/.test(digits) ? digits : undefined;
}
