/**
 * ES9+ over HTTPS (SGP.22 §6.2, §6.5): `POST /gsma/rsp2/es9plus/<function>` with JSON bodies,
 * served with the SM-DP+'s TLS certificate (CERT.DP.TLS, issued by the test CI). A refusal is an
 * HTTP 200 whose `header.functionExecutionStatus` is `Failed` with the SGP.22 status code;
 * HandleNotification answers 204 No Content (§6.5.2.4).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ADMIN_PROTOCOL, ES9_PATHS, ES9_STATUS } from '../../common/rsp/es9.js';
import type { CertAndKey } from '../../common/rsp/pki.js';
import { toPem } from '../../common/rsp/x509.js';
import type { Es9Result, SmdpService } from './smdp-service.js';

type Handler = (body: Record<string, unknown>) => Promise<Es9Result>;

/**
 * An RSP server over HTTPS (the SGP.22 §6.5 JSON binding): each path's handler gets the JSON body;
 * `noContent` paths answer 204 on success. Shared by the SM-DP+ (ES9+) and the SM-DS (ES11).
 */
export async function buildRspServer(options: { tls: CertAndKey; ci: Uint8Array; routes: Record<string, Handler>; noContent?: readonly string[]; component: string; logger?: Logger | undefined }): Promise<FastifyInstance> {
  const pem = { cert: toPem('CERTIFICATE', options.tls.certificate) + toPem('CERTIFICATE', options.ci), key: options.tls.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const fastify = Fastify({
    https: pem,
    bodyLimit: 256 * 1024,
    ...(options.logger ? { loggerInstance: options.logger.child({ component: options.component }) as FastifyInstance['log'] } : { logger: false }),
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
  for (const [path, handle] of Object.entries(options.routes)) {
    fastify.post(path, async (request: FastifyRequest, r: FastifyReply) => {
      const body = request.body;
      const protocol = request.headers['x-admin-protocol'];
      if (typeof body !== 'object' || body === null || Array.isArray(body) || (protocol !== undefined && !String(protocol).startsWith('gsma/rsp/v'))) {
        return reply(r, { ok: false, status: ES9_STATUS.invalidRequest });
      }
      const result = await handle(body as Record<string, unknown>);
      if (options.noContent?.includes(path) && result.ok) return r.header('x-admin-protocol', ADMIN_PROTOCOL).code(204).send();
      return reply(r, result);
    });
  }
  return fastify;
}

export function buildEs9Server(service: SmdpService, logger?: Logger): Promise<FastifyInstance> {
  return buildRspServer({
    tls: service.pki.dpTls,
    ci: service.pki.ci.certificate,
    component: 'smdp',
    logger,
    noContent: [ES9_PATHS.handleNotification],
    routes: {
      [ES9_PATHS.initiateAuthentication]: (b) => service.initiateAuthentication(b),
      [ES9_PATHS.authenticateClient]: (b) => service.authenticateClient(b),
      [ES9_PATHS.getBoundProfilePackage]: (b) => service.getBoundProfilePackage(b),
      [ES9_PATHS.cancelSession]: (b) => service.cancelSession(b),
      [ES9_PATHS.handleNotification]: (b) => service.handleNotification(b),
    },
  });
}
