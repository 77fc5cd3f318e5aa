import type { SimCard } from './sim-card.js';

/**
 * A plain UICC: an ICCID and an IMSI, no ISD-R. Selecting any application on a logical channel
 * fails with `6A82` (file or application not found, ETSI TS 102 221 §10.2.1.5), the way a
 * non-eUICC card answers an LPA probing for SGP.22.
 */
export class PlainSim implements SimCard {
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly iccid: string,
    readonly imsi: string,
  ) {
    if (!/^\d{18,20}F?$/i.test(iccid)) throw new Error(`invalid ICCID '${iccid}'`);
    if (!/^\d{6,15}$/.test(imsi)) throw new Error(`invalid IMSI '${imsi}'`);
  }

  openChannel(_aid: string): { channel: number } | { sw: number } {
    return { sw: 0x6a82 };
  }

  transmit(_channel: number, _apdu: Uint8Array): Uint8Array {
    // 6881: logical channel not supported — no channel was ever opened on this card.
    return Uint8Array.of(0x68, 0x81);
  }

  closeChannel(_channel: number): boolean {
    return false;
  }

  onRefresh(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
