import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from './config.js';

describe('agent config', () => {
  it('applies documented defaults', () => {
    const config = resolveConfig({ flags: { port: '/dev/ttyUSB2' } });
    expect(config.port).toBe('/dev/ttyUSB2');
    expect(config.baudRate).toBe(115200);
    expect(config.session.apn).toEqual({ apn: 'soracom.io', user: 'sora', password: 'sora', auth: 'chap' });
    expect(config.session.rat).toBe('lte-m');
    expect(config.session.reconnect.rejectBackoffMs).toBe(720_000);
  });

  it('layers file < env < flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-config-'));
    const path = join(dir, 'agent.yaml');
    await writeFile(path, 'port: tcp://10.0.0.5:4001\napn: file.apn\nrat: nb-iot\nreconnect:\n  restMs: 7200000\n  rejectBackoffMs: 60000\n');
    const config = await loadConfig({
      configPath: path,
      env: { CELLGATE_APN: 'env.apn', CELLGATE_RECONNECT_REJECT_BACKOFF_MS: '90000' },
      flags: { 'reconnect-reject-backoff-ms': '120000' },
    });
    expect(config.port).toBe('tcp://10.0.0.5:4001');
    expect(config.session.apn.apn).toBe('env.apn');
    expect(config.session.rat).toBe('nb-iot');
    expect(config.session.reconnect.restMs).toBe(7_200_000);
    expect(config.session.reconnect.rejectBackoffMs).toBe(120_000);
  });

  it("takes the platform's SM-DP+ address(es) for notification routing: a list, a comma string, bad ones named", () => {
    expect(resolveConfig({ flags: { port: '/dev/ttyUSB2' } }).lpa?.platformSmdp).toEqual([]);
    expect(resolveConfig({ flags: { port: '/dev/ttyUSB2' }, env: { CELLGATE_LPA_PLATFORM_SMDP: 'smdp.example.com, localhost:8443' } }).lpa?.platformSmdp).toEqual(['smdp.example.com', 'localhost:8443']);
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'lpa-platform-smdp': 'https://smdp.example.com/' } })).toThrow(/lpaPlatformSmdp.*not an SM-DP\+ address/);
  });

  it('SM-DS discovery and notification backoff settings: defaults, choices, bounds', () => {
    const lpa = resolveConfig({ flags: { port: '/dev/ttyUSB2' } }).lpa!;
    expect(lpa).toMatchObject({ discovery: 'enable', discoveryIntervalMs: 0, deliveryRetryMaxMs: 3_600_000, directNotificationAttempts: 8 });
    const set = resolveConfig({ flags: { port: '/dev/ttyUSB2', 'lpa-discovery': 'install', 'lpa-discovery-interval-ms': '86400000', 'lpa-direct-notification-attempts': '3' } }).lpa!;
    expect(set).toMatchObject({ discovery: 'install', discoveryIntervalMs: 86_400_000, directNotificationAttempts: 3 });
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'lpa-discovery': 'sometimes' } })).toThrow(/lpaDiscovery/);
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'lpa-direct-notification-attempts': '0' } })).toThrow(/directNotificationAttempts/);
  });

  it('reads JSON too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-config-'));
    const path = join(dir, 'agent.json');
    await writeFile(path, JSON.stringify({ port: '/dev/ttyACM0', liveness: { maxMisses: 5 } }));
    expect((await loadConfig({ configPath: path })).session.liveness.maxMisses).toBe(5);
  });

  it('reads a YAML flow mapping that only looks like JSON, and names a broken file without its text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-config-'));
    const path = join(dir, 'agent.yaml');
    await writeFile(path, '{port: /dev/ttyUSB3, liveness: {maxMisses: 4}}\n');
    const config = await loadConfig({ configPath: path });
    expect(config.port).toBe('/dev/ttyUSB3');
    expect(config.session.liveness.maxMisses).toBe(4);
    await writeFile(path, '{"port": "/dev/ttyUSB3", "password": "hunter2"\n');
    const error = await loadConfig({ configPath: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join()).toMatch(/is not valid YAML\/JSON/);
    expect((error as ConfigError).problems.join()).not.toMatch(/hunter2/);
  });

  it('names every problem with its source', () => {
    let error: unknown;
    try {
      resolveConfig({
        file: { rat: '5g', reconnect: { restMs: -1, bogus: 1 }, colour: 'blue' },
        filePath: 'agent.yaml',
        env: { CELLGATE_BAUD_RATE: 'fast' },
        flags: { auth: 'kerberos' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/port' is required/);
    expect(problems).toMatch(/file agent\.yaml: 'rat' must be one of lte-m, nb-iot, lte/);
    expect(problems).toMatch(/'reconnect\.restMs' must be an integer ≥ 0/);
    expect(problems).toMatch(/unknown key 'reconnect\.bogus'/);
    expect(problems).toMatch(/unknown key 'colour'/);
    expect(problems).toMatch(/env CELLGATE_BAUD_RATE: 'baudRate'/);
    expect(problems).toMatch(/flag --auth: 'auth'/);
  });

  it('refuses unsupported port schemes and a missing file clearly', async () => {
    expect(() => resolveConfig({ flags: { port: 'udp://x:1' } })).toThrow(/only device paths and tcp/);
    await expect(loadConfig({ configPath: '/nonexistent/agent.yaml' })).rejects.toThrow(/cannot read config file/);
  });
});

describe('agent config: platform link, identity, health', () => {
  it('reads the credentials file and lets explicit keys win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-config-'));
    const creds = join(dir, 'device.json');
    await writeFile(creds, JSON.stringify({ deviceId: '358926090893011', password: 's3cret', mqttUrl: 'mqtt://127.0.0.1:1883' }));
    const config = await loadConfig({ env: { CELLGATE_MQTT_CREDENTIALS: creds }, flags: { port: '/dev/ttyUSB2', 'mqtt-url': 'mqtt://10.0.0.2:1884', 'health-port': '9464' } });
    expect(config.deviceId).toBe('358926090893011');
    expect(config.mqtt).toEqual({ url: 'mqtt://10.0.0.2:1884', password: 's3cret' });
    expect(config.health).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.dataDir).toBe('./.data/agent');
  });

  it('refuses a link without a secret, a bad device id, and a username that is not the device id', () => {
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'mqtt-url': 'mqtt://h:1883' } })).toThrow(/no device secret/);
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'device-id': 'a/b' } })).toThrow(/deviceId/);
    expect(() => resolveConfig({ flags: { port: '/dev/ttyUSB2', 'device-id': 'a', 'mqtt-username': 'b' } })).toThrow(/mqttUsername/);
  });

  it('keeps the link off and the health endpoint off by default', () => {
    const config = resolveConfig({ flags: { port: '/dev/ttyUSB2' } });
    expect(config.mqtt).toBeUndefined();
    expect(config.health).toBeUndefined();
  });
});
