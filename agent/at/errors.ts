import type { AtResponse, FinalResult } from './types.js';
import { describeFinal } from './final-result.js';

/** Base class of every error the AT channel rejects with; `command` is the (redacted) text. */
export abstract class AtError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly command: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No final result within the command's timeout. The channel resyncs before the next command. */
export class AtTimeoutError extends AtError {
  readonly code = 'AT_TIMEOUT';
  constructor(
    command: string | undefined,
    readonly timeoutMs: number,
    detail = 'no final result',
  ) {
    super(`${command ?? 'AT command'}: ${detail} within ${timeoutMs} ms`, command);
  }
}

/** `+CME ERROR: <err>` (3GPP TS 27.007 §9.2): `code` with `AT+CMEE=1`, `text` with `=2`. */
export class AtCmeError extends AtError {
  readonly code = 'AT_CME_ERROR';
  constructor(
    command: string,
    readonly cmeCode: number | undefined,
    readonly text: string | undefined,
    readonly response?: AtResponse,
  ) {
    super(`${command}: +CME ERROR: ${cmeCode ?? text ?? '(no detail)'}`, command);
  }
}

/** `+CMS ERROR: <err>` (3GPP TS 27.005 §3.2.5), the SMS counterpart of `AtCmeError`. */
export class AtCmsError extends AtError {
  readonly code = 'AT_CMS_ERROR';
  constructor(
    command: string,
    readonly cmsCode: number | undefined,
    readonly text: string | undefined,
    readonly response?: AtResponse,
  ) {
    super(`${command}: +CMS ERROR: ${cmsCode ?? text ?? '(no detail)'}`, command);
  }
}

/** Plain `ERROR` or another unsuccessful final (`NO CARRIER`, `BUSY`, `NO ANSWER`...). */
export class AtCommandError extends AtError {
  readonly code = 'AT_COMMAND_ERROR';
  constructor(
    command: string,
    readonly final: FinalResult,
    readonly response?: AtResponse,
  ) {
    super(`${command}: ${describeFinal(final)}`, command);
  }
}

/** The transport closed (or was closed) before the command finished. */
export class AtPortClosedError extends AtError {
  readonly code = 'AT_PORT_CLOSED';
  constructor(command: string | undefined, detail = 'port closed', options?: { cause?: unknown }) {
    super(command ? `${command}: ${detail}` : detail, command, options);
  }
}

/** The answer could not be read: a parser rejected it, or a line overflowed the framer. */
export class AtParseError extends AtError {
  readonly code = 'AT_PARSE_ERROR';
  constructor(
    message: string,
    command?: string,
    readonly response?: AtResponse,
    options?: { cause?: unknown },
  ) {
    super(command ? `${command}: ${message}` : message, command, options);
  }
}

/** Maps an unsuccessful final result to its error. */
export function errorForFinal(command: string, response: AtResponse): AtError {
  const final = response.final;
  if (final.kind === 'cme') return new AtCmeError(command, final.code, final.text, response);
  if (final.kind === 'cms') return new AtCmsError(command, final.code, final.text, response);
  return new AtCommandError(command, final, response);
}
