import type { FastifyInstance } from 'fastify';
import { authenticate, logout } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';

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

/** `POST /v1/auth` (public) and `POST /v1/auth/logout`. */
export function registerAuthRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post('/v1/auth', { schema: { body: authBody }, config: { spec: { operationId: 'auth', tag: 'Auth', auth: 'public' } } }, async (request) => {
    return authenticate(ctx, (request.body ?? {}) as Parameters<typeof authenticate>[1]);
  });
  fastify.post('/v1/auth/logout', { config: { spec: { operationId: 'logout', tag: 'Auth' } } }, async (request, reply) => {
    await logout(ctx, request.principal!.apiKey);
    return reply.code(204).send();
  });
}
