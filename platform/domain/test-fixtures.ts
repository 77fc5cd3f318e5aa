import { newSim, register, type Subscriber, type SubscriberStatus, type Subscription } from './subscriber.js';

/** A registered subscriber in `status`, for rule tests (not used by production code). */
export function subscriberIn(status: SubscriberStatus, subscription: Subscription = 'plan01s', over: Partial<Subscriber> = {}): Subscriber {
  const sim = newSim({
    imsi: '295050000000001',
    msisdn: '423000000001',
    iccid: '8942310000000000001',
    serialNumber: 'SN0000000001',
    ipAddress: '10.0.0.1',
    registrationSecret: '12345678',
    operatorId: 'OP0000000001',
    subscription,
    coverageType: 'g',
    now: 0,
  });
  const r = register(sim, { operatorId: 'OP0000000001', registrationSecret: '12345678', now: 0 });
  if (!r.ok) throw new Error(r.error.message);
  return { ...r.value, status, ...over };
}
