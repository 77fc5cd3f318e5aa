/**
 * The AT commands of the agent's SMS module (3GPP TS 27.005), as data: set PDU mode and new-message
 * indications, select a memory, read, list, delete. Responses are parsed here; the PDUs by
 * `common/sms`.
 */
import { AtParseError, type AtCommand, type AtResponse } from '../at/index.js';

const ok = (text: string, timeoutMs = 5_000): AtCommand<void> => ({ text, timeoutMs, parse: () => undefined });

/** `AT+CMGF=0`: PDU mode (every module has it; text mode output differs between vendors). */
export const pduMode = (): AtCommand<void> => ok('AT+CMGF=0');

/** `AT+CNMI=2,1,0,0,0`: store new messages and announce them with `+CMTI` (27.005 §3.4.1). */
export const storeAndIndicate = (): AtCommand<void> => ok('AT+CNMI=2,1,0,0,0');

/** `AT+CPMS="<mem>"`: read and delete in the memory a `+CMTI` named. */
export const selectMemory = (memory: string): AtCommand<void> => {
  if (!/^[A-Z]{2}$/.test(memory)) throw new AtParseError(`memory "${memory}" is not a 27.005 <mem>`, 'AT+CPMS');
  return { text: `AT+CPMS="${memory}"`, timeoutMs: 5_000, responsePrefixes: ['+CPMS'], parse: () => undefined };
};

/** One stored message as `+CMGR` / `+CMGL` show it in PDU mode. */
export interface StoredPdu {
  index: number;
  pdu: string;
}

/** `AT+CMGR=<index>` → the PDU, or undefined for an empty location. */
export function readMessage(index: number): AtCommand<string | undefined> {
  return {
    text: `AT+CMGR=${index}`,
    timeoutMs: 5_000,
    responsePrefixes: ['+CMGR'],
    parse(r: AtResponse) {
      const header = r.lines.findIndex((l) => l.startsWith('+CMGR:'));
      if (header < 0) return undefined;
      const pdu = r.lines[header + 1];
      if (!pdu || !/^(?:[0-9A-Fa-f]{2})+$/.test(pdu.trim())) throw new AtParseError('+CMGR without a PDU line (is the module in text mode?)', `AT+CMGR=${index}`);
      return pdu.trim();
    },
  };
}

/** `AT+CMGL=4` (all messages, PDU mode) → index and PDU of each. */
export function listMessages(): AtCommand<StoredPdu[]> {
  return {
    text: 'AT+CMGL=4',
    timeoutMs: 20_000,
    responsePrefixes: ['+CMGL'],
    parse(r: AtResponse) {
      const out: StoredPdu[] = [];
      r.lines.forEach((line, i) => {
        const m = /^\+CMGL:\s*(\d+),/.exec(line);
        const pdu = r.lines[i + 1]?.trim();
        if (m && pdu && /^(?:[0-9A-Fa-f]{2})+$/.test(pdu)) out.push({ index: Number(m[1]), pdu });
      });
      return out;
    },
  };
}

/** `AT+CMGD=<index>`. */
export const deleteMessage = (index: number): AtCommand<void> => ok(`AT+CMGD=${index}`);

/** `+CMTI: "<mem>",<index>` → its fields (27.005 §3.4.1). */
export function parseCmti(args: string): { memory: string; index: number } | undefined {
  const m = /^"([A-Z]{2})",\s*(\d+)$/.exec(args.trim());
  return m ? { memory: m[1]!, index: Number(m[2]) } : undefined;
}
