import { afterEach, describe, expect, it } from 'vitest';
import { MqttClient } from 'mqtt';
import { CredentialIssuer } from './credentials.js';
import { startBroker, type RunningBroker } from './embedded-broker.js';

describe('embedded broker under a burst', () => {
  let broker: RunningBroker | undefined;
  afterEach(async () => {
    await broker?.close();
  });

  it('delivers a burst of thousands of messages without overflowing the stack', async () => {
    const issuer = new CredentialIssuer({ now: () => Date.now(), iterations: 1_000 });
    const svc = await issuer.issueService('svc.platform');
    broker = await startBroker({ credentials: issuer });
    const client = new MqttClient(() => broker!.connectInProcess(), { clientId: 'svc-1', username: svc.username, password: svc.password, protocolVersion: 4, reconnectPeriod: 0, clean: true });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    await client.subscribeAsync('cellgate/v1/devices/+/events', { qos: 0 });
    let received = 0;
    client.on('message', () => received++);
    // Messages to a subscriber are delivered on a later turn and hold aedes' delivery slots;
    // those behind them that nobody subscribes to (like the `$SYS` notice of every connect)
    // complete at once. With a delivery cap they queue up and drain recursively.
    let done = 0;
    const publish = (topic: string): void =>
      broker!.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false }, () => void done++);
    for (let i = 0; i < 300; i++) publish(`cellgate/v1/devices/d${i}/events`);
    for (let i = 0; i < 30_000; i++) publish(`cellgate/v1/devices/d${i}/status`);
    await expect.poll(() => done, { timeout: 10_000 }).toBe(30_300);
    await expect.poll(() => received, { timeout: 10_000 }).toBe(300);
    client.end(true);
  });
});
