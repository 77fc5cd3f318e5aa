/**
 * Regression replays: every recording in test/recordings/ (a bench's `cellgate agent --record`
 * of a real module, or a seed made against the simulator — the header's notes say which) is
 * served as a modem, and the real agent must get online against it and pick the dialect the
 * header expects. How to add one: docs/simulator.md, "Record and replay".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecording } from '../common/at-recording.js';
import { createAgent, type Agent } from '../agent/agent.js';
import { resolveConfig } from '../agent/config.js';
import { silentLogger } from '../common/log.js';
import { startReplayModem, type ReplayHandle } from '../simulator/replay/index.js';
import { eventually } from './support/agent-harness.js';

const folder = join(import.meta.dirname, 'recordings');
const files = readdirSync(folder).filter((f) => f.endsWith('.jsonl')).sort();

let replay: ReplayHandle | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  await replay?.close();
  agent = undefined;
  replay = undefined;
});

describe('recorded sessions in test/recordings/', () => {
  it('has recordings to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: the agent gets online against the replay', async (name) => {
    const text = readFileSync(join(folder, name), 'utf8');
    const { header } = parseRecording(text);
    replay = await startReplayModem({ text, speed: 0, expose: { tcp: { port: 0 } } });
    agent = createAgent({ config: resolveConfig({ flags: { port: replay.tcpUrl! } }), logger: silentLogger(), random: () => 0.5 });
    agent.start();
    if (header.expect?.online !== false) {
      await eventually(() => agent!.status().online, 30_000, `online against ${name} (unseen so far: ${JSON.stringify(replay!.modem.unseen)})`);
    }
    if (header.expect?.dialect) expect(agent.status().dialect).toBe(header.expect.dialect);
  });
});
