/**
 * The fleet report in its three forms, from real runs (real agents on simulated modems against
 * the in-process platform, virtual time): a small scenario with every kind of fault that passes
 * and a small one that fails. Recovery per fault kind and lost device events are measured
 * (issue 17); the JUnit file is validated against the JUnit schema with xmllint; the HTML page
 * is rendered in real headless Chromium (Debian's package) with its charts; shard reports merge
 * with every new figure (docs/fleet.md "Report").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../cli/fleet.js';
import type { FleetReport } from '../simulator/fleet/index.js';
import { DEFAULT_RECOVERY_BOUNDS_MS } from '../simulator/fleet/scenario.js';
import { artifactDir, launchBrowser, newPage } from './support/browser.js';

const SCHEMA = join(import.meta.dirname, 'schemas', 'junit.xsd');

/** Every fault kind, each on a few of 12 gateways, within one simulated day; all must recover in bounds. */
const PASSING = `name: faults-pass
seed: 7
duration: 1d
gateways: { count: 12, dialects: { bg96: 2, sim7080: 1, bg95: 1 }, latency: { realistic: 1 }, startSpread: 1m }
agent: { statusIntervalMs: 6h, liveness: { intervalMs: 2m } }
timeline:
  - { at: 2h, do: coverage-loss, target: { count: 3 }, for: 1h }
  - { at: 5h, do: reboot, target: { count: 3 } }
  - { at: 8h, do: port-drop, target: { count: 2 }, for: 30s }
  - { at: 11h, do: pdp-deactivation, target: { count: 3 } }
  - { at: 14h, do: registration-reject, target: { count: 2 }, cause: 15, for: 30m }
  - { at: 17h, do: delete-session, target: { count: 2 } }
  - { at: 20h, do: mute, target: { count: 2 }, for: 20m }
  - { at: 21h, do: garbage, target: { count: 2 }, for: 20m, garbage: replace }
expect:
  online: all
  agentCrashes: 0
  allFaultsRecovered: true
  allFaultsObserved: true
  recoveryTime: true
  lostEvents: 0
  noDuplicateEvents: true
  statusOnline: true
`;

/**
 * The network rejects 3 gateways from 1 h to 5 h; their agents give up after 5 rejects and rest
 * 6 h, so they are still down at the end (6 h), an hour past the fault: not recovered, and
 * slower than the 30 min bound.
 */
const FAILING = `name: reject-and-rest
duration: 6h
gateways: { count: 12, dialects: { bg96: 1, sim7080: 1 } }
agent: { reconnect: { rejectBackoffMs: 10m, restMs: 6h } }
timeline:
  - { at: 1h, do: registration-reject, target: { count: 3 }, cause: 15, for: 4h }
expect:
  online: all
  allFaultsRecovered: true
  recoveryTime: { registration-reject: 30m }
  lostEvents: 0
  agentCrashes: 0
`;

interface Outputs {
  code: number;
  report: FleetReport;
  html: string;
  junit: string;
}

let dir: string;
const runs: Record<'passing' | 'failing' | 'merged', Outputs> = {} as never;
const shardReports: FleetReport[] = [];

async function outputs(code: number, base: string): Promise<Outputs> {
  return {
    code,
    report: JSON.parse(await readFile(`${base}.json`, 'utf8')) as FleetReport,
    html: `${base}.html`,
    junit: `${base}.xml`,
  };
}

