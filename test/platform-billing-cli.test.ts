import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../platform/cli.js';

afterEach(() => vi.restoreAllMocks());

describe('cellgate platform --fee-schedule-dir', () => {
  it('refuses to start on a missing or invalid fee schedule and names the problem', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-data-'));
    const feeDir = mkdtempSync(join(tmpdir(), 'cg-fees-'));
    expect(await run(['--data-dir', dataDir, '--port', '0', '--fee-schedule-dir', feeDir])).toBe(2);
    expect(errors.join('\n')).toContain(`cannot read fee schedule ${join(feeDir, 'g.json')}`);
    writeFileSync(join(feeDir, 'g.json'), '{"coverageType": "g"');
    expect(await run(['--data-dir', dataDir, '--port', '0', '--fee-schedule-dir', feeDir])).toBe(2);
    expect(errors.at(-1)).toMatch(/g\.json: not valid JSON/);
  });
});
