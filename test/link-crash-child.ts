/**
 * Child process of link-outbox-crash.test.ts: accepts events into the durable outbox as fast as
 * it can, printing each key only after `emitEvent` returned, until the parent SIGKILLs it.
 */
import { RealClock } from '../common/clock.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';

const [outboxPath, deviceId] = process.argv.slice(2) as [string, string];
const clock = new RealClock();
const outbox = new Outbox(outboxPath, { clock, maxEntries: 1_000_000 });
const link = new AgentLink({ deviceId, url: 'mqtt://127.0.0.1:1', password: 'unused', agentVersion: 'crash-test', outbox, clock });
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const key = link.emitEvent('counter', { i });
  process.stdout.write(`accepted ${key}\n`);
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
