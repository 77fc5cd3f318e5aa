import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { CredentialIssuer } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import { eventually } from './link-fixtures.js';
import { builtModule, projectRoot, writeChildScript } from './support/built.js';

const DEVICE = '356938035643809';

/**
 * The child accepts events into the durable outbox as fast as it can, printing each key only
 * after `emitEvent` returned, until the parent SIGKILLs it. It runs the compiled agent code.
 */
const childSource = (): string => `
import { RealClock } from '${builtModule('common/clock')}';
import { AgentLink } from '${builtModule('agent/link/agent-link')}';
import { Outbox } from '${builtModule('agent/link/outbox')}';
const [outboxPath, deviceId] = process.argv.slice(2);
const clock = new RealClock();
const outbox = new Outbox(outboxPath, { clock, maxEntries: 1_000_000 });
const link = new AgentLink({ deviceId, url: 'mqtt://127.0.0.1:1', password: 'unused', agentVersion: 'crash-test', outbox, clock });
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  const key = link.emitEvent('counter', { i });
  process.stdout.write('accepted ' + key + '\\n');
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
`;

describe('durable outbox across a killed agent process', () => {
  let childScript: string;
  beforeAll(() => {
    childScript = writeChildScript('link-crash-child.mjs', childSource());
  });

  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.close();
  });

  it('replays every accepted entry after SIGKILL, each applied exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgate-crash-'));
    const outboxPath = join(dir, 'outbox.db');
    const child = spawn(process.execPath, [childScript, outboxPath, DEVICE], { stdio: ['ignore', 'pipe', 'pipe'], cwd: projectRoot });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const accepted: string[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    await new Promise<void>((resolveKill, reject) => {
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('accepted ')) accepted.push(line.slice('accepted '.length));
        if (accepted.length >= 300 && !child.killed) {
          child.kill('SIGKILL');
          resolveKill();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const clock = new RealClock();
    const outbox = new Outbox(outboxPath, { clock });
    const survived = outbox.pending(1_000_000).map((e) => e.key);
    expect(survived.length).toBeGreaterThanOrEqual(accepted.length);
    expect(survived.slice(0, accepted.length)).toEqual(accepted);

    const issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
    const device = await issuer.issueDevice(DEVICE);
    const service = await issuer.issueService('svc.platform');
    broker = await startBroker({ credentials: issuer });
    const applied: string[] = [];
    const hub = new DeviceHub({ url: broker.url, ...service, clock, handlers: { onEvent: (_id, e) => void applied.push(e.key) } });
    await hub.start();
    const link = new AgentLink({ deviceId: DEVICE, url: broker.url, password: device.password, agentVersion: 'after-crash', outbox, clock, maxInFlight: 200 });
    link.start();
    await eventually(() => outbox.size() === 0, 20_000, 'replayed outbox drained');
    await link.stop();
    await hub.stop();
    outbox.close();
    expect(new Set(applied).size).toBe(applied.length);
    expect([...applied].sort()).toEqual([...survived].sort());
  });
});
