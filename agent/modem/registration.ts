/**
 * `+CREG` / `+CGREG` / `+CEREG` / `+C5GREG` in every shape real modules print (3GPP TS 27.007
 * §7.2, §10.1.20, §10.1.22, §10.1.25): a small tokenizer (`splitFields`) and a shape matcher over
 * typed fields, not one regular expression per vendor.
 *
 * The read form (`AT+CEREG?`) starts with `<n>`; the URC form does not. Inside the answer of a
 * read command a URC of the same prefix may arrive (the channel hands it over as part of the
 * answer), so a line can be read `as` one form, or `auto`: both readings are tried against the
 * grammar — field count, field types (an unquoted decimal `<stat>`, hexadecimal areas and cells
 * of bounded length, a decimal `<AcT>`), and the `<n>` the agent set — and the one that fits wins.
 * An unquoted all-digit area code is therefore never taken for `<stat>`.
 *
 * Tests: `registration.test.ts`, a table of real captured lines, each with its source.
 */
import { splitFields, type InfoField } from './args.js';

/** Which domain a line reports: circuit (`+CREG`), GPRS (`+CGREG`), EPS (`+CEREG`), 5GS (`+C5GREG`). */
export type RegistrationDomain = 'cs' | 'ps' | 'eps' | '5gs';

/** What `<stat>` says, with 27.007's twelve values and a name for anything else. */
export type RegistrationState =
  | 'not-registered' // 0
  | 'registered-home' // 1
  | 'searching' // 2
  | 'denied' // 3
  | 'unknown' // 4 (e.g. out of coverage)
  | 'registered-roaming' // 5
  | 'sms-only-home' // 6
  | 'sms-only-roaming' // 7
  | 'emergency-only' // 8
  | 'csfb-not-preferred-home' // 9
  | 'csfb-not-preferred-roaming' // 10
  | 'attached-rlos' // 11
  | 'unrecognised'; // any other number (nRF91 prints 90 for a UICC failure)

const STATES: readonly RegistrationState[] = [
  'not-registered',
  'registered-home',
  'searching',
  'denied',
  'unknown',
  'registered-roaming',
  'sms-only-home',
  'sms-only-roaming',
  'emergency-only',
  'csfb-not-preferred-home',
  'csfb-not-preferred-roaming',
  'attached-rlos',
];

/** The name of a `<stat>` value; values 27.007 does not define are `unrecognised`, never dropped. */
export function registrationState(stat: number): RegistrationState {
  return STATES[stat] ?? 'unrecognised';
}

/**
 * Registered in a way that carries data: home or roaming (1, 5), and the E-UTRAN variants that
 * restrict only circuit services — "SMS only" (6, 7) and "CSFB not preferred" (9, 10). Emergency
 * only (8), RLOS (11) and unknown values are not registered.
 */
export function isRegistered(stat: number): boolean {
  return stat === 1 || stat === 5 || stat === 6 || stat === 7 || stat === 9 || stat === 10;
}

/** Roaming (5, 7, 10). */
export function isRoaming(stat: number): boolean {
  return stat === 5 || stat === 7 || stat === 10;
}

export interface Registration {
  readonly domain?: RegistrationDomain;
  /** `<n>`, only in the read form. */
  readonly mode?: number;
  /** `<stat>` as printed (0..11 in 27.007; other values are kept, see `state`). */
  readonly stat: number;
  /** The name of `<stat>` (always set by the parsers). */
  readonly state?: RegistrationState;
  /** Location (`+CREG`/`+CGREG`) or tracking (`+CEREG`/`+C5GREG`) area code. */
  readonly tac?: number;
  /** Cell id (28 bits on E-UTRAN, 36 on NR). */
  readonly cellId?: number;
  /** `<AcT>` (27.007 §7.3): 0 GSM, 2 UTRAN, 7 E-UTRAN, 8 EC-GSM-IoT (Quectel: eMTC), 9 E-UTRAN NB-S1, 13 NR. */
  readonly act?: number;
  /** Routing area code (`+CGREG`, and between area and cell on some Novatel/Sierra `+CEREG`). */
  readonly rac?: number;
  /** `<cause_type>`: 0 EMM cause (24.301 §9.9.3.9), 1 manufacturer specific. */
  readonly causeType?: number;
  readonly rejectCause?: number;
}

