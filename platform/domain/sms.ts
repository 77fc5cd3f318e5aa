/**
 * Short messages to SIMs (reference `sendSms`, `sendSmsByMsisdn`, `sendSmsToSim`; docs/sms.md).
 * Pure: checks a request against the reference's limits and the SIM's status, and builds the
 * message record and the order the radio side delivers.
 */
import { smsLength } from '../../common/sms/pdu.js';
import { fail, ok, type Result } from './errors.js';
import type { SmsDeliverOrdered } from './events.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';


/** Reference `SmsForwardingRequest.encodingType`: 1 GSM 7-bit, 2 UCS2 (the default). */
export type SmsEncodingType = 1 | 2;

/** Reference limits: "Maximum 160 characters (maximum 140 bytes)" / "Maximum 70 characters". */
export const SMS_MAX_LENGTH = { gsm7: 160, ucs2: 70 } as const;

/**
 * [choice] Statuses whose SIM takes short messages: `ready` and `active` (a device may register
 * with them); inactive, standby and suspended SIMs carry no traffic, terminated ones are gone.
 */
export const SMS_STATUSES: readonly SubscriberStatus[] = ['ready', 'active'];

export interface SmsMessage {
  messageId: string;
  imsi: string;
  operatorId: string;
  msisdn: string;
  originator: string;
  encodingType: SmsEncodingType;
  payload: string;
  /** `sent`: handed to the network; `delivered`: the device stored it. */
  status: 'sent' | 'delivered';
  sentTime: number;
  deliveredTime: number | null;
}

export function planSms(input: {
  subscriber: Subscriber;
  messageId: string;
  originator: string;
  encodingType: SmsEncodingType;
  payload: string;
  now: number;
  utcOffsetMinutes: number;
}): Result<{ message: SmsMessage; order: SmsDeliverOrdered }> {
  const { subscriber: s, payload } = input;
  const encoding = input.encodingType === 1 ? 'gsm7' : 'ucs2';
  const length = smsLength(payload, encoding);
  if (length === undefined) return fail('SMS0002');
  if (length === 0 || length > SMS_MAX_LENGTH[encoding]) return fail('SMS0001', `(${length})`);
  if (!SMS_STATUSES.includes(s.status)) return fail('SMS0003', `(${s.status})`);
  const message: SmsMessage = {
    messageId: input.messageId,
    imsi: s.imsi,
    operatorId: s.operatorId,
    msisdn: s.msisdn,
    originator: input.originator,
    encodingType: input.encodingType,
    payload,
    status: 'sent',
    sentTime: input.now,
    deliveredTime: null,
  };
  const order: SmsDeliverOrdered = {
    type: 'sms-deliver-ordered',
    imsi: s.imsi,
    messageId: input.messageId,
    originator: input.originator,
    encoding,
    text: payload,
    sentAt: input.now,
    utcOffsetMinutes: input.utcOffsetMinutes,
  };
  return ok({ message, order });
}
