import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { deviceTopic } from '../platform/contract/topics.js';
import { startPlatform } from '../platform/index.js';
import { createOperator } from '../platform/app/accounts.js';
import { mosquittoAvailable, startMosquittoDynsec } from './broker-fixtures.js';
import { eventually } from './link-fixtures.js';

const ADMIN = { username: 'cellgate-admin', password: 'admin-secret-for-this-test-only' };
// Skipped only on a developer machine without mosquitto; in CI (.ci/run installs it) it always runs.
const suite = mosquittoAvailable() || process.env.CI ? describe : describe.skip;

async function refused(url: string, username: string, password: string, clientId = username): Promise<string> {
  try {
    const c = await mqtt.connectAsync(url, { username, password, clientId, reconnectPeriod: 0, connectTimeout: 5_000 });
    await c.endAsync();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

suite('Mosquitto dynamic security, managed live by the platform (skipped when no `mosquitto` binary is on PATH)', () => {
  it('creates a device client on registration, isolates it, re-keys it, and deletes it on revoke — no files, no SIGHUP', async () => {
    const mosquitto = await startMosquittoDynsec(ADMIN);
    const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-dynsec-platform-'));
    const platform = await startPlatform({ dataDir, mqtt: { externalUrl: mosquitto.url, dynamicSecurity: ADMIN }, mqttPasswordIterations: 1_000 });
    const clock = new RealClock();
    const outbox = new Outbox(join(mkdtempSync(join(tmpdir(), 'cellgate-dynsec-outbox-')), 'outbox.db'), { clock });
    try {
      await platform.hub.start();
      const op = await createOperator(platform.app.ctx, { email: 'dynsec@example.com', password: 'dynsec password' });
      const creds = await platform.devices.register(op.operatorId, 'gw-dynsec-1');
      const other = await platform.devices.register(op.operatorId, 'gw-dynsec-2');

      // Live: the new client logs in at once, with its own client id only.
      const link = new AgentLink({ deviceId: 'gw-dynsec-1', url: mosquitto.url, password: creds.password, agentVersion: '0.1.0', outbox, clock, backoff: { initialMs: 20, maxMs: 200 } });
      link.start();
      await link.whenConnected();
      const key = link.emitEvent('session.up', { ip: '10.0.0.9' });
      await link.whenAcknowledged(key);
      const events = await platform.devices.eventsFor(op.operatorId, 'gw-dynsec-1');
      expect(events.events.map((e) => e.key)).toEqual([key]);
      expect(await refused(mosquitto.url, 'gw-dynsec-1', creds.password, 'someone-else')).toMatch(/Not authorized/);
      expect(await refused(mosquitto.url, 'gw-dynsec-1', 'wrong')).toMatch(/Not authorized/);

      // Isolation: gw-dynsec-2 can neither read gw-dynsec-1's commands nor forge its events.
      const spy = await mqtt.connectAsync(mosquitto.url, { username: 'gw-dynsec-2', password: other.password, clientId: 'gw-dynsec-2', reconnectPeriod: 0 });
      // mqtt.js rejects a subscription the broker refused (SUBACK 0x80).
      await expect(spy.subscribeAsync(deviceTopic('gw-dynsec-1', 'commands/req'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
      await spy.publishAsync(deviceTopic('gw-dynsec-1', 'events'), JSON.stringify({ v: 1, key: 'forged', deviceId: 'gw-dynsec-1', type: 'x', data: {}, createdAt: 1 }), { qos: 1 });
      await spy.endAsync();

      // Re-registration rotates the secret: the old one stops working, the new one works.
      const rotated = await platform.devices.register(op.operatorId, 'gw-dynsec-2');
      expect(await refused(mosquitto.url, 'gw-dynsec-2', other.password)).toMatch(/Not authorized/);
      expect(await refused(mosquitto.url, 'gw-dynsec-2', rotated.password)).toBe('connected');

      // Revoke: the plugin disconnects the live client, and it cannot log in again.
      await platform.devices.revoke('gw-dynsec-1');
      await eventually(() => link.state !== 'connected', 5_000, 'revoked device disconnected');
      expect(await refused(mosquitto.url, 'gw-dynsec-1', creds.password)).toMatch(/Not authorized/);
      await link.stop();
      const after = await platform.store.transaction((tx) => tx.readStream('device-events'));
      expect(after.map((r) => (r.body as { key: string }).key)).toEqual([key]);
      // Nothing was written for the broker: the data dir holds only the platform's own store.
      expect(readdirSync(dataDir).filter((f) => !f.startsWith('platform.sqlite'))).toEqual([]);
    } finally {
      outbox.close();
      await platform.close();
      await mosquitto.stop();
    }
  });
});
