import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOpenApiPath } from '../platform/http/openapi.js';
import { newOperator, startTestApi, type Api } from './platform-support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

/** Routes that need no credentials, by design (documented in docs/api.md). */
const PUBLIC = ['POST /v1/auth', 'POST /v1/sandbox/init', 'GET /_cellgate/openapi.json', 'GET /console', 'GET /console/*'];

/** A concrete URL for a route pattern (valid-looking parameters, so only auth can refuse it). */
function concrete(url: string): string {
  return url
    .replace(':imsi', '295050000000001')
    .replace(':operator_id', 'OP0000000001')
    .replace(/:[A-Za-z_]+/g, 'x');
}

describe('every registered route', () => {
  it('has a unique operationId, and exactly the documented ones are public', () => {
    const routes = api.http.cellgateRoutes.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(30);
    const ids = routes.map((r) => r.spec.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(routes.filter((r) => r.spec.auth === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
  });

  it('serves only the metadata service by source address, and only the network gate by network token', () => {
    const by = (auth: string) => api.http.cellgateRoutes.filter((r) => r.spec.auth === auth).map((r) => `${r.method} ${r.url}`).sort();
    expect(by('session')).toEqual(['GET /v1/subscriber', 'GET /v1/userdata']);
    expect(by('network').every((r) => r.includes(' /_cellgate/network/'))).toBe(true);
    expect(by('network').length).toBe(8);
  });

  it('refuses a network route without the network token (NET0001), with a wrong one or with API credentials (NET0002)', async () => {
    const root = await newOperator(api);
    for (const r of api.http.cellgateRoutes.filter((x) => x.spec.auth === 'network')) {
      const url = concrete(r.url);
      const none = await api.call(r.method, url, { auth: root });
      expect([r.method, r.url, none.statusCode, none.json().code]).toEqual([r.method, r.url, 401, 'NET0001']);
      const wrong = await api.call(r.method, url, { headers: { authorization: `Bearer ${root.token}` } });
      expect([r.method, r.url, wrong.statusCode, wrong.json().code]).toEqual([r.method, r.url, 401, 'NET0002']);
    }
  });

  it('refuses a missing token (AUM0001) and a wrong token (AUM0002)', async () => {
    const root = await newOperator(api);
    const routes = api.http.cellgateRoutes.filter((r) => r.spec.auth !== 'public' && r.spec.auth !== 'network' && r.spec.auth !== 'session');
    for (const r of routes) {
      const url = concrete(r.url);
      const none = await api.call(r.method, url);
      expect([r.method, r.url, none.statusCode, none.json().code]).toEqual([r.method, r.url, 401, 'AUM0001']);
      const wrong = await api.call(r.method, url, { auth: { ...root, token: 'not-the-token' } });
      expect([r.method, r.url, wrong.statusCode, wrong.json().code]).toEqual([r.method, r.url, 401, 'AUM0002']);
      const onlyKey = await api.call(r.method, url, { headers: { 'x-soracom-api-key': root.apiKey } });
      expect([r.method, r.url, onlyKey.statusCode]).toEqual([r.method, r.url, 401]);
    }
  });
});

describe('OpenAPI document', () => {
  it('lists exactly the registered routes with their operationIds', async () => {
    const doc = (await api.call('GET', '/_cellgate/openapi.json')).json() as { paths: Record<string, Record<string, { operationId: string }>> };
    const fromDoc = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`));
    const fromRoutes = api.http.cellgateRoutes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${toOpenApiPath(r.url)} ${r.spec.operationId}`);
    expect(fromDoc.sort()).toEqual(fromRoutes.sort());
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        expect(api.http.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{([A-Za-z_]+)\}/g, ':$1') })).toBe(true);
      }
    }
  });
});