/** How a line is to be read: the answer of `AT+CxREG?`, a URC, or decided from its shape. */
export type RegistrationForm = 'read' | 'urc' | 'auto';

export interface RegistrationParseOptions {
  readonly form?: RegistrationForm;
  /** The `<n>` the agent set: in `auto`, a read form must start with it. */
  readonly expectedMode?: number;
}

const PREFIX_DOMAIN: Readonly<Record<string, RegistrationDomain>> = {
  '+CREG': 'cs',
  '+CGREG': 'ps',
  '+CEREG': 'eps',
  '+C5GREG': '5gs',
};

/** The domain of a registration prefix (`+CEREG` → `eps`), undefined for anything else. */
export function registrationDomainOf(prefix: string): RegistrationDomain | undefined {
  return PREFIX_DOMAIN[prefix.trim().toUpperCase()];
}

// ---- field types ---------------------------------------------------------------------------

/** An unquoted decimal number (leading zeros allowed: Iridium prints `002,001`). */
function decimal(field: InfoField | undefined): number | undefined {
  if (!field || field.quoted || !/^\d{1,5}$/.test(field.value)) return undefined;
  return Number.parseInt(field.value, 10);
}

/**
 * A hexadecimal code, quoted or not, of at most `maxDigits` digits. Unquoted codes may carry
 * stray spaces (Qualcomm Gobi 1000 prints `  0 5`).
 */
function hexCode(field: InfoField, maxDigits: number): number | undefined {
  const text = field.quoted ? field.value.trim() : field.value.replace(/\s+/g, '');
  if (text.length === 0 || text.length > maxDigits || !/^[0-9A-Fa-f]+$/.test(text)) return undefined;
  return Number.parseInt(text, 16);
}

const empty = (field: InfoField | undefined): boolean => field !== undefined && !field.quoted && field.value === '';

/** A field that is either empty or a hex code; `null` when it is neither. */
function optionalHex(field: InfoField | undefined, maxDigits: number): number | undefined | null {
  if (field === undefined || empty(field)) return undefined;
  const value = hexCode(field, maxDigits);
  return value === undefined ? null : value;
}

function optionalDecimal(field: InfoField | undefined, max: number): number | undefined | null {
  if (field === undefined || empty(field)) return undefined;
  const value = decimal(field);
  return value === undefined || value > max ? null : value;
}

// ---- the tail after <stat> -----------------------------------------------------------------

type Tail = Omit<Registration, 'domain' | 'mode' | 'stat' | 'state'>;

/** Digits of an area code and a cell id per domain (LAC/TAC 16 bits, 5GS TAC 24; NR cell 36). */
const LIMITS: Readonly<Record<RegistrationDomain, { area: number; cell: number }>> = {
  cs: { area: 4, cell: 8 },
  ps: { area: 4, cell: 8 },
  eps: { area: 4, cell: 8 },
  '5gs': { area: 6, cell: 9 },
};

/** `<AcT>` values 27.007 defines (0..13, and 14..15 for later releases). */
const MAX_ACT = 15;

interface TailReading {
  readonly tail: Tail;
  /** False when vendor extras were skipped (Samsung Wave's `, B, C2816`): still usable, less sure. */
  readonly strict: boolean;
  /** How many tail fields the grammar gave a meaning to. */
  readonly consumed: number;
}

/**
 * Reads the fields after `<stat>`:
 * - nothing, or only empty fields (`+CREG: 2,,` of a Novatel XU870 while searching);
 * - `<area>,<cell>[,<AcT>]` (27.007), then per domain `,<rac>` (`+CGREG`), then
 *   `,<cause_type>,<reject_cause>` (n=3), then PSM timers (n=4/5, ignored);
 * - `<area>,<rac>,<cell>,<AcT>` on `+CEREG` (Novatel E362 / some Sierra firmware);
 * - anything after a valid area and cell that fits no column is skipped (`strict: false`).
 */
