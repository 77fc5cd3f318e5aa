import type { FastifyInstance } from 'fastify';
import type { VirtualClock } from '../../../common/clock.js';
import type { PlatformApp } from '../../app/platform-app.js';
import { PlatformError, domainError } from '../../domain/errors.js';

/**
 * cellgate's own endpoints under `/_cellgate` (not part of the reference API):
 * - `GET /_cellgate/openapi.json`: this API's OpenAPI document (public).
 * - `GET|POST /_cellgate/clock`: read / move the virtual clock (root only; 400 CGW0001 when the
 *   platform runs on real time). `POST {advance: ms}` or `{to: epochMs}` runs all work that
 *   falls due on the way before answering.
 */
export function registerCellgateRoutes(
  fastify: FastifyInstance,
  options: { platform: PlatformApp; virtualClock?: VirtualClock; openApi: () => Record<string, unknown> },
): void {
  const clock = (): VirtualClock => {
    if (!options.virtualClock) throw new PlatformError(domainError('CGW0001'));
    return options.virtualClock;
  };
  const now = (c: VirtualClock) => ({ now: c.now(), iso: new Date(c.now()).toISOString(), virtual: true });

  fastify.get('/_cellgate/openapi.json', { config: { spec: { operationId: 'getCellgateOpenApi', tag: 'Cellgate', auth: 'public' } } }, async () => options.openApi());

  fastify.get('/_cellgate/clock', { config: { spec: { operationId: 'getCellgateClock', tag: 'Cellgate', auth: 'root' } } }, async () => now(clock()));

  fastify.post(
    '/_cellgate/clock',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { advance: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
        },
      },
      config: { spec: { operationId: 'advanceCellgateClock', tag: 'Cellgate', auth: 'root' } },
    },
    async (request) => {
      const c = clock();
      const body = request.body as { advance?: number; to?: number };
      const ms = body.advance ?? body.to! - c.now();
      if (ms < 0) throw new PlatformError(domainError('CGW0002'));
      await options.platform.scheduler.advance(c, ms);
      return now(c);
    },
  );
}
