/**
 * ES11 over HTTPS (SGP.22 §6.5.2.6–§6.5.2.7): `POST /gsma/rsp2/es11/initiateAuthentication` and
 * `/gsma/rsp2/es11/authenticateClient`, served with CERT.DS.TLS on the SM-DS's own port. The same
 * two functions also answer on the ES9+ paths, because lpac's `profile discovery` sends them there
 * (lpac euicc/es9p.c, `es11_authenticate_client_r`); the SM-DS has no other ES9+ function.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ES11_PATHS, ES9_PATHS } from '../../common/rsp/es9.js';
import { buildRspServer } from '../smdp/es9-server.js';
import type { SmdsService } from './smds-service.js';

export function buildEs11Server(service: SmdsService, ci: Uint8Array, logger?: Logger): Promise<FastifyInstance> {
  const initiate = (b: Record<string, unknown>) => service.initiateAuthentication(b);
  const authenticate = (b: Record<string, unknown>) => service.authenticateClient(b);
  return buildRspServer({
    tls: service.pki.dsTls,
    ci,
    component: 'smds',
    logger,
    routes: {
      [ES11_PATHS.initiateAuthentication]: initiate,
      [ES11_PATHS.authenticateClient]: authenticate,
      [ES9_PATHS.initiateAuthentication]: initiate,
      [ES9_PATHS.authenticateClient]: authenticate,
    },
  });
}
