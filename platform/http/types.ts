import type { Principal } from '../app/auth.js';
import type { CoverageType } from '../domain/ids.js';

/** Per-route settings every cellgate route declares (fastify route `config`). */
export interface RouteSpec {
  /** The reference API's operationId (or cellgate's own for cellgate-only endpoints). */
  operationId: string;
  /** The reference tag; SAM permissions name APIs `Tag:operationId`. */
  tag: string;
  /**
   * `public` routes need no credentials (auth, sandbox init, the OpenAPI document); `network`
   * routes need the network token (`Authorization: Bearer`); `session` routes (the metadata
   * service) identify the SIM by the request's source address instead of credentials; `admin`
   * routes (the virtual clock) take either the network token (the platform admin: no principal)
   * or a root user's API key and token; `self` routes need credentials but no SAM permission
   * (the caller asks only about itself).
   */
  auth?: 'public' | 'required' | 'root' | 'network' | 'session' | 'admin' | 'self';
  summary?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route cellgate registered, with its operation spec (for OpenAPI and tests). */
    cellgateRoutes: { method: string; url: string; spec: RouteSpec }[];
  }
  interface FastifyContextConfig {
    spec?: RouteSpec;
  }
  interface FastifyRequest {
    principal: Principal | null;
    coverageType: CoverageType;
  }
}
