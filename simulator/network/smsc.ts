/**
 * The simulated network's short message service centre: turns a platform order (or a message a
 * tester injects) into the SMS-DELIVER PDUs a module receives — one per part, with a
 * concatenation header when the text needs more than one (TS 23.040 §9.2.3.24.1).
 */
import { encodeDeliver, splitText } from '../../common/sms/pdu.js';

/** [choice] The service centre address in every PDU (country code 999 is unassigned). */
export const SIMULATED_SMSC_ADDRESS = '+999000000000';

export interface SmsPart {
  pdu: string;
  tpduLength: number;
}

let nextReference = 0;

export function deliverPdus(message: { originator: string; encoding: 'gsm7' | 'ucs2'; text: string; sentAt: number; utcOffsetMinutes: number }): SmsPart[] {
  const texts = splitText(message.text, message.encoding);
  // One 8-bit reference per long message, shared by its parts.
  const ref = texts.length > 1 ? (nextReference = (nextReference + 1) % 256) : 0;
  return texts.map((text, i) =>
    encodeDeliver({
      smsc: SIMULATED_SMSC_ADDRESS,
      originator: message.originator,
      encoding: message.encoding,
      text,
      timestamp: message.sentAt,
      utcOffsetMinutes: message.utcOffsetMinutes,
      ...(texts.length > 1 ? { concat: { ref, total: texts.length, seq: i + 1 } } : {}),
    }),
  );
}
