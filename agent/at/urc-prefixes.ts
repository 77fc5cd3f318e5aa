/**
 * Unsolicited result codes the framer recognises without anyone subscribing (3GPP TS 27.007
 * §7.2, §7.3, §10.1.19 and the vendor manuals of Quectel BG95/BG96, SIMCom SIM7080 and u-blox
 * SARA, and the real captures cited beside the newer modules' rows). Subscribers add their own
 * prefixes at run time through `AtFramer.registerUrcPrefix`.
 */
export const BUILT_IN_URC_PREFIXES: readonly string[] = [
  // 3GPP TS 27.007 registration and packet-domain events.
  '+CREG',
  '+CGREG',
  '+CEREG',
  '+C5GREG',
  '+CGEV',
  '+CPIN',
  '+CFUN',
  '+CTZV',
  '+CTZE',
  '+CTZEU',
  '+CMTI',
  '+CMT',
  '+CDSI',
  '+CUSD',
  '+CRING',
  'RING',
  // Quectel BG95 / BG96.
  'RDY',
  'APP RDY',
  'POWERED DOWN',
  'NORMAL POWER DOWN',
  '+QIURC',
  '+QUSIM',
  '+QIND',
  '+QSIMSTAT',
  '+QPSMTIMER',
  // SIMCom SIM7600: boot lines and the socket stack's loss (T-SIM7600X#90, LilyGo-Modem-Series#110).
  'SMS DONE',
  'PB DONE',
  '+CIPEVENT',
  '+NETOPEN',
  // Nordic nRF91 Serial LTE Modem: the boot line (vshymanskyy/TinyGSM#486), modem notifications.
  'Ready',
  '%XMODEMSLEEP',
  '%CESQ',
  // SIMCom SIM7080.
  '+APP PDP',
  'SMS Ready',
  'Call Ready',
  '+NITZ',
  '*PSUTTZ',
  'DST',
  '+SMSTATE',
  '+CADATAIND',
  '+CASTATE',
  // u-blox SARA.
  '+UUPSDD',
  '+UUPSDA',
  '+UUSORD',
  '+UUSOCL',
];

/**
 * Tells whether `line` belongs to `prefix`: the line is the prefix itself (bare URCs such as
 * `RDY`) or the prefix followed by `:` (27.007 §4.1 information text `+NAME: args`).
 */
export function lineHasPrefix(line: string, prefix: string): boolean {
  if (!line.startsWith(prefix)) return false;
  if (line.length === prefix.length) return true;
  return line.charCodeAt(prefix.length) === 0x3a /* : */;
}

/** Normalises a subscriber's prefix: trimmed, without a trailing colon. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.trim();
  return trimmed.endsWith(':') ? trimmed.slice(0, -1).trimEnd() : trimmed;
}

/**
 * The information-text prefixes a command line answers with: `AT+CEREG?` → `+CEREG`,
 * `AT+CGMI;+CGMM` → `+CGMI`, `+CGMM`. Basic commands (`ATI`, `ATE0`) have none.
 */
export function responsePrefixesOf(commandText: string): string[] {
  const body = commandText.trim().replace(/^AT/i, '');
  const prefixes: string[] = [];
  for (const part of body.split(';')) {
    const match = /^\s*([+$%#^*&][A-Za-z0-9_]+)/.exec(part);
    if (match) prefixes.push(match[1]!.toUpperCase());
  }
  return prefixes;
}
