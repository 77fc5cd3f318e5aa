import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../platform/store/open-store.js';
import { postgresAvailability, startPostgresCluster, type PostgresCluster } from '../scripts/support/postgres-cluster.js';
import { builtModule, projectRoot, writeChildScript } from './support/built.js';

const data = mkdtempSync(join(tmpdir(), 'cellgate-crash-'));
const postgres = postgresAvailability();
let cluster: PostgresCluster | undefined;
beforeAll(async () => {
  // The crash is the client's: a throwaway server with fsync on, as a real one.
  if (postgres.available) cluster = await startPostgresCluster({ fsync: true });
}, 60_000);
afterAll(async () => {
  rmSync(data, { recursive: true, force: true });
  await cluster?.stop();
});

/**
 * The child runs the real use cases from the compiled platform on the store `argv[2]` names (a
 * SQLite data dir or a postgres:// URL) and prints each acknowledged change.
 */
const childSource = (): string => `
import { createPlatformApp } from '${builtModule('platform/app/platform-app')}';
import { createOperator } from '${builtModule('platform/app/accounts')}';
import { createSandboxSubscriber, registerSubscriber, changeStatus } from '${builtModule('platform/app/subscribers')}';
import { openStore } from '${builtModule('platform/store/open-store')}';
const app = createPlatformApp({ store: await openStore(process.argv[2]) });
const op = await createOperator(app.ctx, { email: 'crash@example.com', password: 'crash password' });
for (;;) {
  const sim = await createSandboxSubscriber(app.ctx, op.operatorId, 'g', {});
  await registerSubscriber(app.ctx, { operatorId: op.operatorId }, sim.imsi, { registrationSecret: sim.registrationSecret });
  await changeStatus(app.ctx, { operatorId: op.operatorId }, sim.imsi, 'activate');
  process.stdout.write('ack ' + sim.imsi + '\\n');
}
`;

async function killWhileWriting(spec: string): Promise<void> {
  const script = writeChildScript('platform-crash-child.mjs', childSource());
  const child = spawn(process.execPath, [script, spec], { stdio: ['ignore', 'pipe', 'pipe'], cwd: projectRoot });
  const acked: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) acked.push(l.slice(4));
      if (acked.length >= 40) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
  await new Promise((r) => child.once('close', r));
  expect(acked.length).toBeGreaterThanOrEqual(40);
  const store = await openStore(spec);
  const found = await store.transaction(async (tx) => Promise.all(acked.map((imsi) => tx.get<{ status: string; registered: boolean }>('subscriber', imsi))));
  const history = await store.transaction(async (tx) => tx.readStream('status-history'));
  await store.close();
  expect(found.map((s) => s?.status)).toEqual(acked.map(() => 'active'));
  for (const imsi of acked) expect(history.filter((h) => h.key === imsi).length).toBe(2);
}

describe('crash durability (SIGKILL)', () => {
  it('keeps every acknowledged change after the writing process is killed (SQLite)', async () => {
    await killWhileWriting(data);
  });

  it.skipIf(!postgres.available)('keeps every acknowledged change after the writing process is killed (PostgreSQL)', async () => {
    await killWhileWriting(await cluster!.createDatabase());
  });
});
