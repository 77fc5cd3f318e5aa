/**
 * The platform's metadata service client (like SORACOM Air metadata): `GET /v1/subscriber`
 * answered for the SIM whose data session the request comes from. The platform recognises the
 * session by the request's source address, so the request is bound to the session's IP
 * (`localAddress`), as reported by the modem. On a real gateway that address belongs to the
 * modem's network interface and the route goes through the modem; in the local stack every
 * simulated session gets its own 127.x loopback address.
 */
import { request } from 'node:http';

export class MetadataError extends Error {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
    this.name = 'MetadataError';
  }
}

export interface MetadataRequest {
  /** Base URL of the metadata service, e.g. `http://127.0.0.1:8080` (locally) or `http://metadata.soracom.io`. */
  baseUrl: string;
  /** The data session's IP address: the request's source. */
  localAddress: string;
  /** Default `/v1/subscriber`. */
  path?: string;
  timeoutMs?: number;
}

/** Fetches the subscriber JSON the platform holds for this session. @throws MetadataError */
export function fetchMetadata(options: MetadataRequest): Promise<unknown> {
  const url = new URL(options.path ?? '/v1/subscriber', options.baseUrl);
  if (url.protocol !== 'http:') return Promise.reject(new MetadataError(`metadata URL must be http://, got ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', localAddress: options.localAddress, timeout: options.timeoutMs ?? 10_000, headers: { accept: 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) {
            reject(new MetadataError(`metadata service answered ${response.statusCode}: ${text.slice(0, 200)}`, response.statusCode));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new MetadataError('metadata service answered with something that is not JSON'));
          }
        });
        response.on('error', (error) => reject(new MetadataError(error.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => reject(new MetadataError(`metadata request from ${options.localAddress} failed: ${error.message}`)));
    req.end();
  });
}
