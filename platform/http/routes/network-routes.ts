import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STREAMS, type AppContext } from '../../app/context.js';
import type { PlatformNetworkGate } from '../../app/network-gate.js';
import { NETWORK_HTTP_PATHS, SESSION_DELETE_EVENT, SMS_DELIVER_EVENT, type CloseSessionBody, type ModifySessionBody } from '../../contract/network-http.js';
import type { AttachRequest, SessionDeleteOrder, SessionRequest, UsageReport } from '../../contract/network-gate.js';
import type { SmsDeliverOrdered } from '../../domain/events.js';
import { toSmsDeliverOrder } from '../../app/network-gate.js';
import { domainError } from '../../domain/errors.js';
import { sendError } from '../errors.js';

const SPEC = (operationId: string) => ({ spec: { operationId, tag: 'Network', auth: 'network' as const } });
const IMSI = { type: 'string', pattern: '^[0-9]{5,15}$' };
const CELL = {
  type: 'object',
  required: ['radioType', 'mcc', 'mnc', 'tac', 'eci'],
  properties: {
    radioType: { type: 'string', enum: ['lte', 'lte-m', 'nb-iot'] },
    mcc: { type: 'string', pattern: '^[0-9]{3}$' },
    mnc: { type: 'string', pattern: '^[0-9]{2,3}$' },
    tac: { type: 'integer', minimum: 0 },
    eci: { type: 'integer', minimum: 0 },
  },
};
const SESSION_REQUEST = {
  type: 'object',
  required: ['imsi', 'imei', 'apn', 'cell'],
  properties: { imsi: IMSI, imei: { type: 'string', maxLength: 32 }, apn: { type: 'string', maxLength: 100 }, cell: CELL },
};
const SESSION_PARAMS = { type: 'object', properties: { session_id: { type: 'string', maxLength: 128 } } };
/** [choice] A heartbeat comment keeps idle proxies from closing the order stream. */
const HEARTBEAT_MS = 15_000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The platform's own token hashed once, not on every gate call (a barrier shard makes one per attach, session, usage report). */
let known: { token: string; digest: Buffer } | undefined;
function tokenDigest(token: string): Buffer {
  if (known?.token !== token) known = { token, digest: digest(token) };
  return known.digest;
}

/** onRequest check of `auth: 'network'` routes: `Authorization: Bearer <network token>`. */
export async function verifyNetworkToken(request: FastifyRequest, reply: FastifyReply, token: string | undefined): Promise<FastifyReply | undefined> {
  const header = request.headers.authorization;
  const presented = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : '';
  if (!presented) return sendError(reply, domainError('NET0001'));
  if (!token || !timingSafeEqual(digest(presented), tokenDigest(token))) return sendError(reply, domainError('NET0002'));
  return undefined;
}

/**
 * The network gate for a radio side in another process (docs/platform.md "Remote network
 * gate"): the `NetworkGate` calls as POSTs, and session delete orders as Server-Sent Events
 * replayed from the durable `session-delete-orders` stream.
 */
