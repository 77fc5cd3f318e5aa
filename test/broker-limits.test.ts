/**
 * The limits a device connection meets (docs/mqtt-contract.md "Limits"), on the embedded broker
 * as the platform runs it and, for the packet size, on a real Mosquitto with the generated
 * configuration: an oversize PUBLISH closes the connection; a socket that never sends CONNECT
 * is closed; wrong passwords are throttled per account and the right one works after the
 * documented delay.
 */
import { connect as tcpConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { CredentialIssuer } from '../platform/broker/credentials.js';
import { DEFAULT_BROKER_LIMITS } from '../platform/broker/limits.js';
import { deviceTopic } from '../platform/contract/topics.js';
import { DEFAULT_LOGIN_THROTTLE } from '../platform/domain/login-throttle.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { mosquittoAvailable, startMosquitto, type RunningMosquitto } from './broker-fixtures.js';
import { rawClient } from './link-fixtures.js';

const DEVICE = '356938035643809';
const OTHER = '356938035643817';

/** Publishes `bytes` of payload at QoS 1: 'acked' on PUBACK, 'closed' when the broker drops the connection first. */
function publishOutcome(client: MqttClient, topic: string, bytes: number): Promise<'acked' | 'closed'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, Buffer.alloc(bytes, 0x61), { qos: 1 }, (error) => {
      if (!error) resolve('acked');
    });
  });
}

/** The CONNACK return code a login gets (0 = accepted). */
async function loginCode(url: string, username: string, password: string): Promise<number> {
  try {
    const client = await rawClient(url, { clientId: username, username, password, clean: true });
    client.end(true);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('embedded broker limits', () => {
  let platform: RunningPlatform;
  let clock: VirtualClock;
  let secret: string;

  beforeAll(async () => {
    clock = new VirtualClock();
    platform = await startPlatform({ dataDir: ':memory:', clock, mqtt: { port: 0, limits: { connectTimeoutMs: 300 } }, mqttPasswordIterations: 1_000 });
    secret = (await platform.devices.register('OP0000000001', DEVICE)).password;
    await platform.devices.register('OP0000000001', OTHER);
  });
  afterAll(() => platform?.close());

  it('refuses a 1 MiB publish by closing the connection, and acknowledges one of 256 KiB', async () => {
    const client = await rawClient(platform.mqttUrl, { clientId: DEVICE, username: DEVICE, password: secret, clean: true });
    expect(await publishOutcome(client, deviceTopic(DEVICE, 'events'), 256 * 1024)).toBe('acked');
    expect(await publishOutcome(client, deviceTopic(DEVICE, 'events'), 1024 * 1024)).toBe('closed');
    client.end(true);
  });

  it('closes a TCP connection that never sends CONNECT', async () => {
    const url = new URL(platform.mqttUrl);
    const socket = tcpConnect(Number(url.port), url.hostname);
    const closed = new Promise<boolean>((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    // Closed by the broker's CONNECT timeout (300 ms here, 10 s by default), not by us.
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('throttles 100 wrong passwords; the right one works once the documented delay has passed', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 100; i++) codes.push(await loginCode(platform.mqttUrl, OTHER, `wrong-${i}`));
    // The first five failures and one more are checked (4 = bad username or password); the
    // other 94 are refused unchecked (3 = server unavailable: try later).
    const free = DEFAULT_LOGIN_THROTTLE.account.freeFailures;
    expect(codes.slice(0, free + 1)).toEqual(Array(free + 1).fill(4));
    expect(codes.slice(free + 1)).toEqual(Array(100 - free - 1).fill(3));
    // Another account is not affected.
    expect(await loginCode(platform.mqttUrl, DEVICE, secret)).toBe(0);
    const right = (await platform.devices.register('OP0000000001', OTHER)).password;
    expect(await loginCode(platform.mqttUrl, OTHER, right)).toBe(3);
    // The block after one failure past the free ones is 1 s (at most 30 s after the last checked failure).
    await clock.advance(DEFAULT_LOGIN_THROTTLE.account.baseDelayMs);
    expect(await loginCode(platform.mqttUrl, OTHER, right)).toBe(0);
  });
});

describe.skipIf(!mosquittoAvailable())('Mosquitto with the generated configuration', () => {
  let mosquitto: RunningMosquitto;
  let issuer: CredentialIssuer;
  let secret: string;

  beforeAll(async () => {
    issuer = new CredentialIssuer({ now: () => Date.now(), iterations: 1_000 });
    secret = (await issuer.issueDevice(DEVICE)).password;
    mosquitto = await startMosquitto(issuer.store);
  });
  afterAll(() => mosquitto?.stop());

  it(`enforces max_packet_size ${DEFAULT_BROKER_LIMITS.maxPacketBytes}: 256 KiB acknowledged, 1 MiB closes the connection`, async () => {
    const client = await rawClient(mosquitto.url, { clientId: DEVICE, username: DEVICE, password: secret, clean: true });
    expect(await publishOutcome(client, deviceTopic(DEVICE, 'events'), 256 * 1024)).toBe('acked');
    expect(await publishOutcome(client, deviceTopic(DEVICE, 'events'), 1024 * 1024)).toBe('closed');
    client.end(true);
  });
});
