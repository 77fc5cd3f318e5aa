import { setNextPage } from '../paging.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeviceService } from '../../app/devices.js';
import { PlatformError, domainError } from '../../domain/errors.js';

const SPEC = (operationId: string) => ({ spec: { operationId, tag: 'Device', auth: 'required' as const } });
const DEVICE_PARAMS = { type: 'object', properties: { device_id: { type: 'string', maxLength: 64 } } };

function operatorOf(request: FastifyRequest): string {
  return request.principal!.operatorId;
}

/**
 * cellgate's device endpoints (not in the reference API), operator-scoped:
 * register (MQTT credentials, secret shown once), list, get (with the latest retained status),
 * delete (revokes the credentials), send a command and wait for its result, list delivered events.
 */
export function registerDeviceRoutes(fastify: FastifyInstance, devices: () => DeviceService | undefined): void {
  const service = (): DeviceService => {
    const d = devices();
    if (!d) throw new PlatformError(domainError('DEV0006'));
    return d;
  };

  fastify.post(
    '/_cellgate/devices',
    { schema: { body: { type: 'object', required: ['deviceId'], additionalProperties: false, properties: { deviceId: { type: 'string' } } } }, config: SPEC('registerCellgateDevice') },
    async (request, reply) => {
      const { deviceId } = request.body as { deviceId: string };
      const credentials = await service().register(operatorOf(request), deviceId);
      return reply.code(201).send({ ...credentials, operatorId: operatorOf(request) });
    },
  );

  fastify.get('/_cellgate/devices', { config: SPEC('listCellgateDevices') }, async (request) => service().listFor(operatorOf(request)));

  fastify.get('/_cellgate/devices/:device_id', { schema: { params: DEVICE_PARAMS }, config: SPEC('getCellgateDevice') }, async (request) => {
    const { device_id } = request.params as { device_id: string };
    return service().getFor(operatorOf(request), device_id);
  });

  fastify.delete('/_cellgate/devices/:device_id', { schema: { params: DEVICE_PARAMS }, config: SPEC('deleteCellgateDevice') }, async (request, reply) => {
    const { device_id } = request.params as { device_id: string };
    await service().revokeFor(operatorOf(request), device_id);
    return reply.code(204).send();
  });

  fastify.post(
    '/_cellgate/devices/:device_id/commands',
    {
      schema: {
        params: DEVICE_PARAMS,
        body: {
          type: 'object',
          required: ['command'],
          additionalProperties: false,
          properties: {
            command: { type: 'object' },
            timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
            expiresInMs: { type: 'integer', minimum: 1 },
          },
        },
      },
      config: SPEC('sendCellgateDeviceCommand'),
    },
    async (request) => {
      const { device_id } = request.params as { device_id: string };
      const body = request.body as { command: unknown; timeoutMs?: number; expiresInMs?: number };
      return service().commandFor(operatorOf(request), device_id, body.command, { timeoutMs: body.timeoutMs ?? 30_000, expiresInMs: body.expiresInMs });
    },
  );

  fastify.get(
    '/_cellgate/devices/:device_id/events',
    {
      schema: {
        params: DEVICE_PARAMS,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, last_evaluated_key: { type: 'string', pattern: '^[0-9]+$' } } },
      },
      config: SPEC('listCellgateDeviceEvents'),
    },
    async (request, reply) => {
      const { device_id } = request.params as { device_id: string };
      const q = request.query as { limit?: number; last_evaluated_key?: string };
      const page = await service().eventsFor(operatorOf(request), device_id, { limit: q.limit, afterSeq: q.last_evaluated_key ? Number(q.last_evaluated_key) : undefined });
      setNextPage(request, reply, page.nextKey === null ? null : String(page.nextKey));
      return page.events;
    },
  );
}