export function registerNetworkRoutes(fastify: FastifyInstance, ctx: AppContext, gate: PlatformNetworkGate): void {
  const streams = new Set<ServerResponse>();
  fastify.addHook('preClose', async () => {
    for (const raw of streams) raw.end();
  });

  fastify.post(
    NETWORK_HTTP_PATHS.attach,
    { schema: { body: { type: 'object', required: ['imsi', 'imei'], properties: { imsi: IMSI, imei: { type: 'string', maxLength: 32 } } } }, config: SPEC('networkAttach') },
    async (request) => gate.attach(request.body as AttachRequest),
  );
  fastify.post(NETWORK_HTTP_PATHS.sessions, { schema: { body: SESSION_REQUEST }, config: SPEC('networkCreateSession') }, async (request) =>
    gate.createSession(request.body as SessionRequest),
  );
  fastify.post(
    '/_cellgate/network/sessions/:session_id/modify',
    { schema: { params: SESSION_PARAMS, body: SESSION_REQUEST }, config: SPEC('networkModifySession') },
    async (request, reply) => {
      const { session_id } = request.params as { session_id: string };
      await gate.modifySession({ ...(request.body as ModifySessionBody), sessionId: session_id });
      return reply.code(204).send();
    },
  );
  fastify.post(
    '/_cellgate/network/sessions/:session_id/close',
    {
      schema: {
        params: SESSION_PARAMS,
        body: { type: 'object', required: ['imsi', 'reason'], properties: { imsi: IMSI, reason: { type: 'string', enum: ['device', 'network', 'idle-timeout'] } } },
      },
      config: SPEC('networkCloseSession'),
    },
    async (request, reply) => {
      const { session_id } = request.params as { session_id: string };
      await gate.closeSession({ ...(request.body as CloseSessionBody), sessionId: session_id });
      return reply.code(204).send();
    },
  );
  fastify.post(
    NETWORK_HTTP_PATHS.usage,
    {
      schema: {
        body: {
          type: 'object',
          required: ['imsi', 'sessionId', 'uplinkBytes', 'downlinkBytes'],
          properties: { imsi: IMSI, sessionId: { type: 'string', maxLength: 128 }, uplinkBytes: { type: 'integer', minimum: 0 }, downlinkBytes: { type: 'integer', minimum: 0 } },
        },
      },
      config: SPEC('networkReportUsage'),
    },
    async (request, reply) => {
      await gate.reportUsage(request.body as UsageReport);
      return reply.code(204).send();
    },
  );

  fastify.post(
    '/_cellgate/network/sms/:message_id/report',
    {
      schema: {
        params: { type: 'object', properties: { message_id: { type: 'string', maxLength: 64 } } },
        body: { type: 'object', required: ['imsi', 'outcome'], properties: { imsi: IMSI, outcome: { type: 'string', enum: ['delivered'] } } },
      },
      config: SPEC('networkReportSmsDelivery'),
    },
    async (request, reply) => {
      const { imsi } = request.body as { imsi: string };
      await gate.reportSmsDelivery({ imsi, messageId: (request.params as { message_id: string }).message_id, outcome: 'delivered' });
      return reply.code(204).send();
    },
  );

  fastify.get(NETWORK_HTTP_PATHS.orders, { config: SPEC('networkStreamOrders') }, async (request, reply) => {
    const lastEventId = Number(request.headers['last-event-id']);
    let cursor = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : await streamEnd(ctx);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    raw.write(': session delete orders\n\n');
    streams.add(raw);
    let closed = false;
    let pumping: Promise<void> | null = null;
    let again = false;
    const pump = (): void => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = (async () => {
        do {
          again = false;
          // Both order streams share the store's one sequence: merged by it, `id:` stays monotonic.
          const [deletes, sms] = await ctx.store.transaction(async (tx) => [
            await tx.readStream<SessionDeleteOrder>(STREAMS.sessionDeleteOrders, { afterSeq: cursor, limit: 500 }),
            await tx.readStream<SmsDeliverOrdered>(STREAMS.smsDeliverOrders, { afterSeq: cursor, limit: 500 }),
          ] as const);
          const full = deletes.length === 500 || sms.length === 500;
          // With a full batch, only what precedes both batches' ends is known to be complete.
          const upTo = full ? Math.min(deletes.at(-1)?.seq ?? Infinity, sms.at(-1)?.seq ?? Infinity) : Infinity;
          const records = [
            ...deletes.map((r) => ({ seq: r.seq, event: SESSION_DELETE_EVENT, data: { imsi: r.body.imsi, sessionId: r.body.sessionId } as unknown })),
            ...sms.map((r) => ({ seq: r.seq, event: SMS_DELIVER_EVENT, data: toSmsDeliverOrder(r.body) as unknown })),
          ]
            .filter((r) => r.seq <= upTo)
            .sort((a, b) => a.seq - b.seq);
          for (const r of records) {
            if (closed) return;
            raw.write(`id: ${r.seq}\nevent: ${r.event}\ndata: ${JSON.stringify(r.data)}\n\n`);
            cursor = r.seq;
          }
          if (full) again = true;
        } while (again && !closed);
      })()
        .catch((error: unknown) => ctx.logger.error({ err: (error as Error).message }, 'network order stream failed'))
        .finally(() => {
          pumping = null;
        });
    };
    // Woken by a commit in any platform process sharing the store (LISTEN/NOTIFY on PostgreSQL);
    // `null` after a reconnect, when a wake-up may have been missed: the pump re-reads either way.
    const stopListening = ctx.store.listen(STREAMS.sessionDeleteOrders, () => pump());
    const stopSmsListening = ctx.store.listen(STREAMS.smsDeliverOrders, () => pump());
    let heartbeat = ctx.ioClock.setTimeout(function beat() {
      if (closed) return;
      raw.write(': heartbeat\n\n');
      heartbeat = ctx.ioClock.setTimeout(beat, HEARTBEAT_MS);
    }, HEARTBEAT_MS);
    raw.on('close', () => {
      closed = true;
      streams.delete(raw);
      void stopListening.then((stop) => stop());
      void stopSmsListening.then((stop) => stop());
      ctx.ioClock.clearTimeout(heartbeat);
    });
    await stopListening;
    await stopSmsListening;
    pump();
  });
}

async function streamEnd(ctx: AppContext): Promise<number> {
  const [deletes, sms] = await ctx.store.transaction(async (tx) => [
    await tx.readStream(STREAMS.sessionDeleteOrders, { descending: true, limit: 1 }),
    await tx.readStream(STREAMS.smsDeliverOrders, { descending: true, limit: 1 }),
  ] as const);
  return Math.max(deletes[0]?.seq ?? 0, sms[0]?.seq ?? 0);
}
