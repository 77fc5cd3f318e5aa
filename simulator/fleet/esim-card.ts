/**
 * Puts a simulated eUICC in the state a factory-provisioned card ships in: one profile enabled.
 * It sends the card the same ES10 request an LPA would (SGP.22 §5.7.16 EnableProfile, in a STORE
 * DATA on a logical channel to the ISD-R), so the card queues its enable notification as usual.
 */
import { encodeIccid, ISD_R_AID } from '../../common/es10.js';
import type { Euicc } from '../index.js';

function tlv(tag: number[], value: Uint8Array): Uint8Array {
  if (value.length > 127) throw new Error('value too long for a short-form length');
  return Uint8Array.from([...tag, value.length, ...value]);
}

/** Enables the profile `iccid` on `euicc` (refreshFlag off: nothing is in the slot yet); throws on a refusal. */
export function enableOnCard(euicc: Euicc, iccid: string): void {
  const request = tlv([0xbf, 0x31], Uint8Array.from([...tlv([0xa0], tlv([0x5a], encodeIccid(iccid))), ...tlv([0x81], Uint8Array.of(0x00))]));
  const opened = euicc.openChannel(ISD_R_AID);
  if (!('channel' in opened)) throw new Error(`eUICC refused a channel to the ISD-R (SW ${opened.sw.toString(16)})`);
  const ch = opened.channel;
  const cla = ch < 4 ? 0x80 | ch : 0xc0 | (ch - 4);
  try {
    const answer = euicc.transmit(ch, Uint8Array.from([cla, 0xe2, 0x91, 0x00, request.length, ...request, 0x00]));
    const sw = (answer[answer.length - 2]! << 8) | answer[answer.length - 1]!;
    // BF31 03 80 01 <result>: result 0 = ok (SGP.22 EnableProfileResponse).
    if (sw !== 0x9000 || answer[answer.length - 3] !== 0x00) {
      throw new Error(`eUICC refused to enable ${iccid}: ${Buffer.from(answer).toString('hex')}`);
    }
  } finally {
    euicc.closeChannel(ch);
  }
  euicc.reset();
}
