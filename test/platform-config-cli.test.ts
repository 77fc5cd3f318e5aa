import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../platform/cli.js';
import { builtCli, killAllCellgate } from './support/process-stack.js';
import { startVirtualPlatform } from './support/virtual-platform.js';

afterEach(() => vi.restoreAllMocks());
afterAll(async () => killAllCellgate());

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cg-config-')), 'platform.yaml');
  writeFileSync(path, text);
  return path;
}

describe('cellgate platform --config and calendar flags', () => {
  it('refuses a bad config, calendar or clock before starting, naming the problem', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-data-'));
    const cases: [string[], RegExp][] = [
      [['--config', join(dataDir, 'missing.yaml')], /cannot read config file .*missing\.yaml \(ENOENT\)/],
      [['--config', configFile('calendars:\n  jp:\n    holidays: [obon]\n')], /calendars\.jp: holiday "obon"/],
      [['--config', configFile('clocks: {}\n')], /unknown key clocks/],
      [['--time-zone-jp', 'Asia/Edo'], /--time-zone-jp \/ --holidays-jp/],
      [['--holidays-g', '01-01,2026-02-30'], /holiday "2026-02-30"/],
      [['--clock', 'fast'], /--clock must be real or virtual/],
      [['--start', '2026-01-01T00:00:00Z'], /used with --clock virtual/],
      [['--clock', 'virtual', '--start', 'tomorrow'], /ISO 8601/],
    ];
    for (const [args, message] of cases) {
      expect(await run(['--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', ...args]), args.join(' ')).toBe(2);
      expect(errors.at(-1), args.join(' ')).toMatch(message);
    }
  });

  it.skipIf(!builtCli)('takes clock and calendars from the file, flags over the file', async () => {
    const path = configFile(['clock:', '  mode: virtual', '  start: 2027-08-01T00:00:00Z', 'calendars:', '  jp:', '    holidays: [japan-public-holidays, "08-13..08-16"]', '  g:', '    timeZone: Europe/Berlin', ''].join('\n'));
    // The helper passes --clock virtual --start itself; the file's clock start must lose to it.
    const vp = await startVirtualPlatform('2027-08-10T00:00:00Z', ['--config', path, '--holidays-g', '12-24..12-26']);
    const op = await vp.newOperator();
    const jp = await vp.call('GET', '/_cellgate/business_calendar?from=2027-08-01&to=2027-08-31', { auth: op, coverage: 'jp' });
    expect(jp.body).toMatchObject({ timeZone: 'Asia/Tokyo', today: '2027-08-10', holidays: ['2027-08-11', '2027-08-13', '2027-08-14', '2027-08-15', '2027-08-16'] });
    const g = await vp.call('GET', '/_cellgate/business_calendar?from=2027-12-01&to=2028-01-31', { auth: op });
    expect(g.body).toMatchObject({ timeZone: 'Europe/Berlin', holidays: ['2027-12-24', '2027-12-25', '2027-12-26'] });
    await vp.proc.stop();
  });
});
