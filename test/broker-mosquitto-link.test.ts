import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { CredentialIssuer } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { mosquittoAvailable, startMosquitto } from './broker-fixtures.js';
import { eventually } from './link-fixtures.js';

const DEVICE = '89049032123451234512345678901235'; // an EID as device id
// Skipped only on a developer machine without mosquitto; in CI (.ci/run installs it) it always runs.
const suite = mosquittoAvailable() || process.env.CI ? describe : describe.skip;

suite('agent link ↔ device hub through a real Mosquitto (skipped when no `mosquitto` binary is on PATH)', () => {
  it('delivers outbox entries end to end and queues commands for an offline device in its persistent session', async () => {
    const clock = new RealClock();
    const issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
    const device = await issuer.issueDevice(DEVICE);
    const service = await issuer.issueService('svc.platform');
    const mosquitto = await startMosquitto(issuer.store);
    const applied: string[] = [];
    const hub = new DeviceHub({ url: mosquitto.url, ...service, clock, backoff: { initialMs: 20, maxMs: 200 }, handlers: { onEvent: (_d, e) => void applied.push(e.key) } });
    const outbox = new Outbox(join(mkdtempSync(join(tmpdir(), 'cellgate-mq-')), 'outbox.db'), { clock });
    const makeLink = (): AgentLink => {
      const link = new AgentLink({ deviceId: DEVICE, url: mosquitto.url, password: device.password, agentVersion: '0.1.0', outbox, clock, backoff: { initialMs: 20, maxMs: 200 } });
      link.handleCommand('refresh-status', () => ({ result: { refreshed: true } }));
      return link;
    };
    try {
      await hub.start();
      let link = makeLink();
      link.start();
      await link.whenConnected();
      const key = link.emitEvent('session.up', { ip: '10.0.0.9' });
      await link.whenAcknowledged(key);
      expect(applied).toEqual([key]);

      await link.stop();
      const result = hub.sendCommand(DEVICE, { name: 'refresh-status' }, { timeoutMs: 10_000 });
      link = makeLink();
      link.start();
      await expect(result).resolves.toMatchObject({ status: 'ok', result: { refreshed: true } });
      await eventually(() => outbox.size() === 0, 5_000, 'result acknowledged');
      await link.stop();
    } finally {
      await hub.stop();
      outbox.close();
      await mosquitto.stop();
    }
  });
});
