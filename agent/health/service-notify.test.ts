import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { serviceNotifier } from './service-notify.js';

describe('serviceNotifier', () => {
  it('is absent outside systemd', () => {
    expect(serviceNotifier({ env: {}, logger: silentLogger() })).toBeUndefined();
  });

  it('sends sd_notify assignments, and pings the watchdog at a third of WATCHDOG_USEC', async () => {
    const sent: string[][] = [];
    const notifier = serviceNotifier({ env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '60000000' }, logger: silentLogger(), run: async (a) => void sent.push(a) })!;
    expect(notifier.watchdogIntervalMs).toBe(20_000);
    notifier.ready('online 10.0.0.1');
    notifier.watchdog();
    notifier.stopping('stopping\nnow');
    expect(sent).toEqual([['READY=1', 'STATUS=online 10.0.0.1'], ['WATCHDOG=1'], ['STOPPING=1', 'STATUS=stopping now']]);
  });

  it('has no watchdog when WATCHDOG_PID names another process', () => {
    const notifier = serviceNotifier({ env: { NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }, logger: silentLogger(), pid: 4242, run: async () => undefined });
    expect(notifier?.watchdogIntervalMs).toBeUndefined();
  });
});
