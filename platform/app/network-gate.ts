import type {
  AttachDecision,
  AttachRequest,
  CellInfo,
  NetworkGate,
  SessionClosed,
  SessionDecision,
  SessionDeleteOrder,
  SessionRequest,
  SmsDeliverOrder,
  SmsDeliveryReport,
  UsageReport,
} from '../contract/network-gate.js';
import type { SmsDeliverOrdered } from '../domain/events.js';
import { recordSmsDelivery } from './sms.js';
import { attachVerdict, modifySession, openSession } from '../domain/session.js';
import { closeSession } from '../domain/session-close.js';
import type { SessionCell, Subscriber } from '../domain/subscriber.js';
import { STREAMS, useCase, type AppContext, type UsageRecord } from './context.js';
import { randomHex } from './ids.js';
import { recordTransferDropOut } from './ready-transfers.js';
import { sessionIpFor } from './session-ips.js';
import { SUBSCRIBER_KIND, commitSubscriberChange } from './subscribers.js';

/** DNS servers handed out with every session (the values of seed 003's example). */
export const SESSION_DNS_SERVERS = ['100.127.0.53', '100.127.1.53'];

const RADIO_TYPES: Record<CellInfo['radioType'], string> = { lte: 'LTE', 'lte-m': 'LTE-M', 'nb-iot': 'NB-IoT' };

/** Contract cell → reference `Cell` (enum strings and integer MCC/MNC). */
export function toSessionCell(cell: CellInfo): SessionCell {
  return { radioType: RADIO_TYPES[cell.radioType], mcc: Number(cell.mcc), mnc: Number(cell.mnc), tac: cell.tac, eci: cell.eci };
}

/**
 * The platform side of the network gate, in-process: the radio network asks here whether a SIM
 * may register and open a session; status rules decide (SPEC §1.2). Deleting a session on the
 * platform (API, status change, idle timeout, expiry) reaches the radio side through
 * `onSessionDeleteOrder`.
 */
export class PlatformNetworkGate implements NetworkGate {
  constructor(private readonly ctx: AppContext) {}

  async attach(request: AttachRequest): Promise<AttachDecision> {
    const s = await this.ctx.store.transaction((tx) => tx.get<Subscriber>(SUBSCRIBER_KIND, request.imsi));
    return attachVerdict(s);
  }

