import type { FastifyInstance } from 'fastify';
import { authenticate, logout, type AuthRequest } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';
import { PlatformError, domainError } from '../../domain/errors.js';
import type { LoginThrottle } from '../../domain/login-throttle.js';

const authBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    email: { type: 'string' },
    password: { type: 'string' },
    authKeyId: { type: 'string' },
    authKey: { type: 'string' },
    operatorId: { type: 'string' },
    userName: { type: 'string' },
    mfaOTPCode: { type: 'string' },
    tokenTimeoutSeconds: { type: 'integer' },
  },
} as const;

/** Which account a login is for: a root email, an auth key, or a SAM user. */
function accountOf(body: AuthRequest): string {
  if (body.authKeyId !== undefined || body.authKey !== undefined) return `authKey:${body.authKeyId ?? ''}`;
  if (body.userName !== undefined || body.operatorId !== undefined) return `sam:${body.operatorId ?? ''}/${body.userName ?? ''}`;
  return `email:${(body.email ?? '').toLowerCase()}`;
}

/**
 * `POST /v1/auth` (public) and `POST /v1/auth/logout`. Failed logins back off per account and
 * per source address (`LoginThrottle`): a refused attempt answers `429 AUM0009` with
 * `Retry-After`, without checking the password.
 */
export function registerAuthRoutes(fastify: FastifyInstance, ctx: AppContext, throttle: LoginThrottle): void {
  fastify.post('/v1/auth', { schema: { body: authBody }, config: { spec: { operationId: 'auth', tag: 'Auth', auth: 'public' } } }, async (request, reply) => {
    const body = (request.body ?? {}) as AuthRequest;
    const attempt = { account: accountOf(body), source: request.ip };
    const verdict = throttle.check(attempt, ctx.ioClock.now());
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000);
      request.log.warn({ account: attempt.account, source: attempt.source, retryAfterMs: verdict.retryAfterMs }, 'login refused: too many failed logins');
      reply.header('retry-after', String(seconds));
      throw new PlatformError(domainError('AUM0009', `Retry in ${seconds} s.`));
    }
    try {
      const answer = await authenticate(ctx, body);
      throttle.succeeded(attempt);
      return answer;
    } catch (error) {
      if (error instanceof PlatformError && error.error.code === 'AUM0004') throttle.failed(attempt, ctx.ioClock.now());
      throw error;
    }
  });
  fastify.post('/v1/auth/logout', { config: { spec: { operationId: 'logout', tag: 'Auth' } } }, async (request, reply) => {
    await logout(ctx, request.principal!.apiKey);
    return reply.code(204).send();
  });
}
