/**
 * `POST /_cellgate/network/eum_certificates`: the platform's test CI issues an EUM certificate for
 * a public key the caller sends, so a card factory in another process (a fleet shard against a
 * shared platform) signs its simulated eUICCs' certificates itself and they download from this
 * SM-DP+ by the real SGP.22 protocol (docs/smdp.md, "EUM certificates for card factories").
 * [choice] The network token guards it, not an operator's credentials: an EUM certificate lets
 * its holder speak for any EID (notifications, EID-bound profiles), which is the simulated
 * infrastructure's power, not a tenant's.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { domainError, PlatformError } from '../../domain/errors.js';

export function registerEumCertificateRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.post(
    '/_cellgate/network/eum_certificates',
    {
      schema: { body: { type: 'object', required: ['publicKey'], additionalProperties: false, properties: { publicKey: { type: 'string', minLength: 1, maxLength: 4096 } } } },
      config: { spec: { operationId: 'networkIssueEumCertificate', tag: 'Network', auth: 'network' as const } },
    },
    async (request, reply) => {
      if (!ctx.smdp) throw new PlatformError(domainError('CGW0007', '(no SM-DP+ runs on this platform)'));
      const issued = ctx.smdp.issueEumCertificate((request.body as { publicKey: string }).publicKey);
      return reply.code(201).send(issued);
    },
  );
}
