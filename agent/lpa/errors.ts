/**
 * The LPA's error registry. Every error the ES10 client or its transports reject with is an
 * `LpaError` with one of these codes (documented in docs/esim-lpa.md).
 */
export const LPA_ERROR_CODES = {
  LPA_TRANSPORT: 'the AT command carrying an APDU failed (ERROR, CME error, timeout, port closed)',
  LPA_BAD_AT_RESPONSE: 'the modem answered an APDU command with a line that could not be read',
  LPA_NO_CHANNEL_SUPPORT: 'the modem answers neither AT+CCHO nor AT+CSIM',
  LPA_ISDR_NOT_FOUND: 'the ISD-R could not be selected: no eUICC in the slot (6A82)',
  LPA_NO_FREE_CHANNEL: 'the card has no logical channel left (6A81)',
  LPA_STATUS_WORD: 'the eUICC refused an APDU with a status word other than 9000 / 61xx',
  LPA_BAD_RESPONSE: 'the ES10 response is not the BER-TLV structure SGP.22 defines',
  LPA_BAD_REQUEST: 'the caller passed an invalid argument (ICCID, AID, nickname, segment size)',
} as const;

export type LpaErrorCode = keyof typeof LPA_ERROR_CODES;

/** Base error of agent/lpa. `sw` is set for `LPA_STATUS_WORD` (and channel refusals). */
export class LpaError extends Error {
  override readonly name = 'LpaError';
  constructor(
    readonly code: LpaErrorCode,
    message: string,
    readonly details: { sw?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get sw(): number | undefined {
    return this.details.sw;
  }
}

export const swHex = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');
