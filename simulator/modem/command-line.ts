/**
 * Splits one command line typed at the modem into commands (V.250 §5.2: basic commands may follow
 * one another, extended commands are separated by `;`) and parses each into name, form and
 * arguments. Pure; never throws on any input.
 */

export type CommandForm = 'exec' | 'set' | 'read' | 'test';

export interface ParsedCommand {
  /** Upper-case name: `+CEREG`, `+QCFG`, `E`, `I`, `&F`, `Z`. */
  readonly name: string;
  readonly form: CommandForm;
  /** Arguments with quotes removed; `undefined` for an empty position (`AT+CGACT=,1`). */
  readonly args: readonly (string | undefined)[];
  /** Raw text after `=` (for commands that take free text). */
  readonly rawArgs: string;
}

export type ParseResult = { ok: true; commands: ParsedCommand[] } | { ok: false };

/** Splits `a,"b,c",,d` into `['a','b,c',undefined,'d']`; quotes never nest in AT. */
export function splitArgs(text: string): (string | undefined)[] {
  if (text.trim() === '') return [];
  const out: (string | undefined)[] = [];
  let current = '';
  let quoted = false;
  let sawQuote = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      sawQuote = true;
    } else if (ch === ',' && !quoted) {
      out.push(sawQuote || current.trim() !== '' ? (sawQuote ? current : current.trim()) : undefined);
      current = '';
      sawQuote = false;
    } else {
      current += ch;
    }
  }
  out.push(sawQuote || current.trim() !== '' ? (sawQuote ? current : current.trim()) : undefined);
  return out;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseExtended(text: string): ParsedCommand | undefined {
  const match = /^([+^$#%*][A-Za-z0-9_&$]*)(.*)$/s.exec(text);
  if (!match) return undefined;
  const name = match[1]!.toUpperCase();
  const rest = match[2]!;
  if (rest === '') return { name, form: 'exec', args: [], rawArgs: '' };
  if (rest === '?') return { name, form: 'read', args: [], rawArgs: '' };
  if (rest === '=?') return { name, form: 'test', args: [], rawArgs: '' };
  if (rest.startsWith('=')) {
    const raw = rest.slice(1);
    return { name, form: 'set', args: splitArgs(raw), rawArgs: raw };
  }
  return undefined;
}

/** Basic commands (V.250 §5.3): a letter or `&`+letter, then an optional number, chained. */
function parseBasic(text: string): ParsedCommand[] | undefined {
  const out: ParsedCommand[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (/^[+^$#%*]/.test(rest)) {
      // V.250 lets an extended command follow basic ones without a separator: ATE0+CMEE=2.
      const ext = parseExtended(rest);
      if (!ext) return undefined;
      out.push(ext);
      break;
    }
    const m = /^(&?[A-Za-z])(\d*)(\?)?/.exec(rest);
    if (!m) return undefined;
    const name = m[1]!.toUpperCase();
    const num = m[2]!;
    if (name === 'S') {
      const s = /^S(\d+)(\?|=(\d*))?/i.exec(rest);
      if (!s) return undefined;
      out.push({ name: `S${s[1]}`, form: s[2] === '?' ? 'read' : s[2] ? 'set' : 'exec', args: s[3] !== undefined ? [s[3]] : [], rawArgs: s[3] ?? '' });
      rest = rest.slice(s[0].length);
      continue;
    }
    out.push({ name, form: m[3] ? 'read' : num ? 'set' : 'exec', args: num ? [num] : [], rawArgs: num });
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** Parses a full line (`AT...` without the CR). Lines that are not AT commands are `ok: false`. */
export function parseCommandLine(line: string): ParseResult {
  const trimmed = line.trim();
  if (!/^AT/i.test(trimmed)) return { ok: false };
  const body = trimmed.slice(2);
  if (body === '') return { ok: true, commands: [] };
  const commands: ParsedCommand[] = [];
  for (const [index, piece] of splitOutsideQuotes(body, ';').entries()) {
    const part = piece.trim();
    if (part === '') {
      if (index === 0) return { ok: false };
      continue;
    }
    if (/^[+^$#%*]/.test(part)) {
      const cmd = parseExtended(part);
      if (!cmd) return { ok: false };
      commands.push(cmd);
    } else {
      const basic = parseBasic(part);
      if (!basic) return { ok: false };
      commands.push(...basic);
    }
  }
  return { ok: true, commands };
}
