import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialIssuer, type IssuedCredentials } from '../platform/broker/credentials.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import { deviceTopic } from '../platform/contract/topics.js';
import { mosquittoAvailable, startMosquitto, type RunningMosquitto } from './broker-fixtures.js';
import { eventually, rawClient, sleep } from './link-fixtures.js';

const A = '356938035643809';
const B = '356938035643817';

interface World {
  url: string;
  /** Set: every client connects over this (an in-process pipe) instead of TCP to `url`. */
  stream?: () => Duplex;
  a: IssuedCredentials;
  b: IssuedCredentials;
  svc: IssuedCredentials;
}

function received(client: MqttClient): Array<{ topic: string; payload: string }> {
  const got: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

function aclSuite(name: string, setup: (issuer: CredentialIssuer) => Promise<{ url: string; stream?: () => Duplex; stop(): Promise<void> }>): void {
  describe(`device isolation on ${name}`, () => {
    let world: World;
    let stop: () => Promise<void>;
    const clients: MqttClient[] = [];
    const connect = async (creds: IssuedCredentials, clientId = creds.username): Promise<MqttClient> => {
      const client = await rawClient(world.url, { username: creds.username, password: creds.password, clientId, clean: true }, world.stream);
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      const issuer = new CredentialIssuer({ now: () => Date.now(), iterations: 1_000 });
      const [a, b, svc] = [await issuer.issueDevice(A), await issuer.issueDevice(B), await issuer.issueService('svc.platform')];
      const broker = await setup(issuer);
      world = { url: broker.url, a, b, svc, ...(broker.stream ? { stream: broker.stream } : {}) };
      stop = broker.stop;
    });
    afterAll(async () => {
      for (const c of clients) c.end(true);
      await stop();
    });

    it('refuses anonymous clients', async () => {
      await expect(rawClient(world.url, { clientId: 'anon' }, world.stream)).rejects.toThrow();
    });

    it('refuses a wrong password and a password of another device', async () => {
      await expect(rawClient(world.url, { clientId: A, username: A, password: 'guess' }, world.stream)).rejects.toThrow(/Bad username or password|Not authorized/i);
      await expect(rawClient(world.url, { clientId: A, username: A, password: world.b.password }, world.stream)).rejects.toThrow(/Bad username or password|Not authorized/i);
    });

    it("does not let a device read another device's commands, acks or events", async () => {
      const deviceA = await connect(world.a);
      await deviceA.subscribeAsync(deviceTopic(A, 'commands/req'), { qos: 1 });
      const gotA = received(deviceA);
      const deviceB = await connect(world.b);
      const gotB = received(deviceB);
      for (const filter of [deviceTopic(A, 'commands/req'), deviceTopic(A, 'acks'), 'cellgate/v1/devices/+/events', 'cellgate/v1/devices/+/commands/req', '#']) {
        await deviceB.subscribeAsync(filter, { qos: 1 }).catch(() => undefined);
      }
      const svc = await connect(world.svc);
      await svc.publishAsync(deviceTopic(A, 'commands/req'), 'for A only', { qos: 1 });
      await svc.publishAsync(deviceTopic(A, 'acks'), 'ack for A only', { qos: 1 });
      await deviceA.publishAsync(deviceTopic(A, 'events'), 'event of A', { qos: 1 });
      // What must arrive is awaited; what must not gets a further grace period to show up.
      await eventually(() => gotA.length > 0, 10_000, "A's command");
      await sleep(300);
      expect(gotA.map((m) => m.payload)).toEqual(['for A only']);
      expect(gotB).toEqual([]);
    });

    it("does not let a device write another device's topics or forge platform commands", async () => {
      const svc = await connect(world.svc);
      await svc.subscribeAsync('cellgate/v1/devices/#', { qos: 1 });
      const seen = received(svc);
      const deviceB = await connect(world.b, B);
      // aedes disconnects a client on a refused publish, Mosquitto drops it silently: either way nothing arrives.
      deviceB.publish(deviceTopic(A, 'events'), 'forged event for A', { qos: 1 });
      deviceB.publish(deviceTopic(A, 'status'), 'forged status for A', { qos: 1, retain: true });
      deviceB.publish(deviceTopic(B, 'commands/req'), 'forged command', { qos: 1 });
      deviceB.publish(deviceTopic(B, 'acks'), 'forged ack', { qos: 1 });
      await sleep(300);
      const deviceA = await connect(world.a);
      await deviceA.publishAsync(deviceTopic(A, 'events'), 'real event of A', { qos: 1 });
      await eventually(() => seen.length > 0, 10_000, "A's real event");
      await sleep(300);
      expect(seen.map((m) => `${m.topic} ${m.payload}`)).toEqual([`${deviceTopic(A, 'events')} real event of A`]);
    });

    it("does not let a device take over another device's session by its client id", async () => {
      const deviceA = await connect(world.a);
      let aClosed = false;
      deviceA.on('close', () => (aClosed = true));
      await connect(world.b, A).catch(() => undefined);
      await sleep(300);
      expect(aClosed).toBe(false);
    });
  });
}

let embedded: RunningBroker | undefined;
aclSuite('the embedded aedes broker', async (issuer) => {
  embedded = await startBroker({ credentials: issuer });
  return { url: embedded.url, stop: () => embedded!.close() };
});

// The fleet's agents reach the embedded broker over in-memory pipes: the same login and ACL hooks
// must hold there, with no TCP in between.
let inProcess: RunningBroker | undefined;
aclSuite('the embedded aedes broker over in-process pipes', async (issuer) => {
  inProcess = await startBroker({ credentials: issuer });
  return { url: 'mqtt://in-process.invalid:1', stream: () => inProcess!.connectInProcess(), stop: () => inProcess!.close() };
});

// In CI (.ci/run installs mosquitto) the suite always runs, so a missing broker fails loudly there.
if (mosquittoAvailable() || process.env.CI) {
  let mosquitto: RunningMosquitto | undefined;
  aclSuite('a real Mosquitto with generated password and ACL files', async (issuer) => {
    mosquitto = await startMosquitto(issuer.store);
    return { url: mosquitto.url, stop: () => mosquitto!.stop() };
  });
} else {
  // Skipped only on a developer machine without the mosquitto binary; the title says how to fix it.
  describe.skip('device isolation on Mosquitto (skipped: no `mosquitto` binary on PATH; apt-get install mosquitto)', () => {
    it('needs mosquitto', () => undefined);
  });
}
