/** Error codes of short messages (`SMS`), spread into the registry of errors.ts; docs/api.md lists them. */
export const SMS_ERROR_CODES = {
  SMS0001: { kind: 'invalid', message: 'The payload must be 1 to 160 GSM 7-bit characters (encodingType 1) or 1 to 70 UCS2 characters (encodingType 2).' },
  SMS0002: { kind: 'invalid', message: 'The payload has characters the GSM 7-bit alphabet lacks: send it with encodingType 2 (UCS2).' },
  SMS0003: { kind: 'invalid', message: 'The specified subscriber does not support SMS in its current status.' },
} as const;
