/**
 * Short messages to SIMs (docs/sms.md): `sendSms` (by IMSI), `sendSmsByMsisdn`, `sendSmsToSim`
 * accept a text (202 + messageId), store it, and order the radio side to deliver it — through the
 * durable stream `sms-deliver-orders` that a remote radio side reads as Server-Sent Events. The
 * radio side reports delivery; the record then reads `delivered`.
 */
import { PlatformError, domainError, unwrap } from '../domain/errors.js';
import { planSms, type SmsEncodingType, type SmsMessage } from '../domain/sms.js';
import type { Subscriber } from '../domain/subscriber.js';
import { offsetAt } from '../domain/transfer/business-calendar.js';
import type { SmsDeliveryReport } from '../contract/network-gate.js';
import { useCase, type AppContext } from './context.js';
import { randomHex } from './ids.js';
import { SUBSCRIBER_KIND, loadSubscriber, type Scope } from './subscribers.js';
import { calendarOf } from './support-transfers.js';

export const SMS_KIND = 'sms';

export interface SendSmsRequest {
  encodingType?: SmsEncodingType;
  payload: string;
}

export async function sendSms(ctx: AppContext, scope: Scope, imsi: string, request: SendSmsRequest): Promise<{ messageId: string }> {
  return useCase(ctx, async (tx, emit) => {
    const subscriber = await loadSubscriber(tx, imsi, scope);
    const now = ctx.clock.now();
    const { message, order } = unwrap(
      planSms({
        subscriber,
        messageId: randomHex(ctx.random, 16),
        originator: ctx.config.smsOriginator,
        encodingType: request.encodingType ?? 2,
        payload: request.payload,
        now,
        utcOffsetMinutes: Math.round(offsetAt(now, calendarOf(ctx, subscriber.coverageType).timeZone) / 60_000),
      }),
    );
    await tx.put(SMS_KIND, message.messageId, message, imsi);
    await emit([order]);
    return { messageId: message.messageId };
  });
}

/** `sendSmsByMsisdn`: the caller's SIM with that MSISDN (SEM0001 when none). */
export async function sendSmsByMsisdn(ctx: AppContext, scope: Scope, msisdn: string, request: SendSmsRequest): Promise<{ messageId: string }> {
  const imsi = await ctx.store.transaction(async (tx) => {
    for (let after: string | undefined; ; ) {
      const batch = await tx.list<Subscriber>(SUBSCRIBER_KIND, { partition: scope.operatorId, after, limit: 500 });
      const hit = batch.find((s) => s.msisdn === msisdn && s.registered && (!scope.coverageType || s.coverageType === scope.coverageType));
      if (hit) return hit.imsi;
      if (batch.length < 500) return undefined;
      after = batch.at(-1)!.imsi;
    }
  });
  if (!imsi) throw new PlatformError(domainError('SEM0001', `(MSISDN ${msisdn})`));
  return sendSms(ctx, scope, imsi, request);
}

/** The radio side's delivery report: the message reads `delivered` (once; repeats change nothing). */
export async function recordSmsDelivery(ctx: AppContext, report: SmsDeliveryReport): Promise<void> {
  await useCase(ctx, async (tx) => {
    const m = await tx.get<SmsMessage>(SMS_KIND, report.messageId);
    if (!m || m.imsi !== report.imsi || m.status === 'delivered') return;
    await tx.put(SMS_KIND, m.messageId, { ...m, status: 'delivered', deliveredTime: ctx.clock.now() } satisfies SmsMessage, m.imsi);
  });
}

/** The messages sent to a SIM of the caller, newest first (`GET /_cellgate/subscribers/{imsi}/sms`). */
export async function listSms(ctx: AppContext, scope: Scope, imsi: string): Promise<SmsMessage[]> {
  return ctx.store.transaction(async (tx) => {
    await loadSubscriber(tx, imsi, scope);
    const all = await tx.list<SmsMessage>(SMS_KIND, { partition: imsi });
    return all.filter((m) => m.operatorId === scope.operatorId).sort((a, b) => b.sentTime - a.sentTime);
  });
}
