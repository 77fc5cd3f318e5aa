/**
 * ES9+ client (SGP.22 §6.5): JSON over HTTPS to `https://<smdp address>/gsma/rsp2/es9plus/<fn>`
 * with `X-Admin-Protocol`, base64 ASN.1 payloads, and the SM-DP+'s verdict in
 * `header.functionExecutionStatus`. Transport failures (refused, reset, timeout, 5xx) are retried
 * with exponential backoff on the injected clock; a `Failed` status never is — it is the server's
 * answer. TLS is verified against the configured CA bundle (the platform's exported CI, say).
 */
import { Agent, request as httpsRequest } from 'node:https';
import pRetry, { AbortError } from 'p-retry';
import type { Clock } from '../../common/clock.js';
import { ADMIN_PROTOCOL, ES11_PATHS, ES9_HEADERS, ES9_PATHS, es9StatusName, type Es11Function, type Es9Function, type Es9Header, type Es9StatusCode } from '../../common/rsp/es9.js';

export interface Es9ClientOptions {
  /** PEM CA certificates to trust for the SM-DP+'s TLS certificate; omitted: the system store. */
  ca?: string | string[];
  /** One request's timeout (default 30 s). */
  timeoutMs?: number;
  /** Attempts per function on transport failures (default 4). */
  attempts?: number;
  /** First retry delay; doubles each time (default 1 s). */
  retryDelayMs?: number;
  clock: Clock;
}

/** The SM-DP+ answered `Failed` (statusCodeData says why), or could not be reached. */
export class Es9Error extends Error {
  override readonly name = 'Es9Error';
  constructor(
    /** `failed`: the server's answer; `transport`: no usable answer after the retries. */
    readonly kind: 'failed' | 'transport',
    message: string,
    readonly status?: Es9StatusCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The name of the status code when it is one the platform's SM-DP+ uses (`matchingIdRefused`...). */
  get statusName(): string | undefined {
    return this.status ? es9StatusName(this.status) : undefined;
  }
}

class TransportFailure extends Error {}

export class Es9Client {
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  /**
   * One connection kept alive across the functions of a download (and its TLS session reused):
   * without it each of the four or five ES9+ calls pays a TLS handshake (ECDSA on both sides).
   */
  private readonly agent: Agent;

  constructor(private readonly options: Es9ClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = options.attempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, ...(options.ca ? { ca: options.ca } : {}) });
  }

  /** Closes the kept-alive connection (call when the download is over). */
  close(): void {
    this.agent.destroy();
  }

  /** Calls one ES9+ function; resolves with the response body (header removed) or rejects with `Es9Error`. */
  call(smdpAddress: string, fn: Es9Function, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.post(smdpAddress, ES9_PATHS[fn], `ES9+ ${fn}`, body);
  }

  /** Calls one ES11 function of an SM-DS (SGP.22 §6.5.2.6–§6.5.2.7), with the same envelope, retries and errors. */
  callEs11(smdsAddress: string, fn: Es11Function, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.post(smdsAddress, ES11_PATHS[fn], `ES11 ${fn}`, body);
  }

  private async post(address: string, path: string, what: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = new URL(`https://${address}${path}`);
    try {
      return await pRetry(() => this.once(url, body), {
        retries: this.attempts - 1,
        // p-retry's own waits use global timers; ours go through the injected clock.
        minTimeout: 0,
        maxTimeout: 0,
        onFailedAttempt: async ({ attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) await this.options.clock.sleep(this.retryDelayMs * 2 ** (attemptNumber - 1));
        },
      });
    } catch (e) {
      if (e instanceof Es9Error) throw e;
      throw new Es9Error('transport', `${what} at ${address}: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  private once(url: URL, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          headers: { ...ES9_HEADERS, 'x-admin-protocol': ADMIN_PROTOCOL, 'content-length': payload.length },
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new TransportFailure(e.message)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 500) return reject(new TransportFailure(`HTTP ${status}`));
            if (status === 204) return resolve({});
            if (status < 200 || status >= 300) return reject(new AbortError(new Es9Error('failed', `HTTP ${status}`)));
            const text = Buffer.concat(chunks).toString('utf8');
            if (text.trim() === '') return resolve({});
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              return reject(new AbortError(new Es9Error('failed', 'the SM-DP+ answered something that is not JSON')));
            }
            if (typeof json !== 'object' || json === null) return reject(new AbortError(new Es9Error('failed', 'the SM-DP+ answered a JSON value that is not an object')));
            const { header, ...rest } = json as { header?: Es9Header } & Record<string, unknown>;
            const execution = header?.functionExecutionStatus;
            if (execution && execution.status !== 'Executed-Success' && execution.status !== 'Executed-WithWarning') {
              const code = execution.statusCodeData;
              return reject(new AbortError(new Es9Error('failed', `${execution.status}: ${code ? `${code.subjectCode} / ${code.reasonCode} ${code.message ?? ''}`.trim() : 'no status code'}`, code)));
            }
            resolve(rest);
          });
        },
      );
      req.on('timeout', () => req.destroy(new TransportFailure(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof TransportFailure ? e : new TransportFailure(e.message)));
      req.end(payload);
    });
  }
}
