import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { listStatusHistory } from '../../app/status-history.js';
import { imsiParams } from '../schemas.js';
import { scopeOf } from './subscriber-routes.js';

/** `GET /_cellgate/subscribers/{imsi}/status_history` (no reference operation lists it). */
export function registerStatusHistoryRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get(
    '/_cellgate/subscribers/:imsi/status_history',
    {
      schema: { params: imsiParams, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } } },
      config: { spec: { operationId: 'listCellgateSubscriberStatusHistory', tag: 'Subscriber' } },
    },
    async (request) => {
      const { imsi } = request.params as { imsi: string };
      const { limit } = request.query as { limit?: number };
      return listStatusHistory(ctx, scopeOf(request), imsi, limit);
    },
  );
}
