import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { createGroup, deleteConfigurationParameter, deleteGroup, getGroup, listGroups, putConfigurationParameters } from '../../app/groups.js';

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
      if (groups.length > limit) reply.header('x-soracom-next-key', page[page.length - 1]!.groupId);
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