function readTail(domain: RegistrationDomain, fields: readonly InfoField[]): TailReading | undefined {
  if (fields.length === 0 || fields.every(empty)) return { tail: {}, strict: true, consumed: fields.length };
  if (fields.length === 1) return undefined;
  const { area, cell } = LIMITS[domain];
  const out: { -readonly [K in keyof Tail]: Tail[K] } = {};
  const tac = optionalHex(fields[0], area);
  if (tac === null) return undefined;
  if (tac !== undefined) out.tac = tac;

  // Novatel/Sierra: a 1–2 digit routing area between the tracking area and the cell id.
  if (domain === 'eps' && fields.length === 4) {
    const rac = optionalHex(fields[1], 2);
    const ci = optionalHex(fields[2], cell);
    const act = optionalDecimal(fields[3], MAX_ACT);
    if (rac !== null && ci !== null && act !== null) {
      if (rac !== undefined) out.rac = rac;
      if (ci !== undefined) out.cellId = ci;
      if (act !== undefined) out.act = act;
      return { tail: out, strict: true, consumed: 4 };
    }
  }

  const ci = optionalHex(fields[1], cell);
  if (ci === null) return undefined;
  if (ci !== undefined) out.cellId = ci;
  // Modules print an area and a cell together, or neither.
  const located = (tac === undefined) === (ci === undefined);
  if (fields.length === 2) return { tail: out, strict: located, consumed: 2 };

  const act = optionalDecimal(fields[2], MAX_ACT);
  if (act === null || !located) return { tail: out, strict: false, consumed: 2 };
  if (act !== undefined) out.act = act;
  let rest = fields.slice(3);
  if (domain === 'ps' && rest.length > 0 && rest.length !== 2) {
    const rac = optionalHex(rest[0], 2);
    if (rac === null) return { tail: out, strict: false, consumed: 3 };
    if (rac !== undefined) out.rac = rac;
    rest = rest.slice(1);
  }
  if (domain === '5gs' && rest.length >= 2) {
    // `<Allowed_NSSAI_length>,<Allowed_NSSAI>` come before the cause on +C5GREG.
    rest = rest.slice(2);
  }
  const used = fields.length - rest.length;
  if (rest.length === 0) return { tail: out, strict: true, consumed: used };
  if (rest.length === 1) return { tail: out, strict: false, consumed: used };
  const causeType = optionalDecimal(rest[0], 1);
  const rejectCause = optionalDecimal(rest[1], 255);
  // <cause_type> and <reject_cause> come as a pair (27.007 §10.1.22), or both empty (n=4).
  const paired = (causeType === undefined) === (rejectCause === undefined);
  if (causeType === null || rejectCause === null || !paired) return { tail: out, strict: false, consumed: used };
  if (causeType !== undefined) out.causeType = causeType;
  if (rejectCause !== undefined) out.rejectCause = rejectCause;
  // n=4/5 add Active-Time and Periodic-TAU (and on +CGREG the GPRS READY timer): not used here.
  const timers = rest.slice(2);
  return { tail: out, strict: timers.length <= 3, consumed: fields.length };
}

interface Reading {
  readonly registration: Registration;
  readonly strict: boolean;
  /** Fields the grammar gave a meaning to, `<n>` and `<stat>` included. */
  readonly consumed: number;
}

function readAs(domain: RegistrationDomain, fields: readonly InfoField[], read: boolean): Reading | undefined {
  const offset = read ? 1 : 0;
  let mode: number | undefined;
  if (read) {
    mode = decimal(fields[0]);
    if (mode === undefined || mode > 5) return undefined;
  }
  const stat = decimal(fields[offset]);
  if (stat === undefined) return undefined;
  const tailFields = fields.slice(offset + 1);
  const tail = readTail(domain, tailFields);
  if (!tail) return undefined;
  // A read form's <n> decides which fields may follow: n=0/1 print <stat> alone (27.007).
  const consistent = !read || mode! >= 2 || tailFields.length === 0;
  const registration: Registration = {
    domain,
    ...(mode !== undefined ? { mode } : {}),
    stat,
    state: registrationState(stat),
    ...tail.tail,
  };
  return { registration, strict: tail.strict && consistent, consumed: offset + 1 + tail.consumed };
}

