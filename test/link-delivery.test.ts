import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { CredentialIssuer, type IssuedCredentials } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import type { CommandResult, DeviceEvent, EsimNotification, StatusSnapshot } from '../platform/contract/messages.js';
import { deviceTopic } from '../platform/contract/topics.js';
import { capturingLogger, eventually, rawClient } from './link-fixtures.js';

const DEVICE = '356938035643809';
const EID = '89049032123451234512345678901235';
const clock = new RealClock();
const fastBackoff = { initialMs: 20, maxMs: 200 };

// The in-process fleet's setup: the agent reaches the embedded broker over an in-memory pipe and
// its outbox commits through a truncated rollback journal. Everything else is the same suite.
describe.each([
  { transport: 'TCP', inProcess: false, journal: 'wal' as const },
  { transport: 'an in-process pipe', inProcess: true, journal: 'truncate' as const },
])('agent link ↔ device hub over a real broker, agent over $transport, outbox $journal', ({ inProcess, journal }) => {
  let issuer: CredentialIssuer;
  let broker: RunningBroker;
  let device: IssuedCredentials;
  let service: IssuedCredentials;
  let dir: string;
  let outbox: Outbox;
  let link: AgentLink;
  let hub: DeviceHub;
  const applied: Array<{ deviceId: string; key: string; kind: string }> = [];
  const events: DeviceEvent[] = [];
  const notifications: EsimNotification[] = [];
  const statuses: StatusSnapshot[] = [];
  const hubLog = capturingLogger();
  const agentLog = capturingLogger();

  const newLink = (options: Partial<ConstructorParameters<typeof AgentLink>[0]> = {}): AgentLink =>
    new AgentLink({
      deviceId: DEVICE,
      url: broker.url,
      ...(inProcess ? { connectStream: () => broker.connectInProcess() } : {}),
      password: device.password,
      agentVersion: '0.1.0',
      outbox,
      clock,
      logger: agentLog.logger,
      backoff: fastBackoff,
      ackTimeoutMs: 500,
      ...options,
    });

  beforeEach(async () => {
    applied.length = 0;
    events.length = 0;
    notifications.length = 0;
    statuses.length = 0;
    hubLog.lines.length = 0;
    agentLog.lines.length = 0;
    issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
    device = await issuer.issueDevice(DEVICE);
    service = await issuer.issueService('svc.platform');
    broker = await startBroker({ credentials: issuer });
    dir = mkdtempSync(join(tmpdir(), 'cellgate-link-'));
    outbox = new Outbox(join(dir, 'outbox.db'), { clock, journal });
    hub = new DeviceHub({
      url: broker.url,
      username: service.username,
      password: service.password,
      clock,
      logger: hubLog.logger,
      backoff: fastBackoff,
      handlers: {
        onEvent: (deviceId, event) => {
          applied.push({ deviceId, key: event.key, kind: 'event' });
          events.push(event);
        },
        onEsimNotification: (deviceId, n) => {
          applied.push({ deviceId, key: n.key, kind: 'esim' });
          notifications.push(n);
        },
        onCommandResult: (deviceId, r: CommandResult) => {
          applied.push({ deviceId, key: r.key, kind: 'result' });
        },
        onStatus: (_deviceId, status) => void statuses.push(status),
      },
    });
    await hub.start();
    link = newLink();
  });

  afterEach(async () => {
    await link.stop();
    await hub.stop();
    await broker.close();
    outbox.close();
  });

  it('delivers events and eSIM notifications once each and empties the outbox on the end-to-end ack', async () => {
    link.start();
    await link.whenConnected();
    link.updateStatus({ registration: { state: 'registered-home', rat: 'lte-m' }, sim: { imsi: '440103123456789', iccid: '8981100000000000001' } });
    const keys = [link.emitEvent('session.up', { ip: '10.0.0.7' }), link.emitEvent('signal', { rsrpDbm: -95 }, { priority: 'low' })];
    const esimKey = link.sendEsimNotification({ eid: EID, seqNumber: 7, operation: 'enable', iccid: '8981100000000000002' });
    await link.whenAcknowledged(esimKey);
    await eventually(() => outbox.size() === 0, 5_000, 'empty outbox');
    expect(events.map((e) => e.key)).toEqual(keys);
    expect(notifications).toMatchObject([{ key: `esim:${EID}:7`, eid: EID, seqNumber: 7, operation: 'enable' }]);
    await eventually(() => hub.latestStatus(DEVICE)?.sim?.imsi === '440103123456789', 5_000, 'status at the hub');
    expect(hub.latestStatus(DEVICE)).toMatchObject({ online: true, registration: { state: 'registered-home', rat: 'lte-m' } });
  });

  it('publishes a session-state change at once and coalesces the other status changes of the same second', async () => {
    // A virtual clock for the link's timers only: the MQTT connection runs on real I/O.
    const virtual = new VirtualClock();
    await link.stop();
    link = newLink({ clock: virtual });
    link.start();
    await link.whenConnected();
    await eventually(() => statuses.length === 1, 5_000, 'the status of the connect');
    link.updateStatus({ session: { state: 'connecting', apn: 'soracom.io' } });
    await eventually(() => statuses.length === 2, 5_000, 'the session-state change, at once');
    // An attach's burst of detail: modem, SIM, registration, signal — within the same second.
    link.updateStatus({ modem: { model: 'BG96', imei: '490154203237518' } });
    link.updateStatus({ sim: { imsi: '440103123456789' } });
    link.updateStatus({ registration: { state: 'registered-home', rat: 'lte-m' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses).toHaveLength(2);
    // …goes out once, a second later, carrying all of it.
    await virtual.advance(2_000);
    await eventually(() => statuses.length === 3, 5_000, 'the coalesced status');
    expect(statuses[2]).toMatchObject({ modem: { model: 'BG96' }, sim: { imsi: '440103123456789' }, registration: { state: 'registered-home' }, session: { state: 'connecting' } });
    // A signal change a second after the last publish goes out at once; then, within the same
    // second, another change waits — until the session comes up, which publishes everything.
    link.updateStatus({ signal: { rssiDbm: -80 } });
    link.updateStatus({ signal: { rssiDbm: -71 } });
    link.updateStatus({ session: { state: 'up', apn: 'soracom.io', ipAddress: '10.0.0.7' } });
    await eventually(() => statuses.length === 5, 5_000, 'the session-up status');
    expect(statuses[3]).toMatchObject({ signal: { rssiDbm: -80 }, session: { state: 'connecting' } });
    expect(statuses[4]).toMatchObject({ online: true, signal: { rssiDbm: -71 }, session: { state: 'up', ipAddress: '10.0.0.7' } });
    await virtual.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses).toHaveLength(5);
  });

  it('runs commands through registered handlers and returns their results', async () => {
    const seen: string[] = [];
    link.handleCommand('set-rat', ({ rat }) => {
      seen.push(rat);
      return { result: { rat } };
    });
    link.handleCommand('reboot-modem', () => {
      throw Object.assign(new Error('modem did not answer'), { code: 'AT_TIMEOUT' });
    });
    link.start();
    await link.whenConnected();
    await expect(hub.sendCommand(DEVICE, { name: 'set-rat', rat: 'nb-iot' }, { timeoutMs: 5_000 })).resolves.toMatchObject({ status: 'ok', result: { rat: 'nb-iot' } });
    await expect(hub.sendCommand(DEVICE, { name: 'reboot-modem' }, { timeoutMs: 5_000 })).resolves.toMatchObject({ status: 'error', error: { code: 'AT_TIMEOUT' } });
    await expect(hub.sendCommand(DEVICE, { name: 'delete-profile', iccid: '8981100000000000002' }, { timeoutMs: 5_000 })).resolves.toMatchObject({ status: 'unsupported' });
    await expect(hub.sendCommand(DEVICE, { name: 'reconnect' }, { timeoutMs: 5_000, expiresInMs: -1 })).resolves.toMatchObject({ status: 'expired' });
    expect(seen).toEqual(['nb-iot']);
    await eventually(() => outbox.size() === 0, 5_000, 'results acknowledged');
  });

  it('loses nothing and applies nothing twice when the broker restarts mid-stream', async () => {
    link.start();
    await link.whenConnected();
    const keys: string[] = [];
    for (let i = 0; i < 150; i++) keys.push(link.emitEvent('counter', { i }));
    await eventually(() => applied.length >= 20, 5_000, 'first events applied');
    const port = broker.port;
    await broker.close();
    for (let i = 150; i < 300; i++) keys.push(link.emitEvent('counter', { i }));
    await eventually(() => link.state !== 'connected', 10_000, 'the link notices the broker is gone');
    broker = await startBroker({ credentials: issuer, port });
    await eventually(() => outbox.size() === 0, 20_000, 'outbox drained after the restart');
    const appliedKeys = applied.map((a) => a.key);
    expect(new Set(appliedKeys).size).toBe(appliedKeys.length);
    expect([...appliedKeys].sort()).toEqual([...keys].sort());
    expect(events.map((e) => e.data.i as number).sort((x, y) => x - y)).toEqual([...Array(300).keys()]);
  });

  it('applies a message resent after a lost ack only once, and acks it again', async () => {
    let dropped = 0;
    broker.aedes.authorizeForward = (client, packet) => {
      if (client.id === DEVICE && packet.topic === deviceTopic(DEVICE, 'acks') && dropped === 0) {
        dropped++;
        return null;
      }
      return packet;
    };
    link.start();
    await link.whenConnected();
    const key = link.emitEvent('sim.removed', {});
    await eventually(() => applied.length === 1 && dropped === 1, 5_000, 'first delivery, its ack dropped');
    // The ack was lost, so the entry stayed in the outbox: it is resent after ackTimeoutMs (the
    // platform's "duplicate" line below proves the resend) and acked the second time. (Checking
    // the outbox here would race the 500 ms resend on a loaded machine.)
    await link.whenAcknowledged(key);
    expect(dropped).toBe(1);
    expect(applied).toEqual([{ deviceId: DEVICE, key, kind: 'event' }]);
    expect(hubLog.lines.some((l) => l.msg === 'duplicate message acknowledged again, not reapplied' && l.key === key)).toBe(true);
  });

  it('rejects garbage payloads with a log line on both sides and keeps working', async () => {
    const intruder = await rawClient(broker.url, { username: DEVICE, password: device.password, clientId: DEVICE, clean: true });
    const topic = deviceTopic(DEVICE, 'events');
    const acks: string[] = [];
    await intruder.subscribeAsync(deviceTopic(DEVICE, 'acks'), { qos: 1 });
    intruder.on('message', (_t, p) => acks.push(p.toString()));
    await intruder.publishAsync(topic, Buffer.from([0xff, 0x00, 0x7b]), { qos: 1 });
    await intruder.publishAsync(topic, '{"v":1}', { qos: 1 });
    await intruder.publishAsync(topic, JSON.stringify({ v: 1, key: 'evt:bad', deviceId: DEVICE, createdAt: 'yesterday', type: 'x', data: {} }), { qos: 1 });
    await intruder.publishAsync(topic, JSON.stringify({ v: 1, key: 'evt:spoof', deviceId: '356938035643817', createdAt: 1, type: 'x', data: {} }), { qos: 1 });
    await intruder.publishAsync(deviceTopic(DEVICE, 'status'), 'null', { qos: 1 });
    await eventually(() => acks.length === 2, 5_000, 'rejections');
    intruder.end(true);
    expect(acks.map((a) => JSON.parse(a) as { rejected: Array<{ key: string; reason: string }> }).flatMap((a) => a.rejected)).toEqual([
      { key: 'evt:bad', reason: expect.stringContaining('$.createdAt: expected an integer') },
      { key: 'evt:spoof', reason: expect.stringContaining('does not match the topic') },
    ]);
    // The hub logs each rejection as it handles the publish; the last one (the status) may be
    // logged after the acks arrive on a loaded machine: await the count, then check it holds.
    const hubRejections = () => hubLog.lines.filter((l) => l.msg === 'garbage payload dropped' || l.msg === 'invalid message rejected' || l.msg === 'invalid status dropped');
    await eventually(() => hubRejections().length >= 5, 5_000, 'hub rejection log lines');
    expect(hubRejections()).toHaveLength(5);

    // The platform side sends garbage to the agent: logged, not fatal.
    link.start();
    await link.whenConnected();
    const svc = await rawClient(broker.url, { username: service.username, password: service.password, clientId: 'svc.platform-2' });
    await svc.publishAsync(deviceTopic(DEVICE, 'commands/req'), 'not json', { qos: 1 });
    await svc.publishAsync(deviceTopic(DEVICE, 'commands/req'), JSON.stringify({ v: 1, commandId: 'c-1', issuedAt: 1, command: { name: 'format-disk' } }), { qos: 1 });
    await svc.publishAsync(deviceTopic(DEVICE, 'acks'), '{"keys":"all"}', { qos: 1 });
    svc.end(true);
    await eventually(() => applied.some((a) => a.key === 'res:c-1'), 5_000, 'invalid-command result');
    // The garbage ack is published after the command; its log line may follow the command's result.
    const agentRejections = () => agentLog.lines.filter((l) => l.msg === 'invalid command request' || l.msg === 'invalid ack dropped');
    await eventually(() => agentRejections().length >= 3, 5_000, 'agent rejection log lines');
    expect(agentRejections()).toHaveLength(3);
    const key = link.emitEvent('still.alive', {});
    await link.whenAcknowledged(key);
    expect(events.map((e) => e.type)).toEqual(['still.alive']);
  });
});
