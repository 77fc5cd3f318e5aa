import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { imsiOfSim, listSimStatusHistory, listSims, registerSim } from '../../app/sims.js';
import {
  changeSpeedClass,
  changeStatus,
  deleteSubscriberSession,
  deleteSubscriberTag,
  getSubscriber,
  listSessionEvents,
  putSubscriberTags,
  setExpiryTime,
  setSubscriberGroup,
  setSubscriberImeiLock,
  setTermination,
  unsetExpiryTime,
  unsetSubscriberImeiLock,
} from '../../app/subscribers.js';
import { toSimJson, toSimStatusHistoryJson } from '../../domain/sim-view.js';
import { OPERATOR_ACTIONS, type OperatorAction } from '../../domain/status-rules.js';
import type { ExpiryAction, Subscriber } from '../../domain/subscriber.js';
import { setNextPage } from '../paging.js';
import { SPEED_CLASS_ENUM } from '../schemas.js';
import { EXPIRY_ACTION_SCHEMA, REGISTER_BODY, TAG_UPDATES, expiryActionOf, scopeOf, toSessionEventJson } from './subscriber-routes.js';

const spec = (operationId: string) => ({ spec: { operationId, tag: 'Sim' } });
/** [choice] SIM IDs are ICCIDs here (19–20 digits); anything up to 32 word characters is looked up. */
const SIM_ID = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z_-]+$' };
const simParams = { type: 'object', required: ['sim_id'], properties: { sim_id: SIM_ID } } as const;
const PAGE = { limit: { type: 'integer', minimum: 1, maximum: 100 }, last_evaluated_key: { type: 'string', maxLength: 64 } };

const ACTION_OPERATION: Record<OperatorAction, string> = {
  activate: 'activateSim',
  deactivate: 'deactivateSim',
  set_to_standby: 'setSimToStandby',
  suspend: 'suspendSim',
  terminate: 'terminateSim',
};

/**
 * The Sim API (reference tag `Sim`, `/v1/sims`): the SIM-ID view of the same records the
 * Subscriber API serves by IMSI (docs/api.md "Sim API"). Operations whose subject cellgate does
 * not have (Arc, Harvest, packet capture, subscription containers, downlink other than ping,
 * testing usage, local info) are not served.
 */
