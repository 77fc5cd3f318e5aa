/**
 * ES9+ over HTTPS (SGP.22 §6.2, §6.5): `POST /gsma/rsp2/es9plus/<function>` with JSON bodies,
 * served with the SM-DP+'s TLS certificate (CERT.DP.TLS, issued by the test CI). A refusal is an
 * HTTP 200 whose `header.functionExecutionStatus` is `Failed` with the SGP.22 status code;
 * HandleNotification answers 204 No Content (§6.5.2.4).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ADMIN_PROTOCOL, ES9_PATHS, ES9_STATUS, type Es9Function } from '../../common/rsp/es9.js';
import { toPem } from '../../common/rsp/x509.js';
import type { Es9Result, SmdpService } from './smdp-service.js';

export async function buildEs9Server(service: SmdpService, logger?: Logger): Promise<FastifyInstance> {
  const pem = { cert: toPem('CERTIFICATE', service.pki.dpTls.certificate) + toPem('CERTIFICATE', service.pki.ci.certificate), key: service.pki.dpTls.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const fastify = Fastify({
    https: pem,
    bodyLimit: 256 * 1024,
    ...(logger ? { loggerInstance: logger.child({ component: 'smdp' }) as FastifyInstance['log'] } : { logger: false }),
  });
  // SGP.22 §6.5.1: `application/json` (any charset); a body that is not a JSON object is refused as such.
  fastify.addContentTypeParser(/^application\/json/, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, null);
    }
  });
  const reply = (r: FastifyReply, result: Es9Result): FastifyReply => {
    r.header('x-admin-protocol', ADMIN_PROTOCOL).header('content-type', 'application/json;charset=UTF-8');
    if (result.ok) return r.code(200).send({ header: { functionExecutionStatus: { status: 'Executed-Success' } }, ...result.body });
    return r.code(200).send({ header: { functionExecutionStatus: { status: 'Failed', statusCodeData: result.status } } });
  };
  const route = (fn: Es9Function, handle: (body: Record<string, unknown>) => Promise<Es9Result>): void => {
    fastify.post(ES9_PATHS[fn], async (request: FastifyRequest, r: FastifyReply) => {
      const body = request.body;
      const protocol = request.headers['x-admin-protocol'];
      if (typeof body !== 'object' || body === null || Array.isArray(body) || (protocol !== undefined && !String(protocol).startsWith('gsma/rsp/v'))) {
        return reply(r, { ok: false, status: ES9_STATUS.invalidRequest });
      }
      const result = await handle(body as Record<string, unknown>);
      if (fn === 'handleNotification' && result.ok) return r.header('x-admin-protocol', ADMIN_PROTOCOL).code(204).send();
      return reply(r, result);
    });
  };
  route('initiateAuthentication', (b) => service.initiateAuthentication(b));
  route('authenticateClient', (b) => service.authenticateClient(b));
  route('getBoundProfilePackage', (b) => service.getBoundProfilePackage(b));
  route('cancelSession', (b) => service.cancelSession(b));
  route('handleNotification', (b) => service.handleNotification(b));
  return fastify;
}
