import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { OutboxStore } from '../agent/link/outbox-store.js';
import { CredentialIssuer } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import { eventually } from './link-fixtures.js';
import { builtModule, projectRoot, writeChildScript } from './support/built.js';

const DEVICE = '356938035643809';

/**
 * The child emits events into the durable outbox as fast as it can, in bursts of 50 per
 * event-loop turn (one group commit each), printing a burst's keys only once
 * `link.accepted()` resolved (the commit returned), until the parent SIGKILLs it — mid-burst,
 * mid-commit, wherever. It runs the compiled agent code; `shared` puts the outbox in a store
 * shared by owners, `fleet` in one with the in-process fleet's durability (`process`: the commit
 * is written to the OS, not fsynced — a killed process must still lose nothing accepted).
 */
const childSource = (): string => `
import { RealClock } from '${builtModule('common/clock')}';
import { AgentLink } from '${builtModule('agent/link/agent-link')}';
import { Outbox } from '${builtModule('agent/link/outbox')}';
import { OutboxStore } from '${builtModule('agent/link/outbox-store')}';
const [outboxPath, deviceId, mode] = process.argv.slice(2);
const clock = new RealClock();
const outbox = mode !== 'own'
  ? new Outbox(new OutboxStore(outboxPath, 'wal', mode === 'fleet' ? 'process' : 'fsync'), { clock, owner: deviceId, maxEntries: 1_000_000 })
  : new Outbox(outboxPath, { clock, maxEntries: 1_000_000 });
const link = new AgentLink({ deviceId, url: 'mqtt://127.0.0.1:1', password: 'unused', agentVersion: 'crash-test', outbox, clock });
process.stdout.write('ready\\n');
for (let i = 0; ; ) {
  const burst = [];
  for (let n = 0; n < 50; n++, i++) burst.push(link.emitEvent('counter', { i }));
  await link.accepted();
  process.stdout.write(burst.map((key) => 'accepted ' + key + '\\n').join(''));
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

  it.each(['own', 'shared', 'fleet'] as const)('replays every entry accepted under group commit after SIGKILL, each applied exactly once (%s store)', async (mode) => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgate-crash-'));
    const outboxPath = join(dir, 'outbox.db');
    const child = spawn(process.execPath, [childScript, outboxPath, DEVICE, mode], { stdio: ['ignore', 'pipe', 'pipe'], cwd: projectRoot });
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
    const outbox = mode === 'own' ? new Outbox(outboxPath, { clock }) : new Outbox(new OutboxStore(outboxPath), { clock, owner: DEVICE });
    const survived = outbox.pending(1_000_000).map((e) => e.key);
    expect(survived.length).toBeGreaterThanOrEqual(accepted.length);
    expect(survived.slice(0, accepted.length)).toEqual(accepted);

    const issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
    const device = await issuer.issueDevice(DEVICE);
    const service = await issuer.issueService('svc.platform');
    await broker?.close();
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
