import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { CredentialIssuer } from './credentials.js';
import { CommandTimeoutError, DeviceHub } from './device-hub.js';
import { startBroker, type RunningBroker } from './embedded-broker.js';

describe('DeviceHub.sendCommand', () => {
  let broker: RunningBroker | undefined;
  let hub: DeviceHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    await broker?.close();
  });

  it('times out with CommandTimeoutError and no unhandled rejection when the timeout fires before the publish is acknowledged', async () => {
    const clock = new VirtualClock();
    const issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
    const service = await issuer.issueService('svc.platform');
    broker = await startBroker({ credentials: issuer });
    hub = new DeviceHub({ url: broker.url, username: service.username, password: service.password, clock, handlers: {} });
    await hub.start();

    // The broker holds the PUBACK of the command until released, so the timeout fires first.
    const held: Array<() => void> = [];
    const authorize = broker.aedes.authorizePublish.bind(broker.aedes);
    broker.aedes.authorizePublish = (client, packet, callback) => {
      if (packet.topic.endsWith('/commands/req')) held.push(() => authorize(client, packet, callback));
      else authorize(client, packet, callback);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const sent = hub.sendCommand('dev1', { name: 'reconnect' }, { timeoutMs: 1_000 });
      const settled = sent.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await clock.advance(1_000);
      // Give Node the turns in which it reports a rejection nobody listens to.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      for (const release of held.splice(0)) release();
      const error = await settled;
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect((error as CommandTimeoutError).deviceId).toBe('dev1');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
