import type { AtCommand, AtResponse } from './types.js';
import { AtParseError } from './errors.js';
import { lineHasPrefix, normalisePrefix } from './urc-prefixes.js';

/**
 * Splits the arguments of an information line into fields: `+X: a,"b,c",3` → `['a', 'b,c', '3']`.
 * Commas inside double quotes do not split; quotes are removed; unquoted fields are trimmed;
 * empty fields are kept (`+CEREG: 2,1,,` has four). Accepts a missing space after the colon
 * (some modules print `+CGLA:4,"9000"`). Throws `AtParseError` when the line lacks the prefix
 * or a quote is left open.
 */
export function parseInfoArgs(line: string, prefix: string): string[] {
  const p = normalisePrefix(prefix);
  const text = line.trim();
  if (!lineHasPrefix(text, p)) throw new AtParseError(`expected a ${p} line, got "${text}"`);
  return splitArgs(text.slice(p.length + 1));
}

/** Splits a comma-separated argument list honouring double quotes (see `parseInfoArgs`). */
export function splitArgs(args: string): string[] {
  const fields: string[] = [];
  if (args.trim() === '') return fields;
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  for (const ch of args) {
    if (ch === '"') {
      quoted = !quoted;
      wasQuoted = true;
    } else if (ch === ',' && !quoted) {
      fields.push(wasQuoted ? current : current.trim());
      current = '';
      wasQuoted = false;
    } else if (quoted || !(wasQuoted && /\s/.test(ch))) {
      current += ch;
    }
  }
  if (quoted) throw new AtParseError(`unterminated quote in "${args}"`);
  fields.push(wasQuoted ? current : current.trim());
  return fields;
}

/** The information lines of a response that carry `prefix`. */
export function linesWithPrefix(response: AtResponse, prefix: string): string[] {
  const p = normalisePrefix(prefix);
  return response.lines.filter((line) => lineHasPrefix(line, p));
}

/** Builds an `AtCommand` from its text, its parser and an optional timeout. */
export function command<T>(text: string, parse: (response: AtResponse) => T, timeoutMs?: number): AtCommand<T> {
  return timeoutMs === undefined ? { text, parse } : { text, parse, timeoutMs };
}
