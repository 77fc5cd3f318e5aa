/**
 * The seam under the ES10 client: logical channels to applications on the UICC and raw APDUs on
 * them (ETSI TS 102 221 §11.1.17 MANAGE CHANNEL, §11.1.1 SELECT; 3GPP TS 27.007 §8.43..8.45).
 * Implemented over AT (`at-apdu-transport.ts`); tests wire it straight to a card.
 */
export interface ApduTransport {
  /**
   * Opens a logical channel and selects `aid` (hex) on it; resolves with the channel number.
   * Rejects with `LpaError` `LPA_ISDR_NOT_FOUND` / `LPA_NO_FREE_CHANNEL` / `LPA_TRANSPORT`.
   */
  open(aid: string): Promise<number>;
  /**
   * Sends one command APDU on channel `ch` (its CLA already carrying the channel) and resolves
   * with the response APDU: data followed by SW1 SW2.
   */
  transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array>;
  /** Closes channel `ch`. */
  close(ch: number): Promise<void>;
}
