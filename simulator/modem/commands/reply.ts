/**
 * What every command handler shares: the reply shape, the final results a handler can give, and
 * the small argument helpers. One file per command family sits beside it (basic, SIM, logical
 * channels, radio, packet domain, vendor families); `index.ts` dispatches.
 */
import type { ParsedCommand } from '../command-line.js';
import { CME } from '../errors.js';
import type { LatencyKind } from '../latency.js';
import type { ModemContext } from '../modem-context.js';
import type { CommandFamily } from '../dialects.js';

/** How a command ends: `OK`, `ERROR`, `+CME ERROR` (shown per CMEE), or nothing (it printed its own). */
/** `cms`: a `+CMS ERROR` of the message service (TS 27.005 §3.2.5). */
export type FinalResult = { kind: 'ok' } | { kind: 'error' } | { kind: 'cme'; code: number } | { kind: 'cms'; code: number } | { kind: 'none' };

export interface Reply {
  readonly lines: readonly string[];
  readonly result: FinalResult;
  /** Runs right after the final result is written (a reset after `OK`, a URC after `OK`). */
  readonly after?: () => void;
}

export type Handler = (m: ModemContext, c: ParsedCommand) => Promise<Reply> | Reply;

export interface CommandSpec {
  /** What the command waits for before answering. */
  readonly kind: LatencyKind;
  readonly run: Handler;
  /** Vendor family that must be present on the dialect. */
  readonly family?: CommandFamily;
  /** Whether the SIM must be present (`+CME ERROR: 10` otherwise). */
  readonly needsSim?: boolean;
}

export const ok = (lines: string[] = [], after?: () => void): Reply => ({ lines, result: { kind: 'ok' }, ...(after ? { after } : {}) });
export const error = (): Reply => ({ lines: [], result: { kind: 'error' } });
export const cme = (code: number): Reply => ({ lines: [], result: { kind: 'cme', code } });
export const badArgs = (): Reply => cme(CME.incorrectParameters);

export function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

export function inRange(value: number | undefined, min: number, max: number): value is number {
  return value !== undefined && value >= min && value <= max;
}

export const hex = /^(?:[0-9A-Fa-f]{2})*$/;
