import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import { verifyCachedToken, verifyToken, type Principal } from '../app/auth.js';
import type { PlatformApp } from '../app/platform-app.js';
import { PlatformError, domainError } from '../domain/errors.js';
import { isCoverageType } from '../domain/ids.js';
import { isAllowed, ROOT_ONLY_TAGS } from '../domain/permissions.js';
import { handleError, sendError } from './errors.js';
import { httpLogSerializers } from './log-serializers.js';
import { buildOpenApi, type RegisteredRoute } from './openapi.js';
import { BODY_LIMITS, bodyLimitOf } from './body-limits.js';
import { LoginThrottle, type LoginThrottlePolicy } from '../domain/login-throttle.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerBillingRoutes } from './routes/billing-routes.js';
import { registerPaymentRoutes } from './routes/payment-routes.js';
import { registerCellgateRoutes } from './routes/cellgate-routes.js';
import { registerOperatorRoutes } from './routes/operator-routes.js';
import { registerSandboxRoutes } from './routes/sandbox-routes.js';
import { registerSandboxKnobRoutes } from './routes/sandbox-knob-routes.js';
import { registerCalendarRoutes } from './routes/calendar-routes.js';
import { registerSimRoutes } from './routes/sim-routes.js';
import { registerSmsRoutes } from './routes/sms-routes.js';
import { registerSubscriberRoutes } from './routes/subscriber-routes.js';
import { registerCellgateTransferEsimRoutes } from './routes/cellgate-transfer-esim-routes.js';
import { registerEsimOrderRoutes } from './routes/esim-order-routes.js';
import { registerTransferRoutes } from './routes/transfer-routes.js';
import { registerDeviceRoutes } from './routes/device-routes.js';
import { registerGroupRoutes } from './routes/group-routes.js';
import { registerMetadataRoutes } from './routes/metadata-routes.js';
import { registerNetworkRoutes, verifyNetworkToken } from './routes/network-routes.js';
import { registerEumCertificateRoutes } from './routes/eum-certificate-routes.js';
import { findConsoleDir, registerConsoleRoutes } from './routes/console-routes.js';
import { registerLiveEventRoutes } from './routes/live-event-routes.js';
import { registerStatusHistoryRoutes } from './routes/status-history-routes.js';
import { registerWhoamiRoutes } from './routes/whoami-routes.js';
import type { DeviceService } from '../app/devices.js';
import './types.js';

/** Header choosing the coverage type of a request [choice: `g` when absent]. */
export const COVERAGE_HEADER = 'x-cellgate-coverage';

export interface HttpApiOptions {
  platform: PlatformApp;
  logger?: Logger;
  /** Device registry behind `/_cellgate/devices` (absent → those routes answer DEV0006). */
  devices?: DeviceService;
  /** Bearer token of `/_cellgate/network/*` (absent → those routes refuse every caller). */
  networkToken?: string;
  /** Built console files served at `/console` (default: `dist/console`, found beside the code). */
  consoleDir?: string | null;
  /** Backoff on failed `POST /v1/auth` (default `DEFAULT_LOGIN_THROTTLE`, docs/api.md "Limits"). */
  loginThrottle?: LoginThrottlePolicy;
}

