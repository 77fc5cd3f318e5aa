import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PlatformError, domainError, type DomainError, type ErrorKind } from '../domain/errors.js';

/** HTTP status of each error kind (PLATFORM-API.md "Errors"). */
export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 400,
  'too-large': 413,
  throttled: 429,
  internal: 500,
  timeout: 504,
  unavailable: 503,
};

/**
 * `{code, message}` (reference `APICallErrorMessage`); a card refusal adds the card processor's
 * code as `errorCode` (`card_declined`, …), the field name `getPaymentMethod` uses for it.
 */
export function sendError(reply: FastifyReply, error: DomainError, status = STATUS_OF[error.kind]): FastifyReply {
  return reply.code(status).send({ code: error.code, message: error.message, ...(error.cardErrorCode ? { errorCode: error.cardErrorCode } : {}) });
}

/** Maps every failure to `{code, message}` with a registry code; internals are never leaked. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof PlatformError) return sendError(reply, error.error);
  const fe = error as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe.validation) {
    const first = fe.validation[0];
    const where = fe.validationContext ?? 'body';
    if (where === 'params' && first?.instancePath === '/imsi') return sendError(reply, domainError('COM0004'));
    if (where === 'params' && first?.instancePath === '/operator_id') return sendError(reply, domainError('COM0005'));
    const extra = first?.params && 'additionalProperty' in first.params ? ` '${String(first.params.additionalProperty)}'` : '';
    const path = first?.instancePath ? ` ${first.instancePath}` : '';
    return sendError(reply, domainError('COM0001', `${where}${path}: ${first?.message ?? 'invalid'}${extra}.`));
  }
  if (fe.code === 'COM0002' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return sendError(reply, domainError('COM0002'));
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, domainError('COM0008', `At most ${request.routeOptions.bodyLimit ?? 0} bytes.`));
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendError(reply, domainError('COM0001', fe.message), fe.statusCode);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, domainError('COM0006'));
}
