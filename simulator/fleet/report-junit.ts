/**
 * The fleet report as JUnit XML (`cellgate fleet … --junit report.xml`) for CI systems: one
 * test suite with a test case per expectation (a failure carries expected and actual values,
 * a skipped expectation is `<skipped>`), and — for sharded or merged runs — a second suite with
 * a test case per shard. The format is the common Ant / Jenkins JUnit layout (`testsuites` /
 * `testsuite` / `testcase` / `failure` / `skipped` / `properties` / `system-out`); the test
 * suite checks the output against a schema of it (test/schemas/junit.xsd).
 */
import { formatDuration } from './duration.js';
import { formatExpected, formatValue, type ExpectationResult, type FleetReport } from './report.js';

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry. */
function xml(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function expectationCase(classname: string, e: ExpectationResult): string {
  const open = `    <testcase classname="${xml(classname)}" name="${xml(e.name)}" time="0">`;
  const detail = `expected: ${e.op} ${e.expected}${e.unit ? ` ${e.unit}` : ''}\nactual: ${e.actual}${e.unit ? ` ${e.unit}` : ''}${e.note ? `\n${e.note}` : ''}`;
  if (e.skipped) return `${open}\n      <skipped message="${xml(e.skipped)}"/>\n    </testcase>`;
  if (e.ok) return `${open}\n      <system-out>${xml(detail)}</system-out>\n    </testcase>`;
  const message = `expected ${formatExpected(e)}, got ${formatValue(e, e.actual)}`;
  return `${open}\n      <failure message="${xml(message)}" type="expectation">${xml(detail)}</failure>\n    </testcase>`;
}

/** Renders the report as a JUnit XML document. */
export function renderJunitReport(report: FleetReport): string {
  const base = `cellgate.fleet.${report.scenario}`;
  const expectations = report.expectations;
  const failures = expectations.filter((e) => !e.ok).length;
  const skipped = expectations.filter((e) => e.skipped).length;
  const properties = [
    ['gateways', report.gateways],
    ['mode', report.mode],
    ['simulated', formatDuration(report.simulatedMs)],
    ['simulatedMs', report.simulatedMs],
    ['onlineAtEnd', report.online.atEnd],
    ['shouldBeOnline', report.online.shouldBeOnline],
    ['lostEvents', report.link.lostEvents],
    ['crashes', report.crashes],
  ]
    .map(([name, value]) => `      <property name="${xml(String(name))}" value="${xml(String(value))}"/>`)
    .join('\n');
  const suites: string[] = [];
  suites.push(
    [
      `  <testsuite name="${xml(`${base}.expectations`)}" tests="${expectations.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.wallMs)}">`,
      `    <properties>\n${properties}\n    </properties>`,
      ...expectations.map((e) => expectationCase(`${base}.expectations`, e)),
      '  </testsuite>',
    ].join('\n'),
  );
  let tests = expectations.length;
  let failed = failures;
  const shards = report.shardResults;
  if (report.shards.length > 0 && shards.length > 0) {
    const shardFailures = shards.filter((s) => !s.ok).length;
    tests += shards.length;
    failed += shardFailures;
    suites.push(
      [
        `  <testsuite name="${xml(`${base}.shards`)}" tests="${shards.length}" failures="${shardFailures}" errors="0" skipped="0" time="${seconds(Math.max(0, ...shards.map((s) => s.wallMs)))}">`,
        ...shards.map((s) => {
          const open = `    <testcase classname="${xml(`${base}.shards`)}" name="${xml(`shard ${s.shard}`)}" time="${seconds(s.wallMs)}">`;
          const body = s.ok
            ? `      <system-out>${xml(`${s.gateways} gateways, every expectation held`)}</system-out>`
            : `      <failure message="${xml(`failed: ${s.failed.join(', ')}`)}" type="shard">${xml(`${s.gateways} gateways; failed expectations: ${s.failed.join(', ')}`)}</failure>`;
          return `${open}\n${body}\n    </testcase>`;
        }),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // The aggregate element has no skipped count in the format (each testsuite has its own).
    `<testsuites name="${xml(`cellgate fleet ${report.scenario}`)}" tests="${tests}" failures="${failed}" errors="0" time="${seconds(report.wallMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
