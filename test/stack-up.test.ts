/**
 * `cellgate up` as a user runs it (`npm start`; `npm test` builds `dist/` first): a child process
 * that must reach online, print working credentials, stop cleanly on SIGINT, and keep its data
 * across a restart on the same data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'cellgate.js');
const built = existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'up.js'));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function start(dataDir: string): { proc: ChildProcess; output: () => string; waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> } {
  const proc = spawn(process.execPath, [bin, 'up', '--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', '--speed', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    output: () => out,
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** POSTs an ES9+ call over HTTPS, trusting `ca` only; resolves with the JSON answer or rejects (TLS refused). */
function es9Post(url: string, ca: string | undefined, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolvePost, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(
      url,
      { method: 'POST', ...(ca ? { ca } : {}), headers: { 'content-type': 'application/json', 'x-admin-protocol': 'gsma/rsp/v2.2.0', 'content-length': payload.length } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return proc.exitCode !== null ? Promise.resolve(proc.exitCode) : new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

describe.skipIf(!built)('cellgate up (from dist/)', () => {
  it('comes online, prints a working login, stops cleanly on SIGINT, and keeps its data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-up-'));
    const first = start(dataDir);
    await first.waitFor(/gateway 1: activating → online/, 60_000);
    const url = (await first.waitFor(/API\s+(http:\S+)/, 1_000))[1]!;
    const [, email, password] = await first.waitFor(/email (\S+)\s+password (\S+)/, 1_000);
    const imsi = (await first.waitFor(/IMSI (\d+)/, 1_000))[1]!;
    expect(first.output()).toMatch(/MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+/);
    // The SM-DP+ a public LPA downloads from, and the CA file it must trust: a TLS client that
    // trusts only that file reaches ES9+ and gets an SGP.22 answer; without it, TLS refuses.
    const [, smdpUrl, smdpAddress] = await first.waitFor(/SM-DP\+\s+(https:\/\/127\.0\.0\.1:\d+) \(ES9\+\), address (localhost:\d+)/, 1_000);
    expect(smdpAddress!.split(':')[1]).toBe(smdpUrl!.split(':')[2]);
    const caFile = (await first.waitFor(/SM-DP\+ CA\s+(\S+)/, 1_000))[1]!;
    const ca = readFileSync(caFile, 'utf8');
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const answer = await es9Post(`${smdpUrl}/gsma/rsp2/es9plus/initiateAuthentication`, ca, {});
    expect(answer.json).toMatchObject({ header: { functionExecutionStatus: { status: 'Failed' } } });
    await expect(es9Post(`${smdpUrl}/gsma/rsp2/es9plus/initiateAuthentication`, undefined, {})).rejects.toThrow(/certificate/);

    const auth = (await (await fetch(`${url}/v1/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { apiKey: string; token: string };
    const headers = { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token };
    const sub = (await (await fetch(`${url}/v1/subscribers/${imsi}`, { headers })).json()) as { status: string; sessionStatus: { online: boolean } };
    expect(sub.status).toBe('active');
    expect(sub.sessionStatus.online).toBe(true);

    first.proc.kill('SIGINT');
    expect(await exited(first.proc)).toBe(0);
    expect(first.output()).toMatch(/online → stopping/);
    expect(first.output()).toMatch(/stopped cleanly/);

    const second = start(dataDir);
    await second.waitFor(/reusing the stack/, 30_000);
    await second.waitFor(/gateway 1: activating → online/, 60_000);
    expect((await second.waitFor(/IMSI (\d+)/, 1_000))[1]).toBe(imsi);
    expect((await second.waitFor(/email (\S+)/, 1_000))[1]).toBe(email);
    // The same PKI after a restart: the CA an LPA was given stays valid.
    expect(readFileSync((await second.waitFor(/SM-DP\+ CA\s+(\S+)/, 1_000))[1]!, 'utf8')).toBe(ca);
    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).toBe(0);
  });
});