  async createSession(request: SessionRequest): Promise<SessionDecision> {
    const ctx = this.ctx;
    return useCase(ctx, async (tx, emit): Promise<SessionDecision> => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, request.imsi);
      const verdict = openSession(before, {
        sessionId: randomHex(ctx.random, 16),
        imei: request.imei,
        apn: request.apn,
        cell: toSessionCell(request.cell),
        dnsServers: SESSION_DNS_SERVERS,
        at: ctx.clock.now(),
        ...(before?.registered ? { ueIpAddress: await sessionIpFor(tx, request.imsi) } : {}),
      });
      if (!verdict.allowed) return verdict;
      await commitSubscriberChange(ctx, tx, emit, before, verdict.subscriber, verdict.events);
      // A transferring SIM that connects leaves its Ready transfer; the others stay (SPEC §1.2).
      if (before && verdict.events.some((e) => e.type === 'transfer-drop-out')) await recordTransferDropOut(ctx, tx, before, ctx.clock.now());
      const st = verdict.subscriber.sessionStatus!;
      return { allowed: true, sessionId: st.sessionId!, ueIpAddress: st.ueIpAddress!, dnsServers: st.dnsServers ?? [] };
    });
  }

  async modifySession(request: SessionRequest & { sessionId: string }): Promise<void> {
    const ctx = this.ctx;
    await useCase(ctx, async (tx, emit) => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, request.imsi);
      if (!before) return;
      const r = modifySession(before, { sessionId: request.sessionId, imei: request.imei, cell: toSessionCell(request.cell), at: ctx.clock.now() });
      await commitSubscriberChange(ctx, tx, emit, before, r.subscriber, r.events);
    });
  }

  async closeSession(closed: SessionClosed): Promise<void> {
    const ctx = this.ctx;
    await useCase(ctx, async (tx, emit) => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, closed.imsi);
      if (!before || before.sessionStatus?.sessionId !== closed.sessionId) return;
      const r = closeSession(before, ctx.clock.now(), false);
      await commitSubscriberChange(ctx, tx, emit, before, r.subscriber, r.events);
    });
  }

  async reportUsage(report: UsageReport): Promise<void> {
    const ctx = this.ctx;
    await useCase(ctx, async (tx, emit) => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, report.imsi);
      if (!before) return;
      const now = ctx.clock.now();
      const record: UsageRecord = {
        imsi: report.imsi,
        operatorId: before.operatorId,
        coverageType: before.coverageType,
        subscription: before.subscription,
        speedClass: before.speedClass,
        uplinkBytes: report.uplinkBytes,
        downlinkBytes: report.downlinkBytes,
        at: now,
        source: 'network',
      };
      await tx.append(STREAMS.usage, report.imsi, now, record);
      if (before.sessionStatus?.online && before.sessionStatus.sessionId === report.sessionId) {
        await commitSubscriberChange(ctx, tx, emit, before, { ...before, lastActivityAt: now }, []);
      }
    });
  }

  onSmsDeliverOrder(handler: (order: SmsDeliverOrder) => void): () => void {
    if (this.ctx.store.shared) return followOrders(this.ctx, STREAMS.smsDeliverOrders, toSmsDeliverOrder, handler);
    const listener = (e: { type: string }): void => {
      if (e.type === 'sms-deliver-ordered') handler(toSmsDeliverOrder(e as SmsDeliverOrdered));
    };
    this.ctx.listeners.add(listener);
    return () => this.ctx.listeners.delete(listener);
  }

  async reportSmsDelivery(report: SmsDeliveryReport): Promise<void> {
    await recordSmsDelivery(this.ctx, report);
  }

  onSessionDeleteOrder(handler: (order: SessionDeleteOrder) => void): () => void {
    if (this.ctx.store.shared) return followOrders<SessionDeleteOrder, SessionDeleteOrder>(this.ctx, STREAMS.sessionDeleteOrders, (b) => ({ imsi: b.imsi, sessionId: b.sessionId }), handler);
    const listener = (e: { type: string }): void => {
      if (e.type === 'session-delete-ordered') {
        const order = e as unknown as SessionDeleteOrder;
        handler({ imsi: order.imsi, sessionId: order.sessionId });
      }
    };
    this.ctx.listeners.add(listener);
    return () => this.ctx.listeners.delete(listener);
  }
}

/**
 * Several processes share the store: an order may be committed by any of them, so the radio side
 * in this process follows the durable order stream from where it was when it subscribed, woken by
 * the store's notifications (and re-reading after a reconnect).
 */
function followOrders<T, O>(ctx: AppContext, stream: string, toOrder: (body: T) => O, handler: (order: O) => void): () => void {
  let cursor: number | null = null;
  let stopped = false;
  let reading: Promise<void> = Promise.resolve();
  const read = (): void => {
    reading = reading
      .then(async () => {
        if (stopped) return;
        for (;;) {
          const records = await ctx.store.transaction((tx) =>
            cursor === null ? tx.readStream<T>(stream, { descending: true, limit: 1 }) : tx.readStream<T>(stream, { afterSeq: cursor, limit: 500 }),
          );
          if (cursor === null) {
            cursor = records[0]?.seq ?? 0;
            return;
          }
          for (const r of records) {
            cursor = r.seq;
            if (!stopped) handler(toOrder(r.body));
          }
          if (records.length < 500) return;
        }
      })
      .catch((error: unknown) => ctx.logger.error({ err: (error as Error).message, stream }, 'order stream failed'));
  };
  read();
  const listening = ctx.store.listen(stream, () => read());
  return () => {
    stopped = true;
    void listening.then((stop) => stop());
  };
}

/** The contract shape of a stored `sms-deliver-ordered` event. */
export function toSmsDeliverOrder(e: SmsDeliverOrdered): SmsDeliverOrder {
  return { imsi: e.imsi, messageId: e.messageId, originator: e.originator, encoding: e.encoding, text: e.text, sentAt: e.sentAt, utcOffsetMinutes: e.utcOffsetMinutes };
}
