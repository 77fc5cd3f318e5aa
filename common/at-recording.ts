/**
 * The AT recording format shared by the agent (which writes it: `cellgate agent --record`,
 * `cellgate probe --record`) and the simulator (which serves it: `cellgate sim --replay`).
 *
 * One JSON object per line:
 *   {"type":"cellgate-at-recording","version":1,"port":"/dev/ttyUSB2","started":"<ISO time>","tool":"cellgate agent"}
 *   {"t":0,"dir":"tx","line":"AT"}
 *   {"t":14,"dir":"rx","line":"OK"}
 *   {"t":20,"dir":"rx","line":"> ","partial":true}
 * `t` is milliseconds since the start on the recorder's clock. `tx` lines are what the host wrote
 * (the CR is not kept); `rx` lines are what the module sent between line ends; `partial` marks
 * bytes that ended without a line end (a `> ` prompt, a payload ended by Ctrl-Z). Credentials are
 * replaced by `<redacted>` inside their quotes, so a replay can still tell commands apart.
 */
export const RECORDING_TYPE = 'cellgate-at-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  readonly type: typeof RECORDING_TYPE;
  readonly version: number;
  readonly port: string;
  readonly started: string;
  readonly tool: string;
  /** Free notes a bench adds (module, firmware, what the session shows). */
  readonly notes?: string;
  /**
   * What a regression replay must show (test/recordings/): the agent gets online and picks this
   * dialect. A bench adds it by hand after recording (docs/simulator.md).
   */
  readonly expect?: { readonly online?: boolean; readonly dialect?: string };
}

export interface RecordedLine {
  readonly t: number;
  readonly dir: 'tx' | 'rx';
  readonly line: string;
  readonly partial?: boolean;
}

/** Commands whose every argument is a secret (PINs, raw SIM access). */
const ALL_ARGUMENTS_SECRET = /^(AT\s*)?[+$%#^*&]?(CPIN|CPIN2|CLCK|CPWD|CSIM)\s*=/i;
/** Commands that carry credentials in quoted strings (APN user and password, certificates). */
const QUOTED_SECRETS = /^(AT\s*)?[+$%#^*&]?(CGAUTH|QICSGP|CNCFG|UPSD|UAUTHREQ|SGACT|QSSLCFG|USECMNG|SAPBR|CSTT)\s*=/i;
const SECRET_ANSWERS = /^\s*[+$%#^*&]?(CGAUTH|QICSGP|CNCFG|UPSD|UAUTHREQ|CSIM|QSSLCFG|USECMNG|SAPBR|CSTT)\s*:/i;

function redactQuoted(text: string, from: number): string {
  return text.slice(0, from) + text.slice(from).replace(/"[^"]*"/g, '"<redacted>"');
}

/**
 * A line safe to keep in a recording: PIN-like commands lose every argument, credential commands
 * (and answers that read credentials back) lose their quoted strings but keep their numbers.
 */
export function redactForRecording(line: string, dir: 'tx' | 'rx'): string {
  const text = line;
  const eq = text.indexOf('=');
  if (/^\s*AT/i.test(text) && eq >= 0) {
    if (ALL_ARGUMENTS_SECRET.test(text.trim())) return `${text.slice(0, eq + 1)}<redacted>`;
    if (QUOTED_SECRETS.test(text.trim())) return redactQuoted(text, eq + 1);
    return text;
  }
  if (dir === 'rx') {
    const colon = text.indexOf(':');
    if (SECRET_ANSWERS.test(text) && colon >= 0) return redactQuoted(text, colon + 1);
  }
  return text;
}

/**
 * Splits a byte stream into lines (any run of CR/LF ends a line; empty lines are dropped) and
 * hands each to `emit`. Bytes left without a line end are flushed as a partial line on demand.
 */
export class LineSplitter {
  private pending = '';

  constructor(private readonly emit: (line: string, partial: boolean) => void) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        if (this.pending !== '') this.emit(this.pending, false);
        this.pending = '';
      } else {
        this.pending += ch;
      }
    }
  }

  /** Emits what is pending as a partial line (a prompt before a payload). */
  flush(): void {
    if (this.pending === '') return;
    this.emit(this.pending, true);
    this.pending = '';
  }
}

/** Reads a recording: the header and the lines, with a clear error on anything malformed. */
export function parseRecording(text: string): { header: RecordingHeader; lines: RecordedLine[] } {
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  if (rows.length === 0) throw new RangeError('empty recording');
  let header: RecordingHeader;
  try {
    header = JSON.parse(rows[0]!) as RecordingHeader;
  } catch {
    throw new RangeError('recording line 1: not JSON');
  }
  if (header.type !== RECORDING_TYPE) throw new RangeError(`recording line 1: not a ${RECORDING_TYPE} header`);
  if (header.version !== RECORDING_VERSION) throw new RangeError(`recording version ${header.version} is not supported (expected ${RECORDING_VERSION})`);
  const lines = rows.slice(1).map((row, i) => {
    let value: RecordedLine;
    try {
      value = JSON.parse(row) as RecordedLine;
    } catch {
      throw new RangeError(`recording line ${i + 2}: not JSON`);
    }
    if (typeof value.t !== 'number' || (value.dir !== 'tx' && value.dir !== 'rx') || typeof value.line !== 'string') {
      throw new RangeError(`recording line ${i + 2}: expected {t, dir: tx|rx, line}`);
    }
    return value;
  });
  return { header, lines };
}
