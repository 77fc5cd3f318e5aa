import { VirtualClock } from '../../common/clock.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { PlatformStore } from '../store/port.js';
import type { PlatformConfig } from './context.js';
import { createPlatformApp, type PlatformApp } from './platform-app.js';
import { createOperator } from './accounts.js';
import { createSandboxSubscriber, registerSubscriber } from './subscribers.js';
import type { Subscriber, Subscription } from '../domain/subscriber.js';

/** A platform on a virtual clock and an in-memory store, for tests. */
export function testPlatform(config: Partial<PlatformConfig> = {}, store: PlatformStore = new SqliteStore(':memory:')): {
  app: PlatformApp;
  clock: VirtualClock;
  store: PlatformStore;
} {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const app = createPlatformApp({ store, clock, config });
  app.start();
  return { app, clock, store };
}

let emailSeq = 0;

/** An operator plus `n` registered subscribers of `subscription`. */
export async function operatorWithSims(app: PlatformApp, n = 1, subscription: Subscription = 'plan01s'): Promise<{ operatorId: string; sims: Subscriber[] }> {
  const op = await createOperator(app.ctx, { email: `op${emailSeq++}@example.com`, password: 'p@ssw0rd!' });
  const sims: Subscriber[] = [];
  for (let i = 0; i < n; i++) {
    const sim = await createSandboxSubscriber(app.ctx, op.operatorId, 'g', { subscription });
    sims.push(await registerSubscriber(app.ctx, { operatorId: op.operatorId }, sim.imsi, { registrationSecret: sim.registrationSecret }));
  }
  return { operatorId: op.operatorId, sims };
}
