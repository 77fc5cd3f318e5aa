/**
 * One HTTP exchange over node's keep-alive global agent, the body read whole.
 *
 * [choice] Not `fetch`: the fleet's operator makes 40 000 calls to provision 10 000 gateways and
 * a barrier shard's network gate one per attach, session and usage report; undici's fetch
 * (Request/Response objects, web streams, a cloned body, an AbortSignal each) was ≈ 20 % of the
 * provisioning CPU and ≈ 20 % of a shard's (docs/benchmarks.md, P1 and P7).
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export function httpExchange(url: URL, method: string, headers: OutgoingHttpHeaders, payload: string | undefined): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
