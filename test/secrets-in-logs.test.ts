/**
 * "Secrets never in logs" (house rule), proved on the real components at the most verbose level:
 * every JSON log line the platform (HTTP API, broker, device hub), the simulated modem and the
 * agent (AT channel, session, MQTT link) write while handling every kind of credential is
 * captured, and none may contain one. The last test does the same for `cellgate up`'s log files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../common/log.js';
import { createAgent, type Agent } from '../agent/agent.js';
import { ConfigError, loadConfig } from '../agent/config.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { startSimulatedModem } from '../simulator/index.js';
import { ApiClient, provisionGateway, stackImei } from '../cli/stack-provision.js';
import { eventually } from './support/agent-harness.js';
import { duplicateKeys } from './support/json-keys.js';

/** Every line is an object whose keys are unique (pino appends child bindings; `childLogger` must not repeat one). */
function expectUniqueKeys(lines: readonly string[]): void {
  const repeated = lines.map((line) => ({ line, keys: duplicateKeys(line) })).filter((l) => l.keys.length > 0);
  expect(repeated.map((r) => `${r.keys.join(',')} twice in: ${r.line.slice(0, 300)}`)).toEqual([]);
}

/** Every line a logger writes, kept in memory (a pino destination stream). */
class LogCapture {
  readonly lines: string[] = [];
  logger(name: string): Logger {
    return createLogger({ name, level: 'trace', destination: { write: (line: string) => void this.lines.push(line) } });
  }
}

/** Fails naming the secret and the first line that carries it. */
function expectNoSecrets(lines: readonly string[], secrets: Record<string, string>): void {
  const leaks: string[] = [];
  for (const [what, value] of Object.entries(secrets)) {
    expect(value.length, `secret ${what} is long enough to search for`).toBeGreaterThanOrEqual(8);
    const line = lines.find((l) => l.includes(value));
    if (line) leaks.push(`${what} leaked in: ${line.slice(0, 400)}`);
  }
  expect(leaks).toEqual([]);
}

const json = { 'content-type': 'application/json' };

async function call<T = Record<string, unknown>>(base: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? json : {}), ...options.headers },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const auth = (creds: { apiKey: string; token: string }) => ({ 'x-soracom-api-key': creds.apiKey, 'x-soracom-token': creds.token });

let platform: RunningPlatform | undefined;
let agent: Agent | undefined;
let closeSim: (() => Promise<void>) | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  await agent?.stop();
  await closeSim?.();
  await platform?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  agent = undefined;
  closeSim = undefined;
  platform = undefined;
  child = undefined;
});

