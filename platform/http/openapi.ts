import type { RouteSpec } from './types.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  spec: RouteSpec;
  schema?: { body?: unknown; querystring?: unknown; params?: { properties?: Record<string, unknown>; required?: string[] } };
}

/** fastify `:param` → OpenAPI `{param}`. */
export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The OpenAPI 3 document of cellgate's own API, generated from the registered routes so it can
 * never drift from them (a test checks both directions).
 */
export function buildOpenApi(routes: RegisteredRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = toOpenApiPath(r.url);
    const params = r.schema?.params?.properties ?? {};
    const query = (r.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    const parameters = [
      ...Object.entries(params).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(query).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    const op: Record<string, unknown> = {
      operationId: r.spec.operationId,
      tags: [r.spec.tag],
      summary: r.spec.summary ?? r.spec.operationId,
      responses: { default: { description: 'See docs/api.md; errors are {code, message}.' } },
    };
    if (parameters.length) op.parameters = parameters;
    if (r.schema?.body) op.requestBody = { required: false, content: { 'application/json': { schema: r.schema.body } } };
    if (r.spec.auth === 'network') op.security = [{ network_token: [] }];
    else if (r.spec.auth === 'admin') op.security = [{ network_token: [] }, { api_key: [], api_token: [] }];
    else if (r.spec.auth !== 'public' && r.spec.auth !== 'session') op.security = [{ api_key: [], api_token: [] }];
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'cellgate platform API', version: '0.1.0', description: 'Local emulation of a cellular IoT connectivity platform API.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'X-Soracom-API-Key' },
        api_token: { type: 'apiKey', in: 'header', name: 'X-Soracom-Token' },
        network_token: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
