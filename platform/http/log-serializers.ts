import type { FastifyRequest } from 'fastify';
import { SECRET_FIELDS } from '../../common/log.js';

const SECRET_NAMES = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));
const CENSOR = '[redacted]';

/**
 * The URL of a request as it may be logged: the value of a path parameter or query parameter
 * named like a secret (`DELETE /v1/subscribers/transfer_token/:token`, `?token=`) is replaced.
 * pino's redaction censors fields by name, so it cannot see a secret inside a URL string.
 */
export function loggableUrl(request: Pick<FastifyRequest, 'url' | 'params'>): string {
  const url = request.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const secretValues = new Set<string>();
  const params = (request.params ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params)) {
    if (SECRET_NAMES.has(name.toLowerCase()) && typeof value === 'string' && value !== '') secretValues.add(value);
  }
  const safePath = secretValues.size === 0 ? path : path.split('/').map((segment) => (secretValues.has(decodeSegment(segment)) ? CENSOR : segment)).join('/');
  if (!query) return safePath;
  const search = new URLSearchParams(query);
  let changed = false;
  for (const name of [...new Set(search.keys())]) {
    if (!SECRET_NAMES.has(name.toLowerCase())) continue;
    search.set(name, CENSOR);
    changed = true;
  }
  return `${safePath}?${changed ? search.toString() : query}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * pino serializers for fastify's request log lines (`incoming request`): fastify's own fields,
 * with the URL made safe by `loggableUrl`. Headers and bodies are never logged.
 */
export const httpLogSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: loggableUrl(request),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }),
};
