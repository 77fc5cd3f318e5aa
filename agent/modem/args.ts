/**
 * Splitting the argument list of an information line (`+CEREG: 1,"1A2B","01A2D101",7`) into
 * fields. 3GPP TS 27.007 §4.1: fields are comma separated, strings are double-quoted and may
 * contain commas; an omitted optional field is an empty string.
 */

/** One field of an information line: its text (quotes removed) and whether it was quoted. */
export interface InfoField {
  readonly value: string;
  readonly quoted: boolean;
}

/** Splits `a,"b,c",,d` into fields, honouring quotes; whitespace around fields is trimmed. */
export function splitFields(args: string): InfoField[] {
  const fields: InfoField[] = [];
  let current = '';
  let quoted = false;
  let inQuotes = false;
  for (const ch of args) {
    if (inQuotes) {
      if (ch === '"') inQuotes = false;
      else current += ch;
    } else if (ch === '"') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') {
      fields.push({ value: quoted ? current : current.trim(), quoted });
      current = '';
      quoted = false;
    } else {
      current += ch;
    }
  }
  fields.push({ value: quoted ? current : current.trim(), quoted });
  return fields;
}

/** Text after `<prefix>:` when `line` starts with it, else undefined (`+CSQ: 20,99` → `20,99`). */
export function argsOf(line: string, prefix: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.toUpperCase().startsWith(prefix.toUpperCase())) return undefined;
  const rest = trimmed.slice(prefix.length);
  if (rest.startsWith(':')) return rest.slice(1).trim();
  return rest.trim() === '' ? '' : undefined;
}

/** Parses a decimal integer field; undefined for an empty or non-numeric field. */
export function intField(field: InfoField | undefined): number | undefined {
  if (!field || field.value === '' || !/^-?\d+$/.test(field.value)) return undefined;
  return Number.parseInt(field.value, 10);
}

/** Parses a hexadecimal field (`"1A2B"`); undefined when empty or not hex. */
export function hexField(field: InfoField | undefined): number | undefined {
  if (!field || field.value === '' || !/^[0-9A-Fa-f]+$/.test(field.value)) return undefined;
  return Number.parseInt(field.value, 16);
}
