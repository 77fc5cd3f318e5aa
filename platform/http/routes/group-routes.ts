import { setNextPage } from '../paging.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { createGroup, deleteConfigurationNamespace, deleteConfigurationParameter, deleteGroup, deleteGroupTag, getGroup, listGroups, putConfigurationParameters, putGroupTags } from '../../app/groups.js';
import { listSims } from '../../app/sims.js';
import { toSimJson } from '../../domain/sim-view.js';
import { TAG_UPDATES, scopeOf } from './subscriber-routes.js';

const SPEC = (operationId: string) => ({ spec: { operationId, tag: 'Group', auth: 'required' as const } });
const NAMESPACES = ['SoracomAir', 'SoracomBeam', 'SoracomEndorse', 'SoracomFlux', 'SoracomFunk', 'SoracomFunnel', 'SoracomHarvest', 'SoracomHarvestFiles', 'SoracomKrypton', 'SoracomOrbit', 'UnifiedEndpoint'];
const GROUP_PARAMS = { type: 'object', properties: { group_id: { type: 'string', maxLength: 64 } } };
const NS_PARAMS = { type: 'object', properties: { group_id: { type: 'string', maxLength: 64 }, namespace: { type: 'string', enum: NAMESPACES }, name: { type: 'string', maxLength: 128 } } };
const TAGS = { type: 'object', additionalProperties: { type: 'string' } };

function operatorOf(request: FastifyRequest): string {
  return request.principal!.operatorId;
}

/** Groups (reference `Group` tag), enough for the metadata service: create, read, list, delete, configure. */
export function registerGroupRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post(
    '/v1/groups',
    {
      schema: { body: { type: 'object', additionalProperties: false, properties: { tags: TAGS, configuration: { type: 'object', additionalProperties: { type: 'object' } } } } },
      config: SPEC('createGroup'),
    },
    async (request, reply) => reply.code(201).send(await createGroup(ctx, operatorOf(request), request.body as Parameters<typeof createGroup>[2])),
  );

  fastify.get(
    '/v1/groups',
    { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, last_evaluated_key: { type: 'string' }, tag_name: { type: 'string' }, tag_value: { type: 'string' }, tag_value_match_mode: { type: 'string', enum: ['exact', 'prefix'] } } } }, config: SPEC('listGroups') },
    async (request, reply) => {
      const q = request.query as { limit?: number; last_evaluated_key?: string; tag_name?: string; tag_value?: string; tag_value_match_mode?: string };
      const limit = q.limit ?? 100;
      let groups = await listGroups(ctx, operatorOf(request), { after: q.last_evaluated_key });
      if (q.tag_name !== undefined) {
        groups = groups.filter((g) => {
          const v = g.tags[q.tag_name!];
          if (v === undefined) return false;
          if (q.tag_value === undefined) return true;
          return q.tag_value_match_mode === 'prefix' ? v.startsWith(q.tag_value) : v === q.tag_value;
        });
      }
      const page = groups.slice(0, limit);
      setNextPage(request, reply, groups.length > limit ? page[page.length - 1]!.groupId : null);
      return page;
    },
  );

  fastify.get('/v1/groups/:group_id', { schema: { params: GROUP_PARAMS }, config: SPEC('getGroup') }, async (request) =>
    getGroup(ctx, operatorOf(request), (request.params as { group_id: string }).group_id),
  );

  fastify.delete('/v1/groups/:group_id', { schema: { params: GROUP_PARAMS }, config: SPEC('deleteGroup') }, async (request, reply) => {
    await deleteGroup(ctx, operatorOf(request), (request.params as { group_id: string }).group_id);
    return reply.code(204).send();
  });

  fastify.put(
    '/v1/groups/:group_id/configuration/:namespace',
    {
      schema: {
        params: NS_PARAMS,
        body: { type: 'array', maxItems: 100, items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string', minLength: 1, maxLength: 128 }, value: {} } } },
      },
      config: SPEC('putConfigurationParameters'),
    },
    async (request) => {
      const { group_id, namespace } = request.params as { group_id: string; namespace: string };
      return putConfigurationParameters(ctx, operatorOf(request), group_id, namespace, request.body as { key: string; value: unknown }[]);
    },
  );

  fastify.delete('/v1/groups/:group_id/configuration/:namespace', { schema: { params: NS_PARAMS }, config: SPEC('deleteConfigurationNamespace') }, async (request, reply) => {
    const { group_id, namespace } = request.params as { group_id: string; namespace: string };
    await deleteConfigurationNamespace(ctx, operatorOf(request), group_id, namespace);
    return reply.code(204).send();
  });

  fastify.put('/v1/groups/:group_id/tags', { schema: { params: GROUP_PARAMS, body: TAG_UPDATES }, config: SPEC('putGroupTags') }, async (request) =>
    putGroupTags(ctx, operatorOf(request), (request.params as { group_id: string }).group_id, request.body as { tagName: string; tagValue: string }[]),
  );

  fastify.delete(
    '/v1/groups/:group_id/tags/:tag_name',
    { schema: { params: { type: 'object', properties: { group_id: { type: 'string', maxLength: 64 }, tag_name: { type: 'string', minLength: 1 } } } }, config: SPEC('deleteGroupTag') },
    async (request, reply) => {
      const { group_id, tag_name } = request.params as { group_id: string; tag_name: string };
      await deleteGroupTag(ctx, operatorOf(request), group_id, decodeURIComponent(tag_name));
      return reply.code(204).send();
    },
  );

  // The reference answers the group's SIMs as `Sim` objects, paged by SIM ID.
  fastify.get(
    '/v1/groups/:group_id/subscribers',
    { schema: { params: GROUP_PARAMS, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, last_evaluated_key: { type: 'string', maxLength: 64 } } } }, config: SPEC('listSubscribersInGroup') },
    async (request, reply) => {
      const groupId = (request.params as { group_id: string }).group_id;
      await getGroup(ctx, operatorOf(request), groupId);
      const q = request.query as { limit?: number; last_evaluated_key?: string };
      const page = await listSims(ctx, scopeOf(request), { groupId, limit: q.limit, lastEvaluatedKey: q.last_evaluated_key });
      setNextPage(request, reply, page.nextKey);
      return page.items.map(toSimJson);
    },
  );

  fastify.delete(
    '/v1/groups/:group_id/configuration/:namespace/:name',
    { schema: { params: NS_PARAMS }, config: SPEC('deleteConfigurationParameter') },
    async (request, reply) => {
      const { group_id, namespace, name } = request.params as { group_id: string; namespace: string; name: string };
      await deleteConfigurationParameter(ctx, operatorOf(request), group_id, namespace, name);
      return reply.code(204).send();
    },
  );
}
