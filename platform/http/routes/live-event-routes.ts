import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { formatCursor, liveAudience, liveCursorNow, parseCursor, readLiveEvents, type LiveCursor } from '../../app/live-events.js';

/**
 * [choice] How often an open stream looks at the store for changes committed by another platform
 * process sharing it; changes of this process wake the stream at once. Real time, not the
 * platform's clock: a virtual clock that nobody moves must not freeze the console.
 */
const POLL_MS = 500;
/** A comment line now and then keeps idle proxies from closing the stream. */
const HEARTBEAT_EVERY_POLLS = 30;

/**
 * `GET /_cellgate/events`: the console's live updates as Server-Sent Events (docs/console.md):
 * `sim` (online / status of the caller's SIMs) and `device-event` (events its devices delivered).
 * Authenticated like every API call (headers, so a browser reads it with `fetch`, not
 * `EventSource`, and the token never goes into a URL); `Last-Event-ID` resumes where a dropped
 * connection stopped.
 */
export function registerLiveEventRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const open = new Set<ServerResponse>();
  fastify.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  fastify.get('/_cellgate/events', { config: { spec: { operationId: 'streamCellgateEvents', tag: 'Cellgate' } } }, async (request, reply) => {
    const audience = liveAudience(request.principal!);
    let cursor: LiveCursor = parseCursor(header(request.headers['last-event-id'])) ?? (await liveCursorNow(ctx));
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(`retry: 2000\n: cellgate live events\n\n`);
    open.add(raw);
    let closed = false;
    let pumping = false;
    let again = false;
    let polls = 0;
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          const read = await readLiveEvents(ctx, audience, cursor);
          if (closed) return;
          cursor = read.cursor;
          read.events.forEach((e, i) => {
            const id = i === read.events.length - 1 ? `id: ${formatCursor(cursor)}\n` : '';
            raw.write(`${id}event: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
          });
          if (read.more) again = true;
        } while (again && !closed);
      } catch (error) {
        ctx.logger.error({ err: (error as Error).message }, 'live event stream failed');
      } finally {
        pumping = false;
      }
    };
    const listener = (e: { type: string }): void => {
      if (e.type === 'session-event' || e.type === 'status-changed') void pump();
    };
    ctx.listeners.add(listener);
    const timer = setInterval(() => {
      if (++polls % HEARTBEAT_EVERY_POLLS === 0) raw.write(': heartbeat\n\n');
      void pump();
    }, POLL_MS);
    raw.on('close', () => {
      closed = true;
      open.delete(raw);
      ctx.listeners.delete(listener);
      clearInterval(timer);
    });
    void pump();
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
