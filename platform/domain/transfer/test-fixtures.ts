/** Test fixtures shared by the transfer tests (not shipped behaviour). */
import type { TransferOperator, TransferSubscriber } from './transfer-subscriber.js';

export const SOURCE = 'OP0000000001';
export const DEST = 'OP0000000002';
export const OTHER = 'OP0000000003';

export function operator(operatorId: string, email: string, overrides: Partial<TransferOperator> = {}): TransferOperator {
  return {
    operatorId,
    email,
    coverage: {
      g: { termsAccepted: true, paymentMethod: 'credit_card' },
      jp: { termsAccepted: true, paymentMethod: 'credit_card' },
    },
    ...overrides,
  };
}

/** A subscriber with every setting a transfer may keep or reset set to a non-default value. */
export function sim(imsi: string, overrides: Partial<TransferSubscriber> & { msisdn?: string } = {}): TransferSubscriber & { msisdn: string } {
  return {
    imsi,
    simId: `89${imsi}`,
    msisdn: `81${imsi.slice(-9)}`,
    operatorId: SOURCE,
    status: 'ready',
    subscription: 'plan01s',
    speedClass: 's1.fast',
    tags: { name: `gw-${imsi.slice(-3)}`, site: 'plant-7' },
    groupId: 'group-src',
    terminationEnabled: true,
    expiryTime: 1_900_000_000_000,
    expiryAction: 'suspend',
    imeiLock: { imei: '356938035643809' },
    coverageType: 'g',
    transferable: true,
    eventHandlerIds: ['eh-1'],
    sessionStatus: null,
    ...overrides,
  };
}

/** Deterministic stand-in for a CSPRNG: counts up from `seed`. */
export function countingBytes(seed = 1): (n: number) => Uint8Array {
  let next = seed;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}
