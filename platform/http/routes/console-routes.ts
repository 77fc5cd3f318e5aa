import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Where the built console is: `dist/console/` beside the compiled platform (`dist/platform/…`) or
 * beside the sources (`platform/…`, tests run from source). Null when it was not built.
 */
export function findConsoleDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [resolve(here, '../../../console'), resolve(here, '../../../dist/console')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/**
 * The web console (docs/console.md): static files built by `npm run build` from
 * `platform/console/`, served under `/console`. They are public like any login page; everything
 * they show comes from the authenticated API.
 */
export function registerConsoleRoutes(fastify: FastifyInstance, consoleDir: string | null): void {
  const spec = (operationId: string) => ({ spec: { operationId, tag: 'Cellgate', auth: 'public' as const } });
  const send = async (reply: FastifyReply, relative: string): Promise<FastifyReply> => {
    if (!consoleDir) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build` (npm start and npm test do).\n');
    }
    const file = normalize(join(consoleDir, relative));
    if (!file.startsWith(consoleDir + sep) || !TYPES[extname(file)]) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
    }
    // Built assets carry a content hash in their name; the page itself must always be fresh.
    const immutable = relative.startsWith('assets/');
    return reply
      .type(TYPES[extname(file)]!)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  fastify.get('/console', { config: spec('getCellgateConsole') }, async (_request, reply) => reply.redirect('/console/'));
  fastify.get('/console/*', { config: spec('getCellgateConsoleFile') }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    return send(reply, path === '' ? 'index.html' : path);
  });
}
