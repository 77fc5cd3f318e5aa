import { frozenJson, sendJsonText } from '../frozen-json.js';
import { setNextPage } from '../paging.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import {
  changeStatus,
  deleteSubscriberSession,
  deleteSubscriberTag,
  getSubscriber,
  listSessionEvents,
  listSubscribers,
  putSubscriberTags,
  registerSubscriber,
  setExpiryTime,
  setSubscriberGroup,
  setSubscriberImeiLock,
  setTermination,
  unsetExpiryTime,
  unsetSubscriberImeiLock,
  changeSpeedClass,
  exportSubscribers,
  type Scope,
} from '../../app/subscribers.js';
import { answerExport } from './billing-routes.js';
import type { SessionEventRecord } from '../../domain/events.js';
import { ACTION_RULES, OPERATOR_ACTIONS } from '../../domain/status-rules.js';
import { EXPIRY_ACTIONS, toSubscriberJson, type ExpiryAction } from '../../domain/subscriber.js';
import { SPEED_CLASS_ENUM, imsiParams } from '../schemas.js';

const spec = (operationId: string) => ({ spec: { operationId, tag: 'Subscriber' } });

export function scopeOf(request: FastifyRequest): Scope {
  return { operatorId: request.principal!.operatorId, coverageType: request.coverageType };
}

const listQuery = {
  type: 'object',
  properties: {
    tag_name: { type: 'string' },
    tag_value: { type: 'string' },
    tag_value_match_mode: { type: 'string', enum: ['exact', 'prefix'] },
    status_filter: { type: 'string' },
    speed_class_filter: { type: 'string' },
    serial_number_filter: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
    last_evaluated_key: { type: 'string', pattern: '^[0-9]{15}$' },
  },
} as const;

export const tagSet = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** `registerSubscriber` / `registerSim` bodies (reference `RegisterSimRequest`). */
export const REGISTER_BODY = { type: 'object', required: ['registrationSecret'], additionalProperties: false, properties: { registrationSecret: { type: 'string' }, groupId: { type: 'string' }, tags: tagSet } } as const;

/** `TagUpdateRequest[]` bodies (putSubscriberTags, putSimTags, putGroupTags). */
export const TAG_UPDATES = {
  type: 'array',
  items: { type: 'object', required: ['tagName', 'tagValue'], additionalProperties: false, properties: { tagName: { type: 'string', minLength: 1 }, tagValue: { type: 'string' } } },
} as const;

/**
 * The reference's `ExpiryTime.expiryAction`: nullable (null = not set, works as `doNothing`).
 * [choice] Its enum also lists the placeholder string `(null value)`, which a client generated
 * from that enum may send: it is read as null.
 */
const NULL_VALUE = '(null value)';
export const EXPIRY_ACTION_SCHEMA = { type: 'string', enum: [...EXPIRY_ACTIONS, NULL_VALUE, null], nullable: true } as const;
export const expiryActionOf = (v: ExpiryAction | null | typeof NULL_VALUE | undefined): ExpiryAction | null => (v === undefined || v === null || v === NULL_VALUE ? null : v);

/** Public shape of a session event (reference `SessionEvent`). */
export function toSessionEventJson(e: SessionEventRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    imsi: e.imsi,
    operatorId: e.operatorId,
    sessionId: e.sessionId,
    event: e.event,
    time: e.time,
    createdTime: new Date(e.time).toISOString(),
    subscription: e.subscription,
  };
  if (e.imei) json.imei = e.imei;
  if (e.apn) json.apn = e.apn;
  if (e.ueIpAddress) json.ueIpAddress = e.ueIpAddress;
  if (e.dnsServers?.[0]) json.dns0 = e.dnsServers[0];
  if (e.dnsServers?.[1]) json.dns1 = e.dnsServers[1];
  if (e.cell) json.cell = e.cell;
  return json;
}

