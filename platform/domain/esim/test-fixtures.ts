/** Test fixtures shared by the eSIM tests (not shipped behaviour). */
import type { EsimProfile } from './esim-profile.js';
import type { ProfileIdentity } from './profile-order.js';

export const OPERATOR = 'OP0000000001';
export const SMDP = 'smdp.cellgate.test';

/** A number pool with `size` identities, then dry. */
export function pool(size: number): (index: number) => ProfileIdentity | undefined {
  let handed = 0;
  return () => {
    if (handed >= size) return undefined;
    handed++;
    const n = String(handed).padStart(6, '0');
    return { simId: `8942310022000${n}`, imsi: `295050900${n}`, iccidPayload: `8942310022000${n}` };
  };
}

/** Deterministic stand-in for a CSPRNG. */
export function countingBytes(seed = 0): (n: number) => Uint8Array {
  let next = seed;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

const T0 = Date.UTC(2025, 5, 19, 1, 0, 0);

/** A freshly provisioned profile (Registered). */
export function registeredProfile(overrides: Partial<EsimProfile> = {}): EsimProfile {
  return {
    profileOrderId: 'order-1',
    operatorId: 'OP0000000001',
    simId: '8942310022000000017',
    imsi: '295050900000001',
    iccid: '89423100220000000017',
    subscription: 'plan01s',
    smdpAddress: 'smdp.cellgate.test',
    matchingId: 'AAAAAAAA-BBBBBBBB-CCCCCCCC-DDDDDDDD-EEEEEEEE',
    activationCode: 'LPA:1$smdp.cellgate.test$AAAAAAAA-BBBBBBBB-CCCCCCCC-DDDDDDDD-EEEEEEEE',
    state: 'registered',
    profileStatus: 'SUBSCRIBER_REGISTRATION_SUCCEEDED',
    createdTime: T0,
    installedTime: null,
    lastModifiedTime: T0,
    deletedButNotTerminated: false,
    ...overrides,
  };
}

