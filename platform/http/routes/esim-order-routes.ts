import { setNextPage } from '../paging.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import {
  confirmEsimProfileOrder,
  createEsimProfileOrder,
  deleteEsimProfileOrder,
  getEsimProfileOrder,
  listEsimProfileOrders,
  listOrderedEsimProfiles,
} from '../../app/esim-orders.js';
import { toOrderedProfileResponse } from '../../domain/esim/esim-profile.js';
import { toProfileOrderResponse, type CreateProfileOrderRequest } from '../../domain/esim/profile-order.js';

const spec = (operationId: string) => ({ spec: { operationId, tag: 'SimProfileOrder' } });

export const profileOrderParams = {
  type: 'object',
  required: ['profile_order_id'],
  properties: { profile_order_id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/**
 * eSIM profile orders (SPEC §1.5): `/v1/sim_profile_orders`. Rule refusals carry `EPO` codes;
 * an unknown order (or another operator's) is `404 EPO0005`.
 */
export function registerEsimOrderRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const operatorOf = (request: { principal: { operatorId: string } | null }): string => request.principal!.operatorId;

  fastify.get(
    '/v1/sim_profile_orders',
    {
      schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, last_evaluated_key: { type: 'string' } } } },
      config: spec('listProfileOrders'),
    },
    async (request, reply) => {
      const q = request.query as { limit?: number; last_evaluated_key?: string };
      const page = await listEsimProfileOrders(ctx, operatorOf(request), { limit: q.limit, lastEvaluatedKey: q.last_evaluated_key });
      setNextPage(request, reply, page.nextKey);
      return page.items.map(toProfileOrderResponse);
    },
  );

  fastify.post(
    '/v1/sim_profile_orders',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['subscription', 'quantity'],
          properties: {
            subscription: { type: 'string' },
            quantity: { type: 'integer' },
            speedClass: { type: 'string' },
            description: { type: 'string' },
            // [choice] Bundles exist only for planX3 / plan-US, which cellgate does not order.
            bundles: { type: 'array', maxItems: 0 },
          },
        },
      },
      config: spec('createProfileOrder'),
    },
    async (request, reply) => {
      const { bundles: _bundles, ...body } = request.body as CreateProfileOrderRequest & { bundles?: unknown[] };
      const order = await createEsimProfileOrder(ctx, operatorOf(request), body);
      return reply.code(201).send(toProfileOrderResponse(order));
    },
  );

  fastify.get('/v1/sim_profile_orders/:profile_order_id', { schema: { params: profileOrderParams }, config: spec('getProfileOrder') }, async (request) => {
    const { profile_order_id: id } = request.params as { profile_order_id: string };
    return toProfileOrderResponse(await getEsimProfileOrder(ctx, operatorOf(request), id));
  });

  fastify.delete('/v1/sim_profile_orders/:profile_order_id', { schema: { params: profileOrderParams }, config: spec('deleteProfileOrder') }, async (request, reply) => {
    const { profile_order_id: id } = request.params as { profile_order_id: string };
    await deleteEsimProfileOrder(ctx, operatorOf(request), id);
    return reply.code(204).send();
  });

  fastify.post('/v1/sim_profile_orders/:profile_order_id/confirm', { schema: { params: profileOrderParams }, config: spec('confirmProfileOrder') }, async (request) => {
    const { profile_order_id: id } = request.params as { profile_order_id: string };
    return toProfileOrderResponse(await confirmEsimProfileOrder(ctx, operatorOf(request), id));
  });

  fastify.get('/v1/sim_profile_orders/:profile_order_id/profiles', { schema: { params: profileOrderParams }, config: spec('listOrderedProfiles') }, async (request) => {
    const { profile_order_id: id } = request.params as { profile_order_id: string };
    return (await listOrderedEsimProfiles(ctx, operatorOf(request), id)).map(toOrderedProfileResponse);
  });
}
