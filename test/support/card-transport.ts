import type { ApduTransport } from '../../agent/lpa/apdu-transport.js';
import { LpaError } from '../../agent/lpa/errors.js';
import type { Euicc } from '../../simulator/euicc/euicc.js';

/** A simulated eUICC wired straight to the LPA (no modem, no AT): protocol-level tests. */
export class CardTransport implements ApduTransport {
  constructor(readonly card: Euicc) {}
  async open(aid: string): Promise<number> {
    const r = this.card.openChannel(aid);
    if ('sw' in r) throw new LpaError('LPA_ISDR_NOT_FOUND', 'open failed', { sw: r.sw });
    return r.channel;
  }
  async transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array> {
    return this.card.transmit(ch, apdu);
  }
  async close(ch: number): Promise<void> {
    this.card.closeChannel(ch);
  }
}