/** The `/v1/subscribers` operations of PLATFORM-API.md. */
export function registerSubscriberRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/v1/subscribers', { schema: { querystring: listQuery }, config: spec('listSubscribers') }, async (request, reply) => {
    const q = request.query as Record<string, string | number | undefined>;
    const split = (v: unknown): string[] | undefined => (typeof v === 'string' && v !== '' ? v.split('|') : undefined);
    const page = await listSubscribers(ctx, scopeOf(request), {
      tagName: q.tag_name as string | undefined,
      tagValue: q.tag_value as string | undefined,
      tagValueMatchMode: q.tag_value_match_mode as 'exact' | 'prefix' | undefined,
      statusFilter: split(q.status_filter),
      speedClassFilter: split(q.speed_class_filter),
      serialNumberFilter: split(q.serial_number_filter),
      limit: q.limit as number | undefined,
      lastEvaluatedKey: q.last_evaluated_key as string | undefined,
    });
    setNextPage(request, reply, page.nextKey);
    return page.items.map(toSubscriberJson);
  });

  fastify.post(
    '/v1/subscribers/export',
    { schema: { querystring: { type: 'object', properties: { export_mode: { type: 'string', enum: ['async', 'sync'] } } } }, config: spec('exportSubscribers') },
    async (request) => {
      const csv = await exportSubscribers(ctx, scopeOf(request));
      return answerExport(ctx, request, { tag: 'Subscriber', fileName: `subscribers-${request.coverageType}.csv`, contentType: 'text/csv; charset=utf-8', body: csv });
    },
  );

  const subscriberText = frozenJson(toSubscriberJson);
  fastify.get('/v1/subscribers/:imsi', { schema: { params: imsiParams }, config: spec('getSubscriber') }, async (request, reply) =>
    sendJsonText(reply, subscriberText(await getSubscriber(ctx, scopeOf(request), (request.params as { imsi: string }).imsi))),
  );

  fastify.post(
    '/v1/subscribers/:imsi/register',
    {
      schema: {
        params: imsiParams,
        body: REGISTER_BODY,
      },
      config: spec('registerSubscriber'),
    },
    async (request, reply) => {
      const body = request.body as { registrationSecret: string; groupId?: string; tags?: Record<string, string> };
      const s = await registerSubscriber(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, body);
      return reply.code(201).send(toSubscriberJson(s));
    },
  );

  for (const action of OPERATOR_ACTIONS) {
    fastify.post(`/v1/subscribers/:imsi/${action}`, { schema: { params: imsiParams }, config: spec(ACTION_RULES[action].operationId) }, async (request) =>
      toSubscriberJson(await changeStatus(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, action)),
    );
  }

  for (const [path, operationId, enabled] of [
    ['enable_termination', 'enableTermination', true],
    ['disable_termination', 'disableTermination', false],
  ] as const) {
    fastify.post(`/v1/subscribers/:imsi/${path}`, { schema: { params: imsiParams }, config: spec(operationId) }, async (request) =>
      toSubscriberJson(await setTermination(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, enabled)),
    );
  }

  fastify.post(
    '/v1/subscribers/:imsi/set_expiry_time',
    {
      schema: {
        params: imsiParams,
        body: {
          type: 'object',
          required: ['expiryTime'],
          additionalProperties: false,
          properties: { expiryTime: { type: 'integer', minimum: 0 }, expiryAction: EXPIRY_ACTION_SCHEMA },
        },
      },
      config: spec('setExpiryTime'),
    },
    async (request) => {
      const body = request.body as { expiryTime: number; expiryAction?: ExpiryAction | null | typeof NULL_VALUE };
      return toSubscriberJson(await setExpiryTime(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, body.expiryTime, expiryActionOf(body.expiryAction)));
    },
  );

  fastify.post('/v1/subscribers/:imsi/unset_expiry_time', { schema: { params: imsiParams }, config: spec('unsetExpiryTime') }, async (request) =>
    toSubscriberJson(await unsetExpiryTime(ctx, scopeOf(request), (request.params as { imsi: string }).imsi)),
  );

  fastify.post(
    '/v1/subscribers/:imsi/update_speed_class',
    {
      schema: { params: imsiParams, body: { type: 'object', required: ['speedClass'], additionalProperties: false, properties: { speedClass: { type: 'string', enum: SPEED_CLASS_ENUM } } } },
      config: spec('updateSpeedClass'),
    },
    async (request) =>
      toSubscriberJson(await changeSpeedClass(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, (request.body as { speedClass: string }).speedClass)),
  );

  fastify.put(
    '/v1/subscribers/:imsi/tags',
    {
      schema: {
        params: imsiParams,
        body: TAG_UPDATES,
      },
      config: spec('putSubscriberTags'),
    },
    async (request) =>
      toSubscriberJson(await putSubscriberTags(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, request.body as { tagName: string; tagValue: string }[])),
  );

  fastify.delete(
    '/v1/subscribers/:imsi/tags/:tag_name',
    {
      schema: { params: { type: 'object', required: ['imsi', 'tag_name'], properties: { imsi: imsiParams.properties.imsi, tag_name: { type: 'string', minLength: 1 } } } },
      config: spec('deleteSubscriberTag'),
    },
    async (request, reply) => {
      const { imsi, tag_name } = request.params as { imsi: string; tag_name: string };
      await deleteSubscriberTag(ctx, scopeOf(request), imsi, decodeURIComponent(tag_name));
      return reply.code(204).send();
    },
  );

  fastify.post(
    '/v1/subscribers/:imsi/set_group',
    { schema: { params: imsiParams, body: { type: 'object', required: ['groupId'], additionalProperties: false, properties: { groupId: { type: 'string', minLength: 1 } } } }, config: spec('setGroup') },
    async (request) =>
      toSubscriberJson(await setSubscriberGroup(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, (request.body as { groupId: string }).groupId)),
  );

  fastify.post('/v1/subscribers/:imsi/unset_group', { schema: { params: imsiParams }, config: spec('unsetGroup') }, async (request) =>
    toSubscriberJson(await setSubscriberGroup(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, null)),
  );

  fastify.post(
    '/v1/subscribers/:imsi/set_imei_lock',
    { schema: { params: imsiParams, body: { type: 'object', additionalProperties: false, properties: { imei: { type: 'string', maxLength: 64 } } } }, config: spec('setImeiLock') },
    async (request) =>
      toSubscriberJson(await setSubscriberImeiLock(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, (request.body as { imei?: string } | undefined)?.imei)),
  );

  fastify.post('/v1/subscribers/:imsi/unset_imei_lock', { schema: { params: imsiParams }, config: spec('unsetImeiLock') }, async (request) =>
    toSubscriberJson(await unsetSubscriberImeiLock(ctx, scopeOf(request), (request.params as { imsi: string }).imsi)),
  );

  fastify.post('/v1/subscribers/:imsi/delete_session', { schema: { params: imsiParams }, config: spec('deleteSubscriberSession') }, async (request) =>
    toSubscriberJson(await deleteSubscriberSession(ctx, scopeOf(request), (request.params as { imsi: string }).imsi)),
  );

  fastify.get(
    '/v1/subscribers/:imsi/events/sessions',
    {
      schema: {
        params: imsiParams,
        querystring: {
          type: 'object',
          properties: { from: { type: 'integer' }, to: { type: 'integer' }, limit: { type: 'integer', minimum: 1 }, last_evaluated_key: { type: 'string', pattern: '^[0-9]+$' } },
        },
      },
      config: spec('listSessionEvents'),
    },
    async (request, reply) => {
      const q = request.query as { from?: number; to?: number; limit?: number; last_evaluated_key?: string };
      const page = await listSessionEvents(ctx, scopeOf(request), (request.params as { imsi: string }).imsi, { ...q, lastEvaluatedKey: q.last_evaluated_key });
      setNextPage(request, reply, page.nextKey);
      return page.items.map(toSessionEventJson);
    },
  );
}
