import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createUser,
  deleteAuthKey,
  deleteUser,
  generateAuthKey,
  getOperator,
  getUser,
  listAuthKeys,
  listUsers,
  setUserPassword,
  setUserPermission,
} from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { verifyPassword } from '../../app/secrets.js';
import { PlatformError, domainError } from '../../domain/errors.js';
import { toAuthKeyJson, toOperatorJson, toUserJson } from '../../domain/operator.js';
import { operatorParams, userParams } from '../schemas.js';
import { assertOwnOperator } from '../guards.js';

const op = (operationId: string) => ({ spec: { operationId, tag: 'Operator' } });
const user = (operationId: string) => ({ spec: { operationId, tag: 'User' } });

function own(request: FastifyRequest): { operatorId: string; userName: string } {
  const p = request.params as { operator_id: string; user_name?: string };
  assertOwnOperator(request.principal!.operatorId, p.operator_id);
  return { operatorId: p.operator_id, userName: p.user_name ? decodeURIComponent(p.user_name) : '' };
}

const keyParams = (base: { properties: Record<string, unknown>; required: readonly string[] }) => ({
  type: 'object',
  required: [...base.required, 'auth_key_id'],
  properties: { ...base.properties, auth_key_id: { type: 'string', minLength: 1 } },
});

/** Operators, SAM users, permissions and auth keys (as far as cellgate's users need them). */
export function registerOperatorRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/v1/operators/:operator_id', { schema: { params: operatorParams }, config: op('getOperator') }, async (request) =>
    toOperatorJson(await getOperator(ctx, own(request).operatorId)),
  );

  fastify.get('/v1/operators/:operator_id/auth_keys', { schema: { params: operatorParams }, config: op('listOperatorAuthKeys') }, async (request) =>
    (await listAuthKeys(ctx, own(request).operatorId, null)).map(toAuthKeyJson),
  );
  fastify.post('/v1/operators/:operator_id/auth_keys', { schema: { params: operatorParams }, config: op('generateOperatorAuthKey') }, async (request, reply) =>
    reply.code(201).send(await generateAuthKey(ctx, own(request).operatorId, null)),
  );
  fastify.delete('/v1/operators/:operator_id/auth_keys/:auth_key_id', { schema: { params: keyParams(operatorParams) }, config: op('deleteOperatorAuthKey') }, async (request, reply) => {
    await deleteAuthKey(ctx, own(request).operatorId, null, (request.params as { auth_key_id: string }).auth_key_id);
    return reply.code(204).send();
  });

  fastify.get('/v1/operators/:operator_id/users', { schema: { params: operatorParams }, config: user('listUsers') }, async (request) => {
    const { operatorId } = own(request);
    const users = await listUsers(ctx, operatorId);
    const keys = await listAuthKeys(ctx, operatorId, null);
    return users.map((u) => toUserJson(u, keys.filter((k) => k.userName === u.userName)));
  });
  fastify.post(
    '/v1/operators/:operator_id/users/:user_name',
    { schema: { params: userParams, body: { type: 'object', additionalProperties: false, properties: { description: { type: 'string' } } } }, config: user('createUser') },
    async (request, reply) => {
      const { operatorId, userName } = own(request);
      await createUser(ctx, operatorId, userName, (request.body as { description?: string } | undefined)?.description);
      return reply.code(201).send();
    },
  );
  fastify.get('/v1/operators/:operator_id/users/:user_name', { schema: { params: userParams }, config: user('getUser') }, async (request) => {
    const { operatorId, userName } = own(request);
    const { user: u, authKeys } = await getUser(ctx, operatorId, userName);
    return toUserJson(u, authKeys);
  });
  fastify.delete('/v1/operators/:operator_id/users/:user_name', { schema: { params: userParams }, config: user('deleteUser') }, async (request, reply) => {
    const { operatorId, userName } = own(request);
    await deleteUser(ctx, operatorId, userName);
    return reply.code(204).send();
  });

  fastify.post(
    '/v1/operators/:operator_id/users/:user_name/password',
    { schema: { params: userParams, body: { type: 'object', required: ['password'], additionalProperties: false, properties: { password: { type: 'string' } } } }, config: user('createUserPassword') },
    async (request, reply) => {
      const { operatorId, userName } = own(request);
      await setUserPassword(ctx, operatorId, userName, (request.body as { password: string }).password);
      return reply.code(201).send();
    },
  );
  fastify.put(
    '/v1/operators/:operator_id/users/:user_name/password',
    {
      schema: {
        params: userParams,
        body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string' } } },
      },
      config: user('updateUserPassword'),
    },
    async (request) => {
      const { operatorId, userName } = own(request);
      const body = request.body as { currentPassword: string; newPassword: string };
      const { user: u } = await getUser(ctx, operatorId, userName);
      if (!(await verifyPassword(body.currentPassword, u.passwordHash))) throw new PlatformError(domainError('AUM0004'));
      await setUserPassword(ctx, operatorId, userName, body.newPassword);
      return {};
    },
  );
  fastify.get('/v1/operators/:operator_id/users/:user_name/permission', { schema: { params: userParams }, config: user('getUserPermission') }, async (request) => {
    const { operatorId, userName } = own(request);
    return { permission: (await getUser(ctx, operatorId, userName)).user.permission ?? '{"statements":[]}' };
  });
  fastify.put(
    '/v1/operators/:operator_id/users/:user_name/permission',
    {
      schema: {
        params: userParams,
        body: { type: 'object', required: ['permission'], additionalProperties: false, properties: { permission: { type: 'string' }, description: { type: 'string' } } },
      },
      config: user('updateUserPermission'),
    },
    async (request) => {
      const { operatorId, userName } = own(request);
      await setUserPermission(ctx, operatorId, userName, (request.body as { permission: string }).permission);
      return {};
    },
  );

  fastify.get('/v1/operators/:operator_id/users/:user_name/auth_keys', { schema: { params: userParams }, config: user('listUserAuthKeys') }, async (request) => {
    const { operatorId, userName } = own(request);
    await getUser(ctx, operatorId, userName);
    return (await listAuthKeys(ctx, operatorId, userName)).map(toAuthKeyJson);
  });
  fastify.post('/v1/operators/:operator_id/users/:user_name/auth_keys', { schema: { params: userParams }, config: user('generateUserAuthKey') }, async (request) => {
    const { operatorId, userName } = own(request);
    return generateAuthKey(ctx, operatorId, userName);
  });
  fastify.delete(
    '/v1/operators/:operator_id/users/:user_name/auth_keys/:auth_key_id',
    { schema: { params: keyParams(userParams) }, config: user('deleteUserAuthKey') },
    async (request, reply) => {
      const { operatorId, userName } = own(request);
      await deleteAuthKey(ctx, operatorId, userName, (request.params as { auth_key_id: string }).auth_key_id);
      return reply.code(204).send();
    },
  );
}
