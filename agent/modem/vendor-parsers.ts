/**
 * Pure parsers of vendor session answers and URCs the newer dialects use: u-blox `+UUPSDA` /
 * `+UUPSDD` / `+UPSND` (SARA-R5 internal PSD profiles), Telit `#SGACT`. Each takes the text
 * after `<prefix>:`. Tests: `vendor-parsers.test.ts`, from real captures.
 */
import { intField, splitFields } from './args.js';

const NO_ADDRESS = new Set(['', '0.0.0.0', '0:0:0:0:0:0:0:0', '::']);

/** u-blox `+UUPSDA: <result>,<ip_addr>` — a PSD profile came up (result 0) with an address. */
export function parseUupsda(args: string): { profile: number; address?: string } | undefined {
  const fields = splitFields(args);
  const profile = intField(fields[0]);
  if (profile === undefined) return undefined;
  const address = fields[1]?.value;
  return address && !NO_ADDRESS.has(address) ? { profile, address } : { profile };
}

/** u-blox `+UUPSDD: <profile_id>` — the PSD profile was deactivated (by the network or a detach). */
export function parseUupsdd(args: string): number | undefined {
  return intField(splitFields(args)[0]);
}

/** u-blox `+UPSND: <profile_id>,<param_tag>,<dynamic_param_val>`: tag 0 the address, tag 8 the activation state. */
export function parseUpsnd(args: string): { profile: number; tag: number; value: string } | undefined {
  const fields = splitFields(args);
  const profile = intField(fields[0]);
  const tag = intField(fields[1]);
  if (profile === undefined || tag === undefined || fields[2] === undefined) return undefined;
  return { profile, tag, value: fields[2].value };
}

/**
 * Telit `#SGACT`: the answer of an activation is the address (`#SGACT: 10.141.2.165`); the read
 * form lists `<cid>,<stat>` per context.
 */
export function parseSgact(args: string): { address: string } | { cid: number; active: boolean } | undefined {
  const fields = splitFields(args);
  if (fields.length === 1 && /^[0-9A-Fa-f.:]+$/.test(fields[0]!.value) && /[.:]/.test(fields[0]!.value)) return { address: fields[0]!.value };
  const cid = intField(fields[0]);
  const stat = intField(fields[1]);
  if (cid === undefined || stat === undefined) return undefined;
  return { cid, active: stat === 1 };
}