const files = (base: string): string[] => ['--report', `${base}.json`, '--html', `${base}.html`, '--junit', `${base}.xml`];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cellgate-fleet-report-'));
  await writeFile(join(dir, 'passing.yaml'), PASSING);
  await writeFile(join(dir, 'failing.yaml'), FAILING);
  for (const name of ['passing', 'failing'] as const) {
    const base = join(dir, name);
    runs[name] = await outputs(await run([join(dir, `${name}.yaml`), '--progress', 'none', ...files(base)]), base);
  }
  for (const shard of ['1/2', '2/2']) {
    const path = join(dir, `shard-${shard[0]}.json`);
    await run([join(dir, 'passing.yaml'), '--progress', 'none', '--shard', shard, '--report', path]);
    shardReports.push(JSON.parse(await readFile(path, 'utf8')) as FleetReport);
  }
  const merged = join(dir, 'merged');
  runs.merged = await outputs(await run(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json'), ...files(merged)]), merged);
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const total = (record: Record<string, number>): number => sum(Object.values(record));

describe('the report measures recovery and lost events', () => {
  test('a scenario with faults: no device event lost, every kind took its gateways down and recovered within its bound', () => {
    const { code, report } = runs.passing;
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(code).toBe(0);
    // Lost events: what the agents' outboxes accepted, compared by key with what the platform stored.
    expect(report.link).toMatchObject({ deliveryTracked: true, lostEvents: 0, pendingEvents: 0, lostEventKeys: [] });
    expect(report.link.acceptedEvents).toBeGreaterThan(12);
    expect(report.link.acceptedEvents).toBe(report.link.events);
    expect(report.expectations.find((e) => e.name === 'lostEvents')).toMatchObject({ op: '<=', expected: 0, actual: 0, ok: true });
    const kinds = ['coverage-loss', 'garbage', 'mute', 'pdp-deactivation', 'port-drop', 'reboot', 'registration-reject', 'session-deleted'];
    expect(Object.keys(report.faults.injected).sort()).toEqual(kinds);
    for (const kind of kinds) {
      const injected = report.faults.injected[kind]!;
      expect(injected, kind).toBeGreaterThan(0);
      expect(report.faults.notObserved[kind] ?? 0, kind).toBe(0);
      expect(report.faults.notRecovered[kind] ?? 0, kind).toBe(0);
      expect(report.faults.recovered[kind], kind).toBe(injected);
      expect(report.faults.recoveryTimesMs[kind], kind).toHaveLength(injected);
      expect(report.recovery[kind]!.max, kind).toBeLessThanOrEqual(DEFAULT_RECOVERY_BOUNDS_MS[kind]!);
      expect(report.expectations.find((e) => e.name === `recoveryTime.${kind}`)).toEqual(
        expect.objectContaining({ op: '<=', expected: DEFAULT_RECOVERY_BOUNDS_MS[kind], actual: report.recovery[kind]!.max, unit: 'ms', ok: true }),
      );
    }
    // A coverage loss of 1 h cannot be recovered before it ends: its time runs from the end, and a
    // module with real latencies needs a moment to register and activate again (with zero latency
    // and the agent's retry landing on the fault's last instant it could be exactly 0).
    expect(report.recovery['coverage-loss']!.max).toBeGreaterThan(0);
  });

  test('the series over simulated time add up to the run\'s totals', () => {
    const { report } = runs.passing;
    const s = report.series!;
    expect(s.bucketMs).toBe(600_000);
    expect(s.online).toHaveLength(144);
    expect(s.online.at(-1)).toBe(report.online.atEnd);
    expect(Math.min(...s.onlineLow.slice(12))).toBeLessThan(12); // the faults show as dips
    expect(sum(s.counts.attaches)).toBe(report.attach.attached);
    expect(sum(s.counts.reconnects)).toBe(report.reconnects.total);
    expect(sum(s.counts.faultsInjected)).toBe(total(report.faults.injected));
    expect(sum(s.counts.faultsRecovered)).toBe(total(report.faults.recovered));
    expect(sum(s.counts.eventsAccepted)).toBe(report.link.acceptedEvents);
    expect(sum(s.counts.eventsDelivered)).toBe(report.link.acceptedEvents);
    // The most troubled gateways carry their own timelines, faults included.
    expect(report.notable.troubled.length).toBeGreaterThan(0);
    expect(report.notable.troubled[0]!.timeline.some((step) => step.e === 'fault')).toBe(true);
    expect(report.notable.slowest).toHaveLength(10);
  });

  test('a failing scenario: a fault still down at the end is not recovered, and its recovery time exceeds the bound', () => {
    const { code, report } = runs.failing;
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.faults).toMatchObject({ injected: { 'registration-reject': 3 }, notRecovered: { 'registration-reject': 3 } });
    expect(report.faults.recovered['registration-reject'] ?? 0).toBe(0);
    const byName = Object.fromEntries(report.expectations.map((e) => [e.name, e]));
    expect(byName.online).toMatchObject({ op: '>=', expected: 12, actual: 9, ok: false });
    expect(byName['allFaultsRecovered.registration-reject']).toMatchObject({ op: '==', expected: 3, actual: 0, ok: false });
    // Down from the fault's end (5 h) to the end of the run.
    const stillDown = report.simulatedMs - 5 * 3_600_000;
    expect(stillDown).toBeGreaterThanOrEqual(3_600_000);
    expect(byName['recoveryTime.registration-reject']).toMatchObject({ op: '<=', expected: 1_800_000, actual: stillDown, unit: 'ms', ok: false });
    expect(report.faults.stillDownMs).toEqual({ 'registration-reject': stillDown });
    expect(byName['lostEvents']).toMatchObject({ actual: 0, ok: true });
    expect(report.notable.troubled.slice(0, 3).map((n) => n.unrecovered)).toEqual([1, 1, 1]);
  });
});

describe('fleet merge', () => {
  test('carries recovery, lost events, series, notable gateways and each shard\'s result', () => {
    const [a, b] = shardReports as [FleetReport, FleetReport];
    const { report } = runs.merged;
    expect(report.gateways).toBe(12);
    expect(report.faults.injected).toEqual(Object.fromEntries(Object.keys({ ...a.faults.injected, ...b.faults.injected }).map((k) => [k, (a.faults.injected[k] ?? 0) + (b.faults.injected[k] ?? 0)])));
    for (const kind of Object.keys(report.faults.injected)) {
      expect(report.faults.recoveryTimesMs[kind]).toHaveLength((a.faults.recoveryTimesMs[kind]?.length ?? 0) + (b.faults.recoveryTimesMs[kind]?.length ?? 0));
    }
    expect(report.link.acceptedEvents).toBe(a.link.acceptedEvents + b.link.acceptedEvents);
    expect(report.link.lostEvents).toBe(0);
    expect(report.series!.online.at(-1)).toBe(a.online.atEnd + b.online.atEnd);
    expect(sum(report.series!.counts.faultsInjected)).toBe(total(report.faults.injected));
    expect(report.shardResults.map((s) => [s.shard, s.gateways])).toEqual([['1/2', 6], ['2/2', 6]]);
    expect(report.notable.slowest).toHaveLength(10);
    expect(report.expectations.find((e) => e.name === 'lostEvents')).toMatchObject({ ok: true, actual: 0 });
  });
});

describe('JUnit XML', () => {
  const validate = (path: string): { ok: boolean; output: string } => {
    const result = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, path], { encoding: 'utf8' });
    if (result.error) throw new Error(`xmllint: ${result.error.message} (apt-get install libxml2-utils; .ci/run does)`);
    return { ok: result.status === 0, output: result.stderr };
  };

  test('validates against the JUnit schema for a passing, a failing and a merged run', () => {
    for (const name of ['passing', 'failing', 'merged'] as const) expect(validate(runs[name].junit), name).toEqual({ ok: true, output: expect.stringContaining('validates') });
  });

  test('the schema is not a rubber stamp: a test case without a name, or an unknown element, is refused', async () => {
    const bad = join(dir, 'bad.xml');
    await writeFile(bad, '<testsuites><testsuite name="s" tests="1"><testcase classname="c"/></testsuite></testsuites>');
    expect(validate(bad).ok).toBe(false);
    await writeFile(bad, '<testsuites><testsuite name="s" tests="1"><testcase name="t"><flaky/></testcase></testsuite></testsuites>');
    expect(validate(bad).ok).toBe(false);
  });

  test('one test case per expectation, failures with expected and actual values; one per shard when merged', () => {
    const xpath = (path: string, expr: string): string => execFileSync('xmllint', ['--xpath', expr, path], { encoding: 'utf8' }).trim();
    const failing = runs.failing;
    expect(Number(xpath(failing.junit, 'count(//testcase)'))).toBe(failing.report.expectations.length);
    expect(Number(xpath(failing.junit, 'string(/testsuites/@failures)'))).toBe(failing.report.expectations.filter((e) => !e.ok).length);
    expect(xpath(failing.junit, 'string(//testcase[@name="online"]/failure/@message)')).toBe('expected ≥ 12, got 9');
    expect(xpath(failing.junit, 'string(//testcase[@name="recoveryTime.registration-reject"]/failure/@message)')).toMatch(/^expected ≤ 30m, got 1h( \d+s)?$/);
    expect(xpath(failing.junit, 'string(//testcase[@name="recoveryTime.registration-reject"]/failure)')).toContain('expected: <= 1800000 ms');
    const merged = runs.merged;
    expect(Number(xpath(merged.junit, 'count(//testsuite[@name="cellgate.fleet.faults-pass.shards"]/testcase)'))).toBe(2);
    expect(Number(xpath(merged.junit, 'count(//testcase)'))).toBe(merged.report.expectations.length + 2);
  });
});

