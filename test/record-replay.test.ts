/**
 * Record and replay end to end: the real agent records its session with a simulated module
 * (`--record`), the recording is served as a modem (`cellgate sim --replay`), and a fresh agent
 * gets online against the replay over a real TCP socket.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecording } from '../common/at-recording.js';
import { createAgent, type Agent } from '../agent/agent.js';
import { resolveConfig } from '../agent/config.js';
import { silentLogger } from '../common/log.js';
import { startReplayModem, type ReplayHandle } from '../simulator/replay/index.js';
import { eventually, startPair, type Pair } from './support/agent-harness.js';

let dir: string;
let pair: Pair | undefined;
let replay: ReplayHandle | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  await pair?.close();
  await replay?.close();
  agent = undefined;
  pair = undefined;
  replay = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['bg96', 'sara-r5'] as const)('record a %s session, replay it, attach against the replay', (dialect) => {
  it('the agent is online against the replayed module, with the recorded address', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellgate-replay-'));
    const file = join(dir, 'session.jsonl');
    pair = await startPair({ dialect, exposure: 'tcp', configure: (c) => (c.record = file) });
    pair.agent.start();
    await eventually(() => pair!.agent.status().online, 20_000, 'online while recording');
    const recordedIp = pair.agent.status().ip;
    await pair.close();
    pair = undefined;

    const { header, lines } = parseRecording(readFileSync(file, 'utf8'));
    expect(header).toMatchObject({ type: 'cellgate-at-recording', version: 1, tool: 'cellgate agent' });
    expect(lines.some((l) => l.dir === 'tx' && l.line === 'AT+CGMM')).toBe(true);
    // Secrets never reach the file: the APN user and password are redacted where they were sent.
    expect(lines.filter((l) => /"sora"/.test(l.line))).toEqual([]);
    expect(lines.every((l, i) => i === 0 || l.t >= lines[i - 1]!.t)).toBe(true);

    replay = await startReplayModem({ file, speed: 0, expose: { tcp: { port: 0 } } });
    const config = resolveConfig({ flags: { port: replay.tcpUrl! } });
    agent = createAgent({ config, logger: silentLogger(), random: () => 0.5 });
    agent.start();
    await eventually(() => agent!.status().online, 20_000, 'online against the replay');
    expect(agent.status().ip).toBe(recordedIp);
    expect(agent.status().dialect).toBe(dialect);
    expect(replay.modem.unseen).toEqual([]);
  });
});
