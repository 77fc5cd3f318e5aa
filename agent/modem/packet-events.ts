/**
 * `+CGEV` packet-domain events in every form of 3GPP TS 27.007 §10.1.19, read by words and typed
 * fields rather than one pattern per vendor. Only a loss of *our* context, or of the attach, is a
 * loss (`isSessionLoss`): a secondary (dedicated) bearer going away, a context id that is not
 * ours, a class change, a modification or a network reactivation are not.
 *
 * Tests: `packet-events.test.ts`, a table of real captured lines with their sources.
 */
import { splitFields } from './args.js';

export type PacketEventKind =
  | 'nw-detach'
  | 'me-detach'
  | 'nw-pdn-act'
  | 'me-pdn-act'
  | 'nw-pdn-deact'
  | 'me-pdn-deact'
  /** SIMCom: `+CGEV: EPS PDN ACT <cid>` (an older 27.007 name of the PDN connection events). */
  | 'eps-pdn-act'
  | 'eps-pdn-deact'
  | 'nw-act'
  | 'me-act'
  | 'nw-deact'
  | 'me-deact'
  | 'nw-modify'
  | 'me-modify'
  | 'nw-react'
  | 'reject'
  | 'nw-class'
  | 'me-class'
  | 'other';

/** A packet-domain event (`+CGEV`, 27.007 §10.1.19). */
export interface PacketEvent {
  readonly kind: PacketEventKind;
  /** The context the event is about (for secondary forms: the dedicated context). */
  readonly cid?: number;
  /** `<p_cid>` of the secondary forms `NW|ME ACT|DEACT <p_cid>,<cid>,<event_type>`. */
  readonly parentCid?: number;
  /** True for the secondary (dedicated bearer) forms. */
  readonly secondary?: boolean;
  /** `<event_type>`: 0 informational, 1 acknowledgement requested. */
  readonly eventType?: number;
  /** `<PDP_type>` / `<PDP_addr>` of the PDP forms (`NW DEACT IP, 10.0.0.1[, 1]`, `REJECT`, `NW REACT`). */
  readonly pdpType?: string;
  readonly address?: string;
  /** `<class>` of `NW|ME CLASS`. */
  readonly mobileClass?: string;
  /** The event text as received. */
  readonly text: string;
}

/** The event words of 27.007 §10.1.19, longest first so `NW PDN DEACT` wins over `NW DEACT`. */
const EVENTS: ReadonlyArray<[words: string, kind: PacketEventKind]> = [
  ['NW PDN DEACT', 'nw-pdn-deact'],
  ['ME PDN DEACT', 'me-pdn-deact'],
  ['EPS PDN DEACT', 'eps-pdn-deact'],
  ['NW PDN ACT', 'nw-pdn-act'],
  ['ME PDN ACT', 'me-pdn-act'],
  ['EPS PDN ACT', 'eps-pdn-act'],
  ['NW DETACH', 'nw-detach'],
  ['ME DETACH', 'me-detach'],
  ['NW MODIFY', 'nw-modify'],
  ['ME MODIFY', 'me-modify'],
  ['NW DEACT', 'nw-deact'],
  ['ME DEACT', 'me-deact'],
  ['NW REACT', 'nw-react'],
  ['NW CLASS', 'nw-class'],
  ['ME CLASS', 'me-class'],
  ['NW ACT', 'nw-act'],
  ['ME ACT', 'me-act'],
  ['REJECT', 'reject'],
];

function int(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** The event words, then the argument text after them (whitespace between words is loose). */
function split(text: string): { kind: PacketEventKind; rest: string } {
  const upper = text.toUpperCase();
  for (const [words, kind] of EVENTS) {
    const pattern = words.split(' ').join('\\s+');
    const m = new RegExp(`^${pattern}(?=\\s|,|$)`).exec(upper);
    if (m) return { kind, rest: text.slice(m[0].length).trim() };
  }
  return { kind: 'other', rest: text };
}

/**
 * Parses the text after `+CGEV:` (`NW PDN DEACT 1`, `NW DEACT "IP","10.0.0.1",1`,
 * `ME DEACT 3, 2, 1`, `NW CLASS "A"`...). Never throws; unknown events are `other`.
 */
export function parseCgev(args: string): PacketEvent {
  const text = args.trim();
  const { kind, rest } = split(text);
  const fields = rest === '' ? [] : splitFields(rest);
  const base = { kind, text };
  switch (kind) {
    case 'nw-pdn-act':
    case 'me-pdn-act':
    case 'nw-pdn-deact':
    case 'me-pdn-deact':
    case 'eps-pdn-act':
    case 'eps-pdn-deact': {
      // `<cid>[,<reason>[,<cid_other>]][,<WLAN_Offload>]`: the first field is the context.
      const cid = int(fields[0]?.value);
      return cid === undefined ? base : { ...base, cid };
    }
    case 'nw-act':
    case 'me-act':
    case 'nw-deact':
    case 'me-deact': {
      // Two forms share these words: the secondary one `<p_cid>,<cid>,<event_type>` (all numbers),
      // and, for DEACT, the PDP one `<PDP_type>,<PDP_addr>[,<cid>]`.
      const first = fields[0];
      if (first && !first.quoted && int(first.value) !== undefined) {
        const parentCid = int(first.value);
        const cid = int(fields[1]?.value);
        const eventType = int(fields[2]?.value);
        return {
          ...base,
          secondary: true,
          ...(parentCid !== undefined ? { parentCid } : {}),
          ...(cid !== undefined ? { cid } : {}),
          ...(eventType !== undefined ? { eventType } : {}),
        };
      }
      return pdpForm(base, fields);
    }
    case 'nw-react':
    case 'reject':
      return pdpForm(base, fields);
    case 'nw-modify':
    case 'me-modify': {
      const cid = int(fields[0]?.value);
      const eventType = int(fields[2]?.value);
      return { ...base, ...(cid !== undefined ? { cid } : {}), ...(eventType !== undefined ? { eventType } : {}) };
    }
    case 'nw-class':
    case 'me-class': {
      const mobileClass = fields[0]?.value;
      return mobileClass ? { ...base, mobileClass } : base;
    }
    default:
      return base;
  }
}

function pdpForm(base: { kind: PacketEventKind; text: string }, fields: ReturnType<typeof splitFields>): PacketEvent {
  const pdpType = fields[0]?.value || undefined;
  const address = fields[1]?.value || undefined;
  const cid = int(fields[2]?.value);
  return {
    ...base,
    ...(pdpType ? { pdpType } : {}),
    ...(address ? { address } : {}),
    ...(cid !== undefined ? { cid } : {}),
  };
}

/**
 * Whether an event means our data session (context `cid`, address `address` when known) or the
 * attach is gone. A detach always is. A PDN deactivation is when it names our context. A PDP-form
 * deactivation names our context, or — without a context id — our address; with neither known it
 * counts as ours (better one needless reconnect than a dead session). A secondary deactivation is
 * ours only when the dedicated context it names is ours; activations, modifications, reactivations,
 * rejects and class changes never are.
 */
export function isSessionLoss(event: PacketEvent, cid: number, address?: string): boolean {
  switch (event.kind) {
    case 'nw-detach':
    case 'me-detach':
      return true;
    case 'nw-pdn-deact':
    case 'me-pdn-deact':
    case 'eps-pdn-deact':
      return event.cid === undefined || event.cid === cid;
    case 'nw-deact':
    case 'me-deact':
      if (event.secondary) return event.cid === cid;
      if (event.cid !== undefined) return event.cid === cid;
      if (event.address !== undefined && address !== undefined) return event.address === address;
      return true;
    default:
      return false;
  }
}
