/**
 * ES10 over STORE DATA (SGP.22 §5.7.2, GlobalPlatform Card Specification §11.11): a request cut
 * into blocks (P1 `11` more blocks / `91` last, P2 the block number), the response collected
 * through `61xx` + GET RESPONSE (ISO 7816-4 §7.6.1).
 */
import type { ApduTransport } from './apdu-transport.js';
import { claForChannel, commandApdu, dataOf, statusWordOf } from './apdu.js';
import { LpaError, swHex } from './errors.js';

export const DEFAULT_SEGMENT_SIZE = 120;
export const MIN_SEGMENT_SIZE = 6;
export const MAX_SEGMENT_SIZE = 255;
/** A response needing more GET RESPONSE rounds than this is a card stuck in a loop. */
const MAX_GET_RESPONSE_ROUNDS = 1024;

export function checkSegmentSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_SEGMENT_SIZE || size > MAX_SEGMENT_SIZE) {
    throw new LpaError('LPA_BAD_REQUEST', `segment size must be an integer in ${MIN_SEGMENT_SIZE}..${MAX_SEGMENT_SIZE}, got ${size}`);
  }
  return size;
}

/** Sends one ES10 request on channel `ch` and resolves with the response data (SW stripped). */
export async function exchangeEs10(transport: ApduTransport, ch: number, request: Uint8Array, segmentSize = DEFAULT_SEGMENT_SIZE): Promise<Uint8Array> {
  checkSegmentSize(segmentSize);
  if (request.length === 0) throw new LpaError('LPA_BAD_REQUEST', 'empty ES10 request');
  const cla = claForChannel(0x80, ch);
  const blocks = Math.ceil(request.length / segmentSize);
  if (blocks > 256) throw new LpaError('LPA_BAD_REQUEST', `request of ${request.length} bytes needs more than 256 blocks`);
  let response: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1;
    const block = request.subarray(i * segmentSize, (i + 1) * segmentSize);
    response = await transport.transmit(ch, commandApdu(cla, 0xe2, last ? 0x91 : 0x11, i, block, last ? 0x00 : undefined));
    const sw = statusWordOf(response);
    if (!last && sw !== 0x9000) throw new LpaError('LPA_STATUS_WORD', `STORE DATA block ${i}: ${swHex(sw)}`, { sw });
  }
  const parts: Uint8Array[] = [];
  for (let round = 0; ; round++) {
    const sw = statusWordOf(response);
    parts.push(dataOf(response));
    if (sw === 0x9000) break;
    if (sw >> 8 !== 0x61) throw new LpaError('LPA_STATUS_WORD', `STORE DATA: ${swHex(sw)}`, { sw });
    if (round >= MAX_GET_RESPONSE_ROUNDS) throw new LpaError('LPA_STATUS_WORD', 'GET RESPONSE never ends', { sw });
    response = await transport.transmit(ch, commandApdu(cla, 0xc0, 0x00, 0x00, undefined, sw & 0xff));
  }
  return Uint8Array.from(Buffer.concat(parts));
}