/** Builds the fastify app of cellgate's HTTP API (not listening; call `listen` or `inject`). */
export async function buildHttpApi(options: HttpApiOptions): Promise<FastifyInstance> {
  const fastify: FastifyInstance = Fastify({
    // Request log lines go through `httpLogSerializers` (no secret in a logged URL).
    ...(options.logger ? { loggerInstance: options.logger.child({}, { serializers: httpLogSerializers }) as FastifyInstance['log'] } : { logger: false }),
    // Per route (body-limits.ts); this is only the ceiling of a route that somehow has none.
    bodyLimit: BODY_LIMITS.default,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, allowUnionTypes: true } },
  });
  const routes: RegisteredRoute[] = [];
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const spec = route.config?.spec;
    // Every route must say which operation it is and how it is authenticated.
    if (!spec) throw new Error(`route ${String(route.method)} ${route.url} has no config.spec`);
    route.bodyLimit ??= bodyLimitOf(route);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, spec, schema: route.schema as RegisteredRoute['schema'] });
  });

  // Bodies are JSON; an empty body is no body (clients post actions like `activate` without one).
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new PlatformError(domainError('COM0002')), undefined);
    }
  });

  fastify.decorate('cellgateRoutes', routes);
  fastify.decorateRequest('principal', null);
  fastify.decorateRequest('coverageType', 'g');
  const ctx = options.platform.ctx;

  // Callback style: a caller whose token is in the token cache is authenticated and authorised
  // synchronously (no promise per request); only a cache miss waits for the store. An early answer
  // is `reply.send` without `done()`; a failure is `done(error)` (→ `handleError`).
  fastify.addHook('onRequest', (request, reply, done) => {
    const coverage = request.headers[COVERAGE_HEADER] ?? 'g';
    if (!isCoverageType(coverage)) return void sendError(reply, domainError('OPM0005'));
    request.coverageType = coverage;
    const spec = request.routeOptions.config?.spec;
    if (!spec || spec.auth === 'public' || spec.auth === 'session') return done();
    if (spec.auth === 'network' || (spec.auth === 'admin' && request.headers.authorization !== undefined)) {
      verifyNetworkToken(request, reply, options.networkToken).then((answered) => answered === undefined && done(), done);
      return;
    }
    const authorise = (principal: Principal): void => {
      request.principal = principal;
      if (principal.userName === null || spec.auth === 'self') return done();
      if (spec.auth === 'root' || spec.auth === 'admin') return void sendError(reply, domainError('AUM0005'));
      if (ROOT_ONLY_TAGS.includes(spec.tag)) return void sendError(reply, domainError('AUM0006'));
      if (!isAllowed(principal.permission, `${spec.tag}:${spec.operationId}`)) {
        return void sendError(reply, domainError('AUM0005', `(${spec.tag}:${spec.operationId})`));
      }
      done();
    };
    const apiKey = header(request.headers['x-soracom-api-key']);
    const token = header(request.headers['x-soracom-token']);
    let cached: Principal | undefined;
    try {
      cached = verifyCachedToken(ctx, apiKey, token);
    } catch (error) {
      return done(error as Error);
    }
    if (cached) authorise(cached);
    else verifyToken(ctx, apiKey, token).then(authorise, done);
  });
  // A missing body validates as `{}`, so "required property" errors name what is missing.
  // Callback style: synchronous work, so no promise and no microtask hop on every request.
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined || request.body === null) request.body = {};
    done();
  });
  fastify.setErrorHandler(handleError);
  fastify.setNotFoundHandler((_request, reply) => sendError(reply, domainError('COM0003')));

  registerAuthRoutes(fastify, ctx, new LoginThrottle(options.loginThrottle));
  registerSubscriberRoutes(fastify, ctx);
  registerSimRoutes(fastify, ctx);
  registerSmsRoutes(fastify, ctx);
  registerOperatorRoutes(fastify, ctx);
  registerSandboxRoutes(fastify, ctx);
  registerSandboxKnobRoutes(fastify, ctx);
  registerCalendarRoutes(fastify, ctx);
  registerBillingRoutes(fastify, ctx);
  registerPaymentRoutes(fastify, ctx);
  registerTransferRoutes(fastify, ctx);
  registerEsimOrderRoutes(fastify, ctx);
  registerCellgateTransferEsimRoutes(fastify, ctx);
  registerDeviceRoutes(fastify, () => options.devices);
  registerNetworkRoutes(fastify, ctx, options.platform.gate);
  registerEumCertificateRoutes(fastify, ctx);
  registerGroupRoutes(fastify, ctx);
  registerMetadataRoutes(fastify, ctx);
  registerStatusHistoryRoutes(fastify, ctx);
  registerWhoamiRoutes(fastify);
  registerLiveEventRoutes(fastify, ctx);
  registerConsoleRoutes(fastify, options.consoleDir === undefined ? findConsoleDir() : options.consoleDir);
  registerCellgateRoutes(fastify, { platform: options.platform, openApi: () => buildOpenApi(routes) });
  await fastify.ready();
  return fastify;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
