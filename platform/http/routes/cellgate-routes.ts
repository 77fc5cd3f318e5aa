import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClockViewer } from '../../app/clock-control.js';
import type { PlatformApp } from '../../app/platform-app.js';
import type { ClockMove } from '../../domain/time-travel.js';

const instantOrDuration = { type: ['string', 'integer'], minLength: 1, maxLength: 64 };

/** The network token stands for the platform admin; a root user sees its own operator's jobs. */
function viewerOf(request: FastifyRequest): ClockViewer {
  return request.principal ? { admin: false, operatorId: request.principal.operatorId } : { admin: true };
}

/**
 * cellgate's own endpoints under `/_cellgate` (not part of the reference API):
 * - `GET /_cellgate/openapi.json`: this API's OpenAPI document (public).
 * - `GET /_cellgate/clock`: the platform's time (virtual or not) and the next jobs waiting.
 * - `POST /_cellgate/clock` `{advance: "P30D" | ms}` or `{to: ISO | ms}`: moves the virtual clock,
 *   running every job that falls due on the way, and answers with what ran (400 CGW0001 on real
 *   time). Both take the network token or a root user's credentials (docs/time-control.md).
 */
export function registerCellgateRoutes(fastify: FastifyInstance, options: { platform: PlatformApp; openApi: () => Record<string, unknown> }): void {
  const control = options.platform.clockControl;

  fastify.get('/_cellgate/openapi.json', { config: { spec: { operationId: 'getCellgateOpenApi', tag: 'Cellgate', auth: 'public' } } }, async () => options.openApi());

  fastify.get('/_cellgate/clock', { config: { spec: { operationId: 'getCellgateClock', tag: 'Cellgate', auth: 'admin' } } }, async (request) => control.state(viewerOf(request)));

  fastify.post(
    '/_cellgate/clock',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { advance: instantOrDuration, to: instantOrDuration },
        },
      },
      config: { spec: { operationId: 'advanceCellgateClock', tag: 'Cellgate', auth: 'admin' } },
    },
    async (request) => control.move(request.body as ClockMove, viewerOf(request)),
  );
}
