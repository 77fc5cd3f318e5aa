import type { FastifyInstance } from 'fastify';
import { createOperator, deleteOperator } from '../../app/accounts.js';
import { issueToken } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';
import { createSandboxSubscriber, insertSandboxUsage } from '../../app/subscribers.js';
import { imsiParams, operatorParams, SUBSCRIPTION_ENUM } from '../schemas.js';
import { scopeOf } from './subscriber-routes.js';
import { assertOwnOperator } from '../guards.js';

const sandbox = (operationId: string, auth?: 'public') => ({ spec: { operationId, tag: 'Sandbox', ...(auth ? { auth } : {}) } });

const stats = {
  type: 'object',
  additionalProperties: false,
  properties: {
    uploadByteSizeTotal: { type: 'integer', minimum: 0 },
    downloadByteSizeTotal: { type: 'integer', minimum: 0 },
    uploadPacketSizeTotal: { type: 'integer', minimum: 0 },
    downloadPacketSizeTotal: { type: 'integer', minimum: 0 },
  },
} as const;

/**
 * The sandbox API (reference soracom-sandbox-api.en.yaml), served under `/v1/sandbox` like the
 * real sandbox host. `init` needs no credentials; cellgate has no production account to check, so
 * `authKeyId` / `authKey` are accepted and ignored [choice].
 */
export function registerSandboxRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post(
    '/v1/sandbox/init',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: {
            email: { type: 'string' },
            password: { type: 'string' },
            authKeyId: { type: 'string' },
            authKey: { type: 'string' },
            coverageTypes: { type: 'array', items: { type: 'string', enum: ['g', 'jp'] }, minItems: 1 },
            registerPaymentMethod: { type: 'boolean', default: true },
          },
        },
      },
      config: sandbox('sandboxInitializeOperator', 'public'),
    },
    async (request, reply) => {
      const body = request.body as { email: string; password: string; coverageTypes?: string[]; registerPaymentMethod?: boolean };
      const op = await createOperator(ctx, body);
      return reply.code(201).send(await issueToken(ctx, op.operatorId, null));
    },
  );

  fastify.post(
    '/v1/sandbox/subscribers/create',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { subscription: { type: 'string', enum: SUBSCRIPTION_ENUM }, bundles: { type: 'array', items: { type: 'string' } } },
        },
      },
      config: sandbox('sandboxCreateSubscriber'),
    },
    async (request) => {
      const body = (request.body ?? {}) as { subscription?: string };
      const s = await createSandboxSubscriber(ctx, request.principal!.operatorId, request.coverageType, body);
      return {
        apn: s.apn,
        createdAt: s.createdTime,
        imsi: s.imsi,
        // [choice] Beyond the reference's response: the SIM ID and ICCID printed on a real card,
        // so a sandbox SIM can be registered through the Sim API (`POST /sims/{sim_id}/register`).
        simId: s.simId,
        iccid: s.iccid,
        ipAddress: s.ipAddress,
        lastModifiedAt: s.lastModifiedTime,
        msisdn: s.msisdn,
        operatorId: s.operatorId,
        registrationSecret: s.registrationSecret,
        serialNumber: s.serialNumber,
        speedClass: s.speedClass,
        status: s.status,
        subscription: s.subscription,
        tags: s.tags,
      };
    },
  );

  fastify.post(
    '/v1/sandbox/stats/air/subscribers/:imsi',
    {
      schema: {
        params: imsiParams,
        body: {
          type: 'object',
          required: ['unixtime', 'dataTrafficStatsMap'],
          additionalProperties: false,
          properties: { unixtime: { type: 'integer', minimum: 0 }, dataTrafficStatsMap: { type: 'object', additionalProperties: stats } },
        },
      },
      config: sandbox('sandboxInsertAirStats'),
    },
    async (request) => {
      await insertSandboxUsage(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, request.body as Parameters<typeof insertSandboxUsage>[3]);
      return {};
    },
  );

  fastify.delete('/v1/sandbox/operators/:operator_id', { schema: { params: operatorParams }, config: sandbox('sandboxDeleteOperator') }, async (request) => {
    const { operator_id } = request.params as { operator_id: string };
    assertOwnOperator(request.principal!.operatorId, operator_id);
    await deleteOperator(ctx, operator_id);
    return {};
  });
}
