import type { FastifyInstance } from 'fastify';
import { isAllowed, ROOT_ONLY_TAGS } from '../../domain/permissions.js';

/**
 * `GET /_cellgate/me?api=Tag:operationId…`: who the caller is and which of the named API calls
 * it may make, so a client (the console) offers only what will not be refused. Any authenticated
 * caller may ask (`auth: 'self'`): it learns only about its own permission. The answer is the
 * same check every call passes through (`isAllowed`, root-only tags), never a second rulebook.
 */
export function registerWhoamiRoutes(fastify: FastifyInstance): void {
  fastify.get(
    '/_cellgate/me',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { api: { type: 'array', maxItems: 200, items: { type: 'string', pattern: '^[A-Za-z]+:[A-Za-z0-9]+$' } } },
        },
      },
      config: { spec: { operationId: 'getCellgateCaller', tag: 'Cellgate', auth: 'self' } },
    },
    async (request) => {
      const principal = request.principal!;
      const apis = (request.query as { api?: string[] }).api ?? [];
      const root = principal.userName === null;
      const allowed: Record<string, boolean> = {};
      for (const api of apis) {
        allowed[api] = root ? true : !ROOT_ONLY_TAGS.includes(api.split(':')[0]!) && isAllowed(principal.permission, api);
      }
      return { operatorId: principal.operatorId, userName: principal.userName, root, allowed };
    },
  );
}
