import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { deleteTransferToken, issueTransferToken, verifyTransferToken } from '../../app/ready-transfers.js';

const spec = (operationId: string) => ({ spec: { operationId, tag: 'Subscriber' } });

/**
 * Ready transfer (SPEC §1.3): the reference's three transfer-token operations. Rule refusals
 * carry `TRN` codes (docs/api.md); a token that is unknown, foreign or no longer pending is 404.
 */
export function registerTransferRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post(
    '/v1/subscribers/transfer_token/issue',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['transferDestinationOperatorEmail', 'transferDestinationOperatorId', 'transferImsi'],
          properties: {
            transferDestinationOperatorEmail: { type: 'string' },
            transferDestinationOperatorId: { type: 'string' },
            transferImsi: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      config: spec('issueSubscriberTransferToken'),
    },
    async (request) => {
      const body = request.body as { transferDestinationOperatorEmail: string; transferDestinationOperatorId: string; transferImsi: string[] };
      return issueTransferToken(ctx, request.principal!.operatorId, body);
    },
  );

  fastify.post(
    '/v1/subscribers/transfer_token/verify',
    {
      schema: { body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1 } } } },
      config: spec('verifySubscriberTransferToken'),
    },
    async (request) => {
      const { token } = request.body as { token: string };
      return verifyTransferToken(ctx, request.principal!.operatorId, request.coverageType, token);
    },
  );

  fastify.delete(
    '/v1/subscribers/transfer_token/:token',
    {
      schema: { params: { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1 } } } },
      config: spec('deleteSubscriberTransferToken'),
    },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      await deleteTransferToken(ctx, request.principal!.operatorId, token);
      return reply.code(204).send();
    },
  );
}
