import type { SimCard } from './sim-card.js';

/**
 * Relays the modem's logical-channel commands to the card. `AT+CCHO` / `AT+CGLA` / `AT+CCHC`
 * map one to one; `AT+CSIM` carries raw APDUs, so MANAGE CHANNEL (ETSI TS 102 221 §11.1.17) and
 * SELECT by AID (§11.1.1) sent through it are turned into `openChannel` on the card here.
 */
export class ChannelRelay {
  /** Channels opened through AT+CSIM MANAGE CHANNEL → the card's channel once an AID is selected. */
  private readonly csimChannels = new Map<number, number | undefined>();

  constructor(private readonly card: () => SimCard | undefined) {}

  /** Forgets every channel (SIM removed, module reset). */
  reset(): void {
    this.csimChannels.clear();
  }

  /** Channel number encoded in a CLA byte (§10.1.1: first and further interindustry classes). */
  static channelOf(cla: number): number {
    return (cla & 0x40) !== 0 ? 4 + (cla & 0x0f) : cla & 0x03;
  }

  csim(apdu: Uint8Array): Uint8Array {
    const card = this.card();
    if (!card) return sw(0x6f00);
    if (apdu.length < 4) return sw(0x6700);
    const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
    if (ins === 0x70) return this.manageChannel(card, p1, p2);
    const logical = ChannelRelay.channelOf(cla);
    if (logical === 0) {
      try {
        return card.transmit(0, apdu);
      } catch {
        return sw(0x6d00);
      }
    }
    if (!this.csimChannels.has(logical)) {
      try {
        return card.transmit(logical, apdu);
      } catch {
        return sw(0x6881);
      }
    }
    const mapped = this.csimChannels.get(logical);
    if (ins === 0xa4 && p1 === 0x04) {
      const lc = apdu[4] ?? 0;
      const aid = Buffer.from(apdu.subarray(5, 5 + lc)).toString('hex').toUpperCase();
      if (mapped !== undefined) card.closeChannel(mapped);
      const opened = card.openChannel(aid);
      if ('sw' in opened) {
        this.csimChannels.set(logical, undefined);
        return sw(opened.sw);
      }
      this.csimChannels.set(logical, opened.channel);
      return sw(0x9000);
    }
    if (mapped === undefined) return sw(0x6985);
    try {
      return card.transmit(mapped, apdu);
    } catch {
      return sw(0x6f00);
    }
  }

  private manageChannel(card: SimCard, p1: number, p2: number): Uint8Array {
    if (p1 === 0x00) {
      for (let ch = 1; ch <= 19; ch++) {
        if (!this.csimChannels.has(ch)) {
          this.csimChannels.set(ch, undefined);
          return Uint8Array.of(ch, 0x90, 0x00);
        }
      }
      return sw(0x6a81);
    }
    if (p1 === 0x80) {
      if (!this.csimChannels.has(p2)) return card.closeChannel(p2) ? sw(0x9000) : sw(0x6881);
      const mapped = this.csimChannels.get(p2);
      this.csimChannels.delete(p2);
      if (mapped !== undefined) card.closeChannel(mapped);
      return sw(0x9000);
    }
    return sw(0x6a86);
  }
}

function sw(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}
