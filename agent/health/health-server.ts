/**
 * The agent's health and metrics endpoint: plain `node:http` on loopback (a gateway's local
 * watchdog and a Prometheus agent scrape it; nothing outside the box should).
 *
 * - `GET /healthz` → 200 with the status summary (JSON), or 503 with the same body and a
 *   `reason` while the modem does not answer or the process is shutting down.
 * - `GET /metrics` → Prometheus text exposition format.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenError } from '../../common/listen-error.js';
import type { Logger } from '../../common/log.js';
import type { HealthReport } from './health-report.js';

export interface HealthServerOptions {
  /** [choice] 127.0.0.1 unless configured: the endpoint is for the gateway itself. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  health(): HealthReport;
  registry: Registry;
  logger: Logger;
}

export interface RunningHealthServer {
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const report = options.health();
      response.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(`${JSON.stringify(report)}\n`);
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) => {
          options.logger.error({ err: error }, 'metrics collection failed');
          response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
        },
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError('health endpoint', options.host, options.port, error)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  options.logger.info({ url }, 'health endpoint listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
