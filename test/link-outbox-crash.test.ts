import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { CredentialIssuer } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import { eventually } from './link-fixtures.js';

const DEVICE = '356938035643809';
const root = resolve(import.meta.dirname, '..');
const buildDir = join(root, 'node_modules', '.cache', 'cellgate-link-crash-test');

/** Compiles the child entry (and what it imports) with the project's TypeScript, so a real `node` runs it. */
function compileChild(): string {
  const entry = join(root, 'test', 'link-crash-child.ts');
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    skipLibCheck: true,
    outDir: buildDir,
    rootDir: root,
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error('could not compile the crash-test child');
  return join(buildDir, 'test', 'link-crash-child.js');
}

describe('durable outbox across a killed agent process', () => {
  let childScript: string;
  beforeAll(() => {
    childScript = compileChild();
  });

  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.close();
  });

  it('replays every accepted entry after SIGKILL, each applied exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellgate-crash-'));
    const outboxPath = join(dir, 'outbox.db');
    const child = spawn(process.execPath, [childScript, outboxPath, DEVICE], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
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