describe('secrets never reach a log line', () => {
  it('platform API and broker, simulated modem and agent, at trace level', async () => {
    const capture = new LogCapture();
    const secrets: Record<string, string> = {};
    const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-secrets-'));
    platform = await startPlatform({ dataDir, logger: capture.logger('platform'), http: { port: 0 }, mqtt: { port: 0 }, mqttPasswordIterations: 1000 });
    const base = platform.url;
    secrets.networkToken = platform.networkToken;

    // (b) The platform: every request that carries or returns a credential.
    const email = 'secrets-root@cellgate.local';
    secrets.rootPassword = 'Root-pw-7Hq2Xz91';
    const init = await call<{ apiKey: string; token: string; operatorId: string }>(base, 'POST', '/v1/sandbox/init', { body: { email, password: secrets.rootPassword } });
    expect(init.status).toBe(201);
    secrets.initToken = init.body.token;
    const operatorId = init.body.operatorId;
    const login = await call<{ apiKey: string; token: string }>(base, 'POST', '/v1/auth', { body: { email, password: secrets.rootPassword } });
    expect(login.status).toBe(200);
    secrets.rootToken = login.body.token;
    const root = auth(login.body);
    // A failed login with a wrong password, and calls with a wrong token and a wrong network token.
    secrets.wrongPassword = 'Wrong-pw-4Kd8Mn02';
    expect((await call(base, 'POST', '/v1/auth', { body: { email, password: secrets.wrongPassword } })).status).toBe(401);
    secrets.badToken = 'bad-token-9f8e7d6c5b4a';
    expect((await call(base, 'GET', '/v1/subscribers', { headers: { 'x-soracom-api-key': login.body.apiKey, 'x-soracom-token': secrets.badToken } })).status).toBe(401);
    secrets.badNetworkToken = 'bad-network-token-1a2b3c4d';
    const badGate = await call(base, 'POST', '/_cellgate/network/attach', { headers: { authorization: `Bearer ${secrets.badNetworkToken}` }, body: { imsi: '001010000000001', imei: '358926090000011' } });
    expect(badGate.status).toBe(401);
    const gateCall = await call(base, 'POST', '/_cellgate/network/attach', { headers: { authorization: `Bearer ${platform.networkToken}` }, body: { imsi: '001010000000001', imei: '358926090000011' } });
    expect(gateCall.status).not.toBe(401);

    // Auth keys: generated (the secret in the response), then used to log in.
    const key = await call<{ authKeyId: string; authKey: string }>(base, 'POST', `/v1/operators/${operatorId}/auth_keys`, { headers: root });
    expect(key.status).toBe(201);
    secrets.authKey = key.body.authKey;
    const keyLogin = await call<{ token: string }>(base, 'POST', '/v1/auth', { body: { authKeyId: key.body.authKeyId, authKey: key.body.authKey } });
    expect(keyLogin.status).toBe(200);
    secrets.authKeyToken = keyLogin.body.token;
    secrets.wrongAuthKey = 'secret-wrong-authkey-77aa';
    expect((await call(base, 'POST', '/v1/auth', { body: { authKeyId: key.body.authKeyId, authKey: secrets.wrongAuthKey } })).status).toBe(401);

    // A SAM user: password set, changed, logged in with; its own auth key.
    expect((await call(base, 'POST', `/v1/operators/${operatorId}/users/ops`, { headers: root, body: {} })).status).toBe(201);
    secrets.samPassword = 'Sam-pw-3Jf6Pw80';
    expect((await call(base, 'POST', `/v1/operators/${operatorId}/users/ops/password`, { headers: root, body: { password: secrets.samPassword } })).status).toBe(201);
    secrets.samNewPassword = 'Sam-pw-new-5Rt1Yu';
    expect((await call(base, 'PUT', `/v1/operators/${operatorId}/users/ops/password`, { headers: root, body: { currentPassword: secrets.samPassword, newPassword: secrets.samNewPassword } })).status).toBeLessThan(300);
    const samLogin = await call<{ token: string }>(base, 'POST', '/v1/auth', { body: { operatorId, userName: 'ops', password: secrets.samNewPassword } });
    expect(samLogin.status).toBe(200);
    secrets.samToken = samLogin.body.token;
    const samKey = await call<{ authKey: string }>(base, 'POST', `/v1/operators/${operatorId}/users/ops/auth_keys`, { headers: root });
    expect(samKey.status).toBeLessThan(300);
    secrets.samAuthKey = samKey.body.authKey;

    // A card (number and CVC), refused once and registered once.
    secrets.cardNumber = '4242424242424242';
    secrets.badCardNumber = '4000000000000002';
    const cvc = '9731';
    await call(base, 'POST', '/_cellgate/payment_methods/credit_card', { headers: root, body: { number: secrets.badCardNumber, expMonth: 13, expYear: 2001, cvc } });
    const card = await call(base, 'POST', '/_cellgate/payment_methods/credit_card', { headers: root, body: { number: secrets.cardNumber, expMonth: 12, expYear: 2099, cvc, holderName: 'Secret Holder' } });
    expect(card.status).toBeLessThan(300);

    // SIMs: created (registrationSecret in the response) and registered with it.
    const sim = await call<{ imsi: string; registrationSecret: string }>(base, 'POST', '/v1/sandbox/subscribers/create', { headers: root, body: {} });
    secrets.registrationSecret = sim.body.registrationSecret;
    secrets.wrongRegistrationSecret = 'wrong-registration-secret-0042';
    expect((await call(base, 'POST', `/v1/subscribers/${sim.body.imsi}/register`, { headers: root, body: { registrationSecret: secrets.wrongRegistrationSecret } })).status).toBe(400);
    expect((await call(base, 'POST', `/v1/subscribers/${sim.body.imsi}/register`, { headers: root, body: { registrationSecret: secrets.registrationSecret } })).status).toBe(201);

    // Ready transfers: a token issued and verified, another issued and cancelled (token in the URL).
    const destEmail = 'secrets-dest@cellgate.local';
    const dest = await call<{ apiKey: string; token: string; operatorId: string }>(base, 'POST', '/v1/sandbox/init', { body: { email: destEmail, password: 'Dest-pw-8Vb3Nc61' } });
    secrets.destPassword = 'Dest-pw-8Vb3Nc61';
    secrets.destToken = dest.body.token;
    const transfer = async (): Promise<string> => {
      const s = await call<{ imsi: string; registrationSecret: string }>(base, 'POST', '/v1/sandbox/subscribers/create', { headers: root, body: {} });
      await call(base, 'POST', `/v1/subscribers/${s.body.imsi}/register`, { headers: root, body: { registrationSecret: s.body.registrationSecret } });
      const issued = await call<{ token: string }>(base, 'POST', '/v1/subscribers/transfer_token/issue', {
        headers: root,
        body: { transferDestinationOperatorEmail: destEmail, transferDestinationOperatorId: dest.body.operatorId, transferImsi: [s.body.imsi] },
      });
      expect(issued.status).toBe(200);
      return issued.body.token;
    };
    secrets.transferToken = await transfer();
    expect((await call(base, 'POST', '/v1/subscribers/transfer_token/verify', { headers: auth(dest.body), body: { token: secrets.transferToken } })).status).toBe(200);
    secrets.cancelledTransferToken = await transfer();
    expect((await call(base, 'DELETE', `/v1/subscribers/transfer_token/${secrets.cancelledTransferToken}`, { headers: root })).status).toBe(204);
    secrets.unknownTransferToken = 'unknown-transfer-token-5566';
    expect((await call(base, 'DELETE', `/v1/subscribers/transfer_token/${secrets.unknownTransferToken}`, { headers: root })).status).toBe(404);

    // (a) The agent: an APN password, a device secret from a credentials file, a wrong secret first.
    const api = new ApiClient(base);
    api.use(login.body);
    const group = await api.call<{ groupId: string }>('POST', '/v1/groups', { tags: { name: 'secrets' } });
    const gateway = await provisionGateway(api, { version: 1, email, password: secrets.rootPassword, operatorId, authKeyId: key.body.authKeyId, authKey: key.body.authKey, groupId: group.groupId }, stackImei(1, '7311'));
    secrets.deviceSecret = gateway.devicePassword;
    const modem = await startSimulatedModem({ dialect: 'bg96', imei: gateway.imei, imsi: gateway.imsi, iccid: gateway.iccid, gate: platform.gate, latency: 'zero', expose: { inProcess: true }, logger: capture.logger('sim') });
    closeSim = () => modem.close();
    secrets.apnPassword = 'apn-pw-Zq7xK2wE';
    secrets.wrongDeviceSecret = 'wrong-device-secret-3c4d5e6f';
    const agentDir = join(dataDir, 'agent');
    const credentialsFile = join(dataDir, 'device.json');
    writeFileSync(credentialsFile, JSON.stringify({ deviceId: gateway.deviceId, password: secrets.deviceSecret, mqttUrl: platform.mqttUrl }), { mode: 0o600 });
    const flags = { port: '/dev/null', 'data-dir': agentDir, apn: 'secrets.example', user: 'gw-user', password: secrets.apnPassword, auth: 'chap', 'metadata-url': base, 'health-port': '0' };
    const startAgent = (config: Awaited<ReturnType<typeof loadConfig>>): Agent => {
      config.port = modem.inProcessPath!;
      return createAgent({ config, logger: capture.logger('agent'), binding: modem.binding!, link: { backoff: { initialMs: 20, maxMs: 200 }, ackTimeoutMs: 500 }, commandSettleMs: 20_000 });
    };

    const platformRefusals = () => capture.lines.filter((l) => l.includes('mqtt login refused')).length;
    agent = startAgent(await loadConfig({ flags: { ...flags, 'device-id': gateway.deviceId, 'mqtt-url': platform.mqttUrl, 'mqtt-password': secrets.wrongDeviceSecret } }));
    agent.start();
    await eventually(() => agent!.status().online && platformRefusals() >= 2, 20_000, 'attached, and the wrong device secret refused twice');
    await agent.stop();

    agent = startAgent(await loadConfig({ flags: { ...flags, 'mqtt-credentials': credentialsFile } }));
    agent.start();
    await eventually(() => agent!.status().online, 20_000, 'online');
    await agent.link!.whenConnected();
    const command = (body: Record<string, unknown>) => api.call<{ status: string }>('POST', `/_cellgate/devices/${gateway.deviceId}/commands`, { command: body, timeoutMs: 20_000 });
    expect(await command({ name: 'reconnect' })).toMatchObject({ status: 'ok' });
    secrets.newApnPassword = 'apn-pw2-Lm9vR4tY';
    expect(await command({ name: 'set-apn', apn: 'secrets2.example', username: 'gw2', password: secrets.newApnPassword, authType: 'pap' })).toMatchObject({ status: 'ok' });
    expect(await command({ name: 'set-apn', apn: 'bad"apn', password: secrets.newApnPassword })).toMatchObject({ status: 'error' });
    await agent.stop();
    agent = undefined;
    await platform.close();
    platform = undefined;

    // The capture saw verbose logging of every part (so the absence of secrets means something).
    const text = capture.lines.join('');
    expect(text).toMatch(/"name":"platform".*"msg":"incoming request"/);
    expect(text).toMatch(/"name":"agent".*"msg":"AT send"/);
    expect(text).toMatch(/"command":"AT\+QICSGP=<redacted>"/);
    expect(text).toMatch(/"name":"platform".*mqtt login refused: bad credentials/);
    expect(text).toMatch(/"name":"agent".*command answered/);
    expectNoSecrets(capture.lines, secrets);
    expectUniqueKeys(capture.lines);
    for (const line of capture.lines) expect(line, 'the CVC as a field value').not.toMatch(new RegExp(`"cvc"\\s*:\\s*"${cvc}"`));
  }, 90_000);

  it('a malformed agent config or credentials file is refused without quoting the secret in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgate-bad-config-'));
    const credentials = join(dir, 'device.json');
    writeFileSync(credentials, '{"deviceId": "gw-1", "password": "device-secret-0badf00d", "mqttUrl": "mqtt://127.0.0.1:1883"\n');
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, 'port: /dev/ttyUSB2\npassword: apn-secret-c0ffee11\n  apn: [\n');
    for (const load of [() => loadConfig({ flags: { 'mqtt-credentials': credentials } }), () => loadConfig({ configPath: config })]) {
      const error = (await load().then(
        () => undefined,
        (e: unknown) => e,
      )) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/not valid YAML\/JSON: .* at line \d+, column \d+/);
      expect(error.message).not.toContain('device-secret-0badf00d');
      expect(error.message).not.toContain('apn-secret-c0ffee11');
    }
  });

  const bin = join(import.meta.dirname, '..', 'bin', 'cellgate.js');
  const built = existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'up.js'));

  it.skipIf(!built)('cellgate up (from dist/): the log files under <data-dir>/logs hold none of the stack credentials', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-up-secrets-'));
    const proc = spawn(process.execPath, [bin, 'up', '--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', '--speed', '0', '--health-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'trace' },
    });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/gateway 1: activating → online/.test(out)) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`cellgate up did not come online:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A few authenticated calls with the printed login, one with a wrong token.
    const url = out.match(/API\s+(http:\S+)/)![1]!;
    const token = out.match(/X-Soracom-Token: (\S+)/)![1]!;
    const apiKey = out.match(/X-Soracom-API-Key: (\S+)/)![1]!;
    expect((await call(url, 'GET', '/v1/subscribers', { headers: { 'x-soracom-api-key': apiKey, 'x-soracom-token': token } })).status).toBe(200);
    expect((await call(url, 'GET', '/v1/subscribers', { headers: { 'x-soracom-api-key': apiKey, 'x-soracom-token': 'wrong-token-abcdef12' } })).status).toBe(401);
    proc.kill('SIGINT');
    await new Promise((resolve) => (proc.exitCode !== null ? resolve(undefined) : proc.once('exit', resolve)));

    const state = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { password: string; authKey: string; gateways: { devicePassword: string }[] };
    const logDir = join(dataDir, 'logs');
    const files = readdirSync(logDir);
    expect(files).toEqual(expect.arrayContaining(['platform.log', expect.stringMatching(/^agent-.*\.log$/), expect.stringMatching(/^sim-.*\.log$/)]));
    const lines = files.flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.join('\n')).toMatch(/"msg":"AT send"/);
    expectUniqueKeys(lines);
    expectNoSecrets(lines, {
      password: state.password,
      authKey: state.authKey,
      apiToken: token,
      ...Object.fromEntries(state.gateways.map((g, i) => [`deviceSecret${i + 1}`, g.devicePassword])),
    });
    // The banner (the user's own terminal) still shows the login, by design.
    expect(out).toContain(state.password);
  }, 90_000);
});
