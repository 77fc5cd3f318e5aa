import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { downlinkPing, type DownlinkPingRequest } from '../../app/downlink-ping.js';
import { imsiOfSim } from '../../app/sims.js';
import { listSms, sendSms, sendSmsByMsisdn, type SendSmsRequest } from '../../app/sms.js';
import { imsiParams } from '../schemas.js';
import { scopeOf } from './subscriber-routes.js';

/** Reference `SmsForwardingRequest`. */
const SMS_BODY = {
  type: 'object',
  required: ['payload'],
  additionalProperties: false,
  properties: { encodingType: { type: 'integer', enum: [1, 2] }, payload: { type: 'string', maxLength: 1000 } },
} as const;
/** Reference `DownlinkPingRequest`. */
const PING_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { numberOfPingRequests: { type: 'integer', minimum: 1, maximum: 5 }, timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3 } },
} as const;
const SIM_PARAMS = { type: 'object', required: ['sim_id'], properties: { sim_id: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z_-]+$' } } } as const;

const spec = (operationId: string, tag = 'Subscriber') => ({ spec: { operationId, tag } });

/**
 * Short messages and downlink ping (docs/sms.md): `sendSms`, `sendSmsByMsisdn`, `sendSmsToSim`
 * (202 `{messageId}`), the messages sent to a SIM with their delivery state, and
 * `subscriberDownlinkPingToUserEquipment` / `sendDownlinkPing`.
 */
export function registerSmsRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const simImsi = (request: FastifyRequest) => imsiOfSim(ctx, scopeOf(request), (request.params as { sim_id: string }).sim_id);

  fastify.post('/v1/subscribers/:imsi/send_sms', { schema: { params: imsiParams, body: SMS_BODY }, config: spec('sendSms') }, async (request, reply) =>
    reply.code(202).send(await sendSms(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, request.body as SendSmsRequest)),
  );

  fastify.post(
    '/v1/subscribers/msisdn/:msisdn/send_sms',
    { schema: { params: { type: 'object', required: ['msisdn'], properties: { msisdn: { type: 'string', pattern: '^[0-9]{5,15}$' } } }, body: SMS_BODY }, config: spec('sendSmsByMsisdn') },
    async (request, reply) => reply.code(202).send(await sendSmsByMsisdn(ctx, scopeOf(request), (request.params as { msisdn: string }).msisdn, request.body as SendSmsRequest)),
  );

  fastify.post('/v1/sims/:sim_id/send_sms', { schema: { params: SIM_PARAMS, body: SMS_BODY }, config: spec('sendSmsToSim', 'Sim') }, async (request, reply) =>
    reply.code(202).send(await sendSms(ctx, scopeOf(request), await simImsi(request), request.body as SendSmsRequest)),
  );

  fastify.get('/_cellgate/subscribers/:imsi/sms', { schema: { params: imsiParams }, config: spec('listCellgateSubscriberSms') }, async (request) =>
    listSms(ctx, scopeOf(request), (request.params as { imsi: string }).imsi),
  );

  fastify.post('/v1/subscribers/:imsi/downlink/ping', { schema: { params: imsiParams, body: PING_BODY }, config: spec('subscriberDownlinkPingToUserEquipment') }, async (request) =>
    downlinkPing(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, request.body as DownlinkPingRequest),
  );

  fastify.post('/v1/sims/:sim_id/downlink/ping', { schema: { params: SIM_PARAMS, body: PING_BODY }, config: spec('sendDownlinkPing', 'Sim') }, async (request) =>
    downlinkPing(ctx, scopeOf(request), await simImsi(request), request.body as DownlinkPingRequest),
  );
}
