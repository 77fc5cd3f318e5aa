import type { FastifyInstance } from 'fastify';
import { PlatformError, domainError } from '../../domain/errors.js';
import type { AppContext } from '../../app/context.js';
import { applyEsimNotification, exportOrderedEsimProfilesCsv, listDeletedProfilesNotTerminated, type EsimNotification } from '../../app/esim-orders.js';
import { toOrderedProfileResponse } from '../../domain/esim/esim-profile.js';
import { listOutbox } from '../../app/outbox.js';
import { setSubscriberTransferable } from '../../app/ready-transfers.js';
import {
  getSupportAssistedTransfer,
  listSupportAssistedTransfers,
  replyToSupportAssistedTransfer,
  requestSupportAssistedTransfer,
  reviewSupportAssistedTransfer,
} from '../../app/support-transfers.js';
import { toSubscriberJson } from '../../domain/subscriber.js';
import type { SupportTransferRequestBody } from '../../domain/transfer/support-transfer.js';
import { imsiParams } from '../schemas.js';
import { profileOrderParams } from './esim-order-routes.js';
import { scopeOf } from './subscriber-routes.js';

const cellgate = (operationId: string, auth?: 'root') => ({ spec: { operationId, tag: 'Cellgate', ...(auth ? { auth } : {}) } });

const transferParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * cellgate's own endpoints for transfers and eSIM (no public API exists for them; docs/api.md):
 * the notice outbox, the transferable flag, the support-assisted transfer desk, the ES9+-shaped
 * notification intake and the console's profile CSV.
 */
export function registerCellgateTransferEsimRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const operatorOf = (request: { principal: { operatorId: string } | null }): string => request.principal!.operatorId;

  fastify.get(
    '/_cellgate/outbox',
    {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } } },
      config: cellgate('listCellgateOutbox'),
    },
    async (request) => {
      const q = request.query as { kind?: string; limit?: number };
      return listOutbox(ctx, operatorOf(request), q);
    },
  );

  fastify.post(
    '/_cellgate/subscribers/:imsi/transferable',
    {
      schema: { params: imsiParams, body: { type: 'object', additionalProperties: false, required: ['transferable'], properties: { transferable: { type: 'boolean' } } } },
      config: cellgate('setCellgateSubscriberTransferable', 'root'),
    },
    async (request) => {
      const { imsi } = request.params as { imsi: string };
      const { transferable } = request.body as { transferable: boolean };
      const s = await setSubscriberTransferable(ctx, scopeOf(request), imsi, transferable);
      return { ...toSubscriberJson(s), transferable: s.transferable };
    },
  );

  fastify.post(
    '/_cellgate/support/transfers',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['simIds', 'destinationOperatorEmail', 'destinationOperatorId'],
          properties: {
            simIds: { type: 'array', items: { type: 'string' } },
            destinationOperatorEmail: { type: 'string' },
            destinationOperatorId: { type: 'string' },
            destinationGroupId: { type: ['string', 'null'] },
          },
        },
      },
      config: cellgate('requestCellgateSupportTransfer'),
    },
    async (request, reply) => {
      const t = await requestSupportAssistedTransfer(ctx, operatorOf(request), request.body as SupportTransferRequestBody);
      return reply.code(201).send(t);
    },
  );

  fastify.get('/_cellgate/support/transfers', { config: cellgate('listCellgateSupportTransfers') }, async (request) => listSupportAssistedTransfers(ctx, operatorOf(request)));

  fastify.get('/_cellgate/support/transfers/:id', { schema: { params: transferParams }, config: cellgate('getCellgateSupportTransfer') }, async (request) => {
    const { id } = request.params as { id: string };
    return getSupportAssistedTransfer(ctx, operatorOf(request), id);
  });

  fastify.post('/_cellgate/support/transfers/:id/review', { schema: { params: transferParams }, config: cellgate('reviewCellgateSupportTransfer') }, async (request) => {
    const { id } = request.params as { id: string };
    return reviewSupportAssistedTransfer(ctx, operatorOf(request), id);
  });

  fastify.post(
    '/_cellgate/support/transfers/:id/reply',
    {
      schema: { params: transferParams, body: { type: 'object', additionalProperties: false, required: ['accept'], properties: { accept: { type: 'boolean' } } } },
      config: cellgate('replyCellgateSupportTransfer'),
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { accept } = request.body as { accept: boolean };
      return replyToSupportAssistedTransfer(ctx, operatorOf(request), id, accept);
    },
  );

  fastify.post(
    '/_cellgate/es9plus/handleNotification',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['eid', 'seqNumber', 'event', 'iccid'],
          properties: {
            eid: { type: 'string', pattern: '^[0-9]{32}$' },
            seqNumber: { type: 'integer', minimum: 0 },
            event: { type: 'string', enum: ['install', 'enable', 'disable', 'delete'] },
            iccid: { type: 'string', pattern: '^[0-9]{19,20}$' },
            at: { type: 'integer', minimum: 0 },
          },
        },
      },
      config: cellgate('handleCellgateEsimNotification'),
    },
    async (request) => {
      const r = await applyEsimNotification(ctx, request.body as EsimNotification, { operatorId: operatorOf(request) });
      if (r.outcome === 'refused') throw new PlatformError({ ...domainError(r.error.code), message: r.error.message });
      return { iccid: r.profile.iccid, profileStatus: r.profile.profileStatus, duplicate: r.duplicate };
    },
  );

  fastify.get(
    '/_cellgate/sim_profile_orders/:profile_order_id/profiles.csv',
    { schema: { params: profileOrderParams }, config: cellgate('exportCellgateOrderedProfilesCsv') },
    async (request, reply) => {
      const { profile_order_id: id } = request.params as { profile_order_id: string };
      const csv = await exportOrderedEsimProfilesCsv(ctx, operatorOf(request), id);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="profiles-${id}.csv"`).send(csv);
    },
  );

  // The EID a profile is bound to, and its SM-DS event (docs/smdp.md#binding-a-profile-to-an-eid).
  const iccidParams = { type: 'object', required: ['iccid'], properties: { iccid: { type: 'string', pattern: '^[0-9]{19,20}$' } } } as const;
  const smdpOf = () => {
    if (!ctx.smdp) throw new PlatformError(domainError('CGW0003', '(no SM-DP+ runs on this platform)'));
    return ctx.smdp;
  };
  fastify.get('/_cellgate/esim/profiles/:iccid/eid', { schema: { params: iccidParams }, config: cellgate('getCellgateEsimProfileEid') }, async (request) => {
    const { iccid } = request.params as { iccid: string };
    return smdpOf().eidBinding(operatorOf(request), iccid);
  });
  fastify.put(
    '/_cellgate/esim/profiles/:iccid/eid',
    {
      schema: { params: iccidParams, body: { type: 'object', additionalProperties: false, required: ['eid'], properties: { eid: { type: 'string', pattern: '^[0-9]{32}$' } } } },
      config: cellgate('bindCellgateEsimProfileEid'),
    },
    async (request) => {
      const { iccid } = request.params as { iccid: string };
      return smdpOf().bindEid(operatorOf(request), iccid, (request.body as { eid: string }).eid);
    },
  );
  fastify.delete('/_cellgate/esim/profiles/:iccid/eid', { schema: { params: iccidParams }, config: cellgate('unbindCellgateEsimProfileEid') }, async (request) => {
    const { iccid } = request.params as { iccid: string };
    return smdpOf().bindEid(operatorOf(request), iccid, null);
  });

  fastify.get('/_cellgate/esim/deleted_profiles', { config: cellgate('listCellgateDeletedEsimProfiles') }, async (request) =>
    (await listDeletedProfilesNotTerminated(ctx, operatorOf(request))).map((profile) => ({
      ...toOrderedProfileResponse(profile),
      // The SIM is still there and still bills until it is terminated.
      deletedButNotTerminated: true,
    })),
  );
}
