import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { resolveMetadataCaller, type MetadataCaller } from '../../app/groups.js';
import { PlatformError, domainError } from '../../domain/errors.js';
import { toSubscriberJson } from '../../domain/subscriber.js';

const SPEC = (operationId: string) => ({ spec: { operationId, tag: 'Metadata', auth: 'session' as const } });

function allowOrigin(reply: FastifyReply, caller: MetadataCaller): void {
  if (caller.settings.allowOrigin) reply.header('access-control-allow-origin', caller.settings.allowOrigin);
}

/**
 * The metadata service (the real one lives at `metadata.soracom.io`): no credentials; the SIM
 * is the one whose live session address is the request's TCP source address, and its group
 * must enable `SoracomAir.metadata`. Read-only here [choice]: the write paths are not served.
 */
export function registerMetadataRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/v1/subscriber', { config: SPEC('getMetadataSubscriber') }, async (request, reply) => {
    // The socket's address, never a forwarding header: the source address is the credential.
    const caller = await resolveMetadataCaller(ctx, request.socket.remoteAddress);
    allowOrigin(reply, caller);
    return toSubscriberJson(caller.subscriber);
  });

  fastify.get('/v1/userdata', { config: SPEC('getMetadataUserdata') }, async (request, reply) => {
    const caller = await resolveMetadataCaller(ctx, request.socket.remoteAddress);
    if (caller.userdata === undefined) throw new PlatformError(domainError('MDS0003'));
    allowOrigin(reply, caller);
    return reply.type('text/plain; charset=utf-8').send(caller.userdata);
  });
}