describe('HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const name of ['passing', 'failing'] as const) {
    test(`the ${name} run renders with its charts, expectations and gateway timelines, offline`, async () => {
      const { report, html } = runs[name];
      const { context, page } = await newPage(browser, { width: 1280, height: 900 });
      try {
        // One self-contained file: any request beyond the page itself is a failure.
        const requests: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        expect(requests).toEqual([pathToFileURL(html).href]);

        await expect.poll(() => page.locator('#verdict').textContent()).toBe(report.ok ? 'PASS' : 'FAIL');
        expect(await page.title()).toBe(`${report.ok ? 'PASS' : 'FAIL'} · fleet ${report.scenario}`);
        const rows = page.locator('#expectations tbody tr');
        expect(await rows.count()).toBe(report.expectations.length);
        expect(await page.locator('#expectations tr.fail').count()).toBe(report.expectations.filter((e) => !e.ok).length);
        if (!report.ok) expect(await page.locator('#expectations tr.fail[data-name="online"] td').nth(3).textContent()).toBe('9');

        // Each chart is drawn: a visible box and marks with real geometry.
        for (const id of ['chart-online', 'chart-connections', 'chart-attach', 'chart-faults', 'chart-delivery', 'chart-bills']) {
          const chart = page.locator(`svg#${id}`);
          const box = await chart.boundingBox();
          expect(box?.width, id).toBeGreaterThan(600);
          expect(box?.height, id).toBeGreaterThan(150);
          const marks = await chart.evaluate((svg) =>
            [...svg.querySelectorAll('.series')].map((el) => (el as unknown as { getBBox(): { width: number; height: number } }).getBBox()).filter((b) => b.width > 0 || b.height > 0).length,
          );
          expect(marks, id).toBeGreaterThan(0);
        }
        // The online line reaches the end of the run at the number online at the end.
        const label = await page.locator('#chart-online .hover rect').last().locator('title').textContent();
        expect(label).toContain(`online at interval end ${report.online.atEnd}`);
        // Per fault kind: the table, and the troubled gateways' timelines with their faults marked.
        expect(await page.locator('#faults tbody tr').count()).toBe(Object.keys(report.faults.injected).length);
        const strips = page.locator('#troubled svg.strip');
        expect(await strips.count()).toBe(report.notable.troubled.length);
        expect(await page.locator('#troubled svg.strip .fault').count()).toBeGreaterThan(0);
        expect(await page.locator('#lost-events').textContent()).toBe(String(report.link.lostEvents));

        await page.screenshot({ path: join(artifactDir('fleet-report'), `${name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