/**
 * Reads the arguments of a `+CREG`/`+CGREG`/`+CEREG`/`+C5GREG` line (the text after the colon).
 * Undefined when the line fits neither form.
 */
export function parseRegistration(
  domain: RegistrationDomain,
  args: string,
  options: RegistrationParseOptions = {},
): Registration | undefined {
  const fields = splitFields(args);
  const form = options.form ?? 'auto';
  if (form === 'read') return readAs(domain, fields, true)?.registration;
  if (form === 'urc') return readAs(domain, fields, false)?.registration;
  return chooseReading(readAs(domain, fields, true), readAs(domain, fields, false), options.expectedMode, 'urc')?.registration;
}

/**
 * The better of a read-form and a URC-form reading of the same line: one that fits the grammar
 * strictly beats one that needed leniency, then the one that gives meaning to more fields, then
 * the form the context makes likelier (`prefer`). A URC therefore never loses its `<stat>` to an
 * all-digit area code: `+CREG: 2,0001,0010,0` reads as searching in LAC 1, not registered.
 */
function chooseReading(
  read: Reading | undefined,
  urc: Reading | undefined,
  expectedMode: number | undefined,
  prefer: 'read' | 'urc',
): Reading | undefined {
  const readFits = read !== undefined && (expectedMode === undefined || read.registration.mode === expectedMode) ? read : undefined;
  if (!readFits || !urc) return readFits ?? urc;
  if (readFits.strict !== urc.strict) return readFits.strict ? readFits : urc;
  if (readFits.consumed !== urc.consumed) return readFits.consumed > urc.consumed ? readFits : urc;
  return prefer === 'read' ? readFits : urc;
}

/**
 * The lines of an `AT+CxREG?` answer, in arrival order: exactly one is the read answer, the others
 * are URCs that arrived while it was in flight. Each is read in the form the assignment gives it;
 * the caller takes the last as the freshest state.
 */
export function parseRegistrationAnswer(
  domain: RegistrationDomain,
  argsList: readonly string[],
  expectedMode?: number,
): Registration[] {
  const readings = argsList.map((args) => {
    const fields = splitFields(args);
    const read = readAs(domain, fields, true);
    const fits = read !== undefined && (expectedMode === undefined || read.registration.mode === expectedMode);
    return { read: fits ? read : undefined, urc: readAs(domain, fields, false) };
  });
  // The read answer is the line the read form explains best: one only it fits, else the last
  // line where it wins over the URC reading.
  let answer = readings.findLastIndex((r) => r.read !== undefined && r.urc === undefined);
  if (answer < 0) answer = readings.findLastIndex((r) => r.read !== undefined && chooseReading(r.read, r.urc, undefined, 'read') === r.read);
  return readings.flatMap((r, i) => {
    const chosen = i === answer ? r.read : r.urc;
    return chosen ? [chosen.registration] : [];
  });
}

/**
 * The registration that decides whether data can flow, from the latest state of each domain a
 * module reports: EPS (`+CEREG`) or 5GS when registered there, else GPRS (`+CGREG`) — a 2G/3G
 * capable module (EC25, SIM7600, SARA-U/R4 with fallback) attached on UTRAN reports `+CEREG: 0`
 * while `+CGREG` says registered. `+CREG` (circuit) decides only when the module reports no packet
 * domain at all: a circuit reject next to a packet registration (Quectel EP06 prints
 * `+CREG: 2,3` beside `+CEREG: 2,1,...`) does not stop data. `inUse` limits the decision to
 * the reports a module has on (all by default).
 */
export function effectiveRegistration(
  all: Partial<Record<RegistrationDomain, Registration>>,
  inUse?: readonly RegistrationDomain[],
): Registration | undefined {
  const latest: Partial<Record<RegistrationDomain, Registration>> = {};
  for (const domain of inUse ?? (['cs', 'ps', 'eps', '5gs'] as const)) if (all[domain]) latest[domain] = all[domain];
  const packet = [latest.eps, latest['5gs'], latest.ps].filter((r): r is Registration => r !== undefined);
  const registered = packet.find((r) => isRegistered(r.stat));
  if (registered) return registered;
  if (packet.length > 0) return latest.eps ?? latest['5gs'] ?? latest.ps;
  return latest.cs;
}