export function registerSimRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const simOf = async (request: FastifyRequest): Promise<{ scope: ReturnType<typeof scopeOf>; imsi: string }> => {
    const scope = scopeOf(request);
    return { scope, imsi: await imsiOfSim(ctx, scope, (request.params as { sim_id: string }).sim_id) };
  };
  const answer = (s: Subscriber) => toSimJson(s);

  fastify.get('/v1/sims', { schema: { querystring: { type: 'object', properties: PAGE } }, config: spec('listSims') }, async (request, reply) => {
    const q = request.query as { limit?: number; last_evaluated_key?: string };
    const page = await listSims(ctx, scopeOf(request), { limit: q.limit, lastEvaluatedKey: q.last_evaluated_key });
    setNextPage(request, reply, page.nextKey);
    return page.items.map(toSimJson);
  });

  fastify.get('/v1/sims/:sim_id', { schema: { params: simParams }, config: spec('getSim') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await getSubscriber(ctx, scope, imsi));
  });

  fastify.post(
    '/v1/sims/:sim_id/register',
    {
      schema: {
        params: simParams,
        body: REGISTER_BODY,
      },
      config: spec('registerSim'),
    },
    async (request, reply) => {
      const body = request.body as { registrationSecret: string; groupId?: string; tags?: Record<string, string> };
      const s = await registerSim(ctx, scopeOf(request), (request.params as { sim_id: string }).sim_id, body);
      return reply.code(201).send(answer(s));
    },
  );

  for (const action of OPERATOR_ACTIONS) {
    fastify.post(`/v1/sims/:sim_id/${action}`, { schema: { params: simParams }, config: spec(ACTION_OPERATION[action]) }, async (request) => {
      const { scope, imsi } = await simOf(request);
      return answer(await changeStatus(ctx, scope, imsi, action));
    });
  }

  for (const [path, operationId, enabled] of [
    ['enable_termination', 'enableSimTermination', true],
    ['disable_termination', 'disableSimTermination', false],
  ] as const) {
    fastify.post(`/v1/sims/:sim_id/${path}`, { schema: { params: simParams }, config: spec(operationId) }, async (request) => {
      const { scope, imsi } = await simOf(request);
      return answer(await setTermination(ctx, scope, imsi, enabled));
    });
  }

  fastify.post(
    '/v1/sims/:sim_id/set_expiry_time',
    {
      schema: {
        params: simParams,
        body: { type: 'object', required: ['expiryTime'], additionalProperties: false, properties: { expiryTime: { type: 'integer', minimum: 0 }, expiryAction: EXPIRY_ACTION_SCHEMA } },
      },
      config: spec('setSimExpiryTime'),
    },
    async (request) => {
      const { scope, imsi } = await simOf(request);
      const body = request.body as { expiryTime: number; expiryAction?: ExpiryAction | null };
      return answer(await setExpiryTime(ctx, scope, imsi, body.expiryTime, expiryActionOf(body.expiryAction)));
    },
  );

  fastify.post('/v1/sims/:sim_id/unset_expiry_time', { schema: { params: simParams }, config: spec('unsetSimExpiryTime') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await unsetExpiryTime(ctx, scope, imsi));
  });

  fastify.post(
    '/v1/sims/:sim_id/update_speed_class',
    { schema: { params: simParams, body: { type: 'object', required: ['speedClass'], additionalProperties: false, properties: { speedClass: { type: 'string', enum: SPEED_CLASS_ENUM } } } }, config: spec('updateSimSpeedClass') },
    async (request) => {
      const { scope, imsi } = await simOf(request);
      return answer(await changeSpeedClass(ctx, scope, imsi, (request.body as { speedClass: string }).speedClass));
    },
  );

  fastify.put('/v1/sims/:sim_id/tags', { schema: { params: simParams, body: TAG_UPDATES }, config: spec('putSimTags') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await putSubscriberTags(ctx, scope, imsi, request.body as { tagName: string; tagValue: string }[]));
  });

  fastify.delete(
    '/v1/sims/:sim_id/tags/:tag_name',
    { schema: { params: { type: 'object', required: ['sim_id', 'tag_name'], properties: { sim_id: SIM_ID, tag_name: { type: 'string', minLength: 1 } } } }, config: spec('deleteSimTag') },
    async (request, reply) => {
      const { scope, imsi } = await simOf(request);
      await deleteSubscriberTag(ctx, scope, imsi, decodeURIComponent((request.params as { tag_name: string }).tag_name));
      return reply.code(204).send();
    },
  );

  fastify.post(
    '/v1/sims/:sim_id/set_group',
    { schema: { params: simParams, body: { type: 'object', required: ['groupId'], additionalProperties: false, properties: { groupId: { type: 'string', minLength: 1 } } } }, config: spec('setSimGroup') },
    async (request) => {
      const { scope, imsi } = await simOf(request);
      return answer(await setSubscriberGroup(ctx, scope, imsi, (request.body as { groupId: string }).groupId));
    },
  );

  fastify.post('/v1/sims/:sim_id/unset_group', { schema: { params: simParams }, config: spec('unsetSimGroup') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await setSubscriberGroup(ctx, scope, imsi, null));
  });

  fastify.post(
    '/v1/sims/:sim_id/set_imei_lock',
    { schema: { params: simParams, body: { type: 'object', additionalProperties: false, properties: { imei: { type: 'string', maxLength: 64 } } } }, config: spec('setSimImeiLock') },
    async (request) => {
      const { scope, imsi } = await simOf(request);
      return answer(await setSubscriberImeiLock(ctx, scope, imsi, (request.body as { imei?: string } | undefined)?.imei));
    },
  );

  fastify.post('/v1/sims/:sim_id/unset_imei_lock', { schema: { params: simParams }, config: spec('unsetSimImeiLock') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await unsetSubscriberImeiLock(ctx, scope, imsi));
  });

  fastify.post('/v1/sims/:sim_id/delete_session', { schema: { params: simParams }, config: spec('deleteSimSession') }, async (request) => {
    const { scope, imsi } = await simOf(request);
    return answer(await deleteSubscriberSession(ctx, scope, imsi));
  });

  fastify.get(
    '/v1/sims/:sim_id/events/sessions',
    {
      schema: {
        params: simParams,
        querystring: { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' }, limit: { type: 'integer', minimum: 1 }, last_evaluated_key: { type: 'string', pattern: '^[0-9]+$' } } },
      },
      config: spec('listSimSessionEvents'),
    },
    async (request, reply) => {
      const { scope, imsi } = await simOf(request);
      const q = request.query as { from?: number; to?: number; limit?: number; last_evaluated_key?: string };
      const page = await listSessionEvents(ctx, scope, imsi, { ...q, lastEvaluatedKey: q.last_evaluated_key });
      setNextPage(request, reply, page.nextKey);
      return page.items.map(toSessionEventJson);
    },
  );

  fastify.get(
    '/v1/sims/:sim_id/statuses/history',
    {
      schema: {
        params: simParams,
        querystring: {
          type: 'object',
          properties: { from: { type: 'integer' }, to: { type: 'integer' }, sort: { type: 'string', enum: ['desc', 'asc'] }, ...PAGE, last_evaluated_key: { type: 'string', pattern: '^[0-9]+$' } },
        },
      },
      config: spec('listSimStatusHistory'),
    },
    async (request, reply) => {
      const { scope, imsi } = await simOf(request);
      const q = request.query as { from?: number; to?: number; sort?: 'asc' | 'desc'; limit?: number; last_evaluated_key?: string };
      const page = await listSimStatusHistory(ctx, scope, imsi, { ...q, lastEvaluatedKey: q.last_evaluated_key });
      setNextPage(request, reply, page.nextKey);
      const simId = (request.params as { sim_id: string }).sim_id;
      return page.items.map((c) => toSimStatusHistoryJson(simId, c));
    },
  );
}
