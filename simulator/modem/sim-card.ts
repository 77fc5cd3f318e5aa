/**
 * The card in the simulated modem's SIM slot, as the modem's AT interpreter sees it.
 *
 * A plain UICC and the eUICC (simulator/euicc) both implement it. The modem answers `AT+CCID`,
 * `AT+CIMI` and `AT+CPIN?` from it, and relays `AT+CCHO` / `AT+CGLA` / `AT+CCHC` / `AT+CSIM` to
 * its logical channels (ETSI TS 102 221 §11.1.17 MANAGE CHANNEL, §11.1.1 SELECT).
 */
export interface SimCard {
  /** ICCID of the active profile (19–20 digits), or undefined when no profile is enabled. */
  readonly iccid: string | undefined;
  /** IMSI of the active profile, or undefined when no profile is enabled. */
  readonly imsi: string | undefined;
  /**
   * Opens a logical channel and selects the application `aid` (hex) on it. Returns the channel
   * number (1..19), or a status word when it cannot (`6A82` application not found, `6A81` no
   * channel available).
   */
  openChannel(aid: string): { channel: number } | { sw: number };
  /** Sends one command APDU on an open channel and returns the response APDU (data + SW1 SW2). */
  transmit(channel: number, apdu: Uint8Array): Uint8Array;
  /** Closes a logical channel; false if it was not open. */
  closeChannel(channel: number): boolean;
  /**
   * Registers a listener for a profile switch (enable / disable on an eUICC): the modem then
   * refreshes the SIM the way its dialect does (`+QUSIM: 1`, a required radio cycle...).
   */
  onRefresh(listener: () => void): () => void;
  /**
   * Optional: a UICC reset / SIM power cycle (`AT+CFUN=0` → `1`, module reboot). Closes every
   * logical channel; an eUICC whose enable needed a power cycle shows its new profile after it.
   */
  reset?(): void;
}
