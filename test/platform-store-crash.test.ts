import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../platform/store/sqlite-store.js';

const root = join(import.meta.dirname, '..');
// Inside the project so the child resolves better-sqlite3, pino … from node_modules.
const build = join(root, 'node_modules', '.cache', `cellgate-crash-${process.pid}`);
const data = mkdtempSync(join(tmpdir(), 'cellgate-crash-'));
afterAll(() => {
  rmSync(build, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

/** Transpiles the platform core (no type check) so a plain `node` child can run it. */
function transpile(dirs: string[]): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('store-contract.ts') ? [p] : [];
    });
  for (const file of dirs.flatMap((d) => walk(join(root, d)))) {
    const out = join(build, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(out, js);
  }
  writeFileSync(join(build, 'package.json'), '{"type":"module"}');
}

const CHILD = `
import { createPlatformApp } from './platform/app/platform-app.js';
import { createOperator } from './platform/app/accounts.js';
import { createSandboxSubscriber, registerSubscriber, changeStatus } from './platform/app/subscribers.js';
import { SqliteStore } from './platform/store/sqlite-store.js';
const app = createPlatformApp({ store: new SqliteStore(process.argv[2]) });
const op = await createOperator(app.ctx, { email: 'crash@example.com', password: 'crash password' });
for (;;) {
  const sim = await createSandboxSubscriber(app.ctx, op.operatorId, 'g', {});
  await registerSubscriber(app.ctx, { operatorId: op.operatorId }, sim.imsi, { registrationSecret: sim.registrationSecret });
  await changeStatus(app.ctx, { operatorId: op.operatorId }, sim.imsi, 'activate');
  process.stdout.write('ack ' + sim.imsi + '\\n');
}
`;

describe('crash durability (SIGKILL)', () => {
  it('keeps every acknowledged change after the writing process is killed', async () => {
    transpile(['common', 'platform/domain', 'platform/app', 'platform/store', 'platform/contract']);
    writeFileSync(join(build, 'child.mjs'), CHILD);
    const dbPath = join(data, 'platform.sqlite');
    const child = spawn(process.execPath, [join(build, 'child.mjs'), dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const store = new SqliteStore(dbPath);
    const found = await store.transaction(async (tx) => Promise.all(acked.map((imsi) => tx.get<{ status: string; registered: boolean }>('subscriber', imsi))));
    const history = await store.transaction(async (tx) => tx.readStream('status-history'));
    await store.close();
    expect(found.map((s) => s?.status)).toEqual(acked.map(() => 'active'));
    for (const imsi of acked) expect(history.filter((h) => h.key === imsi).length).toBe(2);
  });
});
