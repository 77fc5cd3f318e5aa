/**
 * The fleet run's report: the JSON document (`--report file.json`), the human summary, and the
 * merge of shard reports (`cellgate fleet merge`).
 */
import { formatDuration } from './duration.js';
import type { Expectations } from './scenario.js';

export interface ExpectationResult {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
  /** Not checked: the run had no way to measure it (e.g. no billing API). */
  skipped?: string;
}

export interface FleetReport {
  version: 1;
  scenario: string;
  mode: 'virtual' | 'real';
  shards: { index: number; count: number }[];
  gateways: number;
  /** Virtual (or real) time the run covered. */
  simulatedMs: number;
  wallMs: number;
  hops: number;
  peakRssBytes: number;
  /** Cold-start attach times (ms on the shared clock), one per gateway that attached. */
  attachTimesMs: number[];
  attach: { attached: number; p50: number; p90: number; p99: number; max: number };
  online: { atEnd: number; shouldBeOnline: number };
  reconnects: { total: number; attempts: number; maxAttemptsPerHour: number };
  faults: { injected: Record<string, number>; recovered: Record<string, number> };
  operator: { calls: number; actions: Record<string, number>; failed: number };
  notifications: { available: boolean; delivered: number; lost: number };
  /** The agents' MQTT links as the platform saw them at the end. */
  link: {
    enabled: boolean;
    devices: number;
    /** Retained status `online: true` (link up). */
    statusOnline: number;
    /** Retained `session.state` up exactly when the agent itself is online. */
    sessionAgrees: number;
    /** Device events the platform stored, and how many of them repeat a key already stored. */
    events: number;
    duplicateEvents: number;
  };
  esim: {
    gateways: number;
    switches: { sent: number; ok: number; failed: number; errors: string[] };
    /** Delivered = distinct (EID, seq) the platform took; pending = still on the cards; appliedTwice needs the platform's log (`checked`). */
    notifications: { delivered: number; pending: number; appliedTwice: number; checked: boolean };
    /** Profiles switched to, and how many of them the platform shows ACTIVATION_SUCCEEDED. */
    activated: { expected: number; actual: number };
  };
  transfers: { issued: number; verified: number; failed: number };
  billing: { available: boolean; total: number; months: Record<string, number>; error?: string };
  crashes: number;
  crashMessages: string[];
  expect: Expectations;
  expectations: ExpectationResult[];
  ok: boolean;
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function attachSummary(times: readonly number[]): FleetReport['attach'] {
  return { attached: times.length, p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: percentile(times, 100) };
}

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

/** Checks the scenario's expectations against the measured figures. */
export function checkExpectations(report: Omit<FleetReport, 'expectations' | 'ok'>): ExpectationResult[] {
  const x = report.expect;
  const out: ExpectationResult[] = [];
  if (x.online !== undefined) {
    const want = x.online === 'all' ? report.online.shouldBeOnline : Math.ceil(x.online * report.online.shouldBeOnline);
    out.push({
      name: 'online',
      expected: x.online === 'all' ? `all ${report.online.shouldBeOnline}` : `≥ ${want} (${x.online * 100}% of ${report.online.shouldBeOnline})`,
      actual: `${report.online.atEnd}`,
      ok: report.online.atEnd >= want,
    });
  }
  if (x.maxReconnectAttemptsPerHour !== undefined) {
    out.push({
      name: 'maxReconnectAttemptsPerHour',
      expected: `≤ ${x.maxReconnectAttemptsPerHour}`,
      actual: `${report.reconnects.maxAttemptsPerHour}`,
      ok: report.reconnects.maxAttemptsPerHour <= x.maxReconnectAttemptsPerHour,
    });
  }
  if (x.lostNotifications !== undefined) {
    const r: ExpectationResult = { name: 'lostNotifications', expected: `≤ ${x.lostNotifications}`, actual: `${report.notifications.lost}`, ok: true };
    if (!report.notifications.available) r.skipped = 'no eSIM gateways with a link in this run';
    else r.ok = report.notifications.lost <= x.lostNotifications;
    out.push(r);
  }
  if (x.billTotal !== undefined) {
    const { min, max } = x.billTotal;
    const r: ExpectationResult = {
      name: 'billTotal',
      expected: [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and '),
      actual: `${report.billing.total}`,
      ok: true,
    };
    if (!report.billing.available) {
      if (report.billing.error) r.ok = false;
      else r.skipped = 'the platform serves no billing API';
    }
    else r.ok = (min === undefined || report.billing.total >= min) && (max === undefined || report.billing.total <= max);
    out.push(r);
  }
  if (x.agentCrashes !== undefined) {
    out.push({ name: 'agentCrashes', expected: `≤ ${x.agentCrashes}`, actual: `${report.crashes}`, ok: report.crashes <= x.agentCrashes });
  }
  if (x.statusOnline) {
    const l = report.link;
    out.push({
      name: 'statusOnline',
      expected: `all ${l.devices} online, session as the agent sees it`,
      actual: `${l.statusOnline} online, ${l.sessionAgrees} agree`,
      ok: l.devices > 0 && l.statusOnline === l.devices && l.sessionAgrees === l.devices,
    });
  }
  if (x.noDuplicateEvents) {
    const l = report.link;
    out.push({ name: 'noDuplicateEvents', expected: 'events > 0, 0 duplicates', actual: `${l.events} events, ${l.duplicateEvents} duplicates`, ok: l.events > 0 && l.duplicateEvents === 0 });
  }
  if (x.esimNotificationsDelivered) {
    const e = report.esim;
    const r: ExpectationResult = {
      name: 'esimNotificationsDelivered',
      expected: `0 pending, 0 applied twice, ${e.switches.sent} switches all ok and Activated`,
      actual: `${e.notifications.delivered} delivered, ${e.notifications.pending} pending, ${e.notifications.appliedTwice} applied twice; switches ${e.switches.ok}/${e.switches.sent}, Activated ${e.activated.actual}/${e.activated.expected}`,
      ok:
        e.notifications.pending === 0 &&
        e.notifications.appliedTwice === 0 &&
        e.switches.failed === 0 &&
        e.switches.ok === e.switches.sent &&
        e.activated.actual === e.activated.expected,
    };
    if (!e.notifications.checked) r.actual += ' (applied-twice not checked: remote platform)';
    out.push(r);
  }
  if (x.allFaultsRecovered) {
    const injected = sum(report.faults.injected);
    const recovered = sum(report.faults.recovered);
    out.push({ name: 'allFaultsRecovered', expected: `${injected}`, actual: `${recovered}`, ok: recovered >= injected });
  }
  return out;
}

export function finishReport(report: Omit<FleetReport, 'expectations' | 'ok' | 'attach'>): FleetReport {
  const withAttach = { ...report, attach: attachSummary(report.attachTimesMs) };
  const expectations = checkExpectations(withAttach);
  return { ...withAttach, expectations, ok: expectations.every((e) => e.ok) };
}

/** Sums a figure over reports (older reports without it count 0). */
const sumOf = (reports: readonly FleetReport[], pick: (r: FleetReport) => number | undefined): number => reports.reduce((a, r) => a + (pick(r) ?? 0), 0);

const addRecords = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Merges shard reports of one scenario into one, and checks the expectations again. */
export function mergeReports(reports: readonly FleetReport[]): FleetReport {
  if (reports.length === 0) throw new Error('nothing to merge');
  for (const r of reports) if (r.version !== 1) throw new Error(`unsupported report version ${String(r.version)}`);
  const names = new Set(reports.map((r) => r.scenario));
  if (names.size > 1) throw new Error(`reports of different scenarios: ${[...names].join(', ')}`);
  const first = reports[0]!;
  const merged: Omit<FleetReport, 'expectations' | 'ok' | 'attach'> = {
    version: 1,
    scenario: first.scenario,
    mode: first.mode,
    shards: reports.flatMap((r) => r.shards),
    gateways: reports.reduce((a, r) => a + r.gateways, 0),
    simulatedMs: Math.max(...reports.map((r) => r.simulatedMs)),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    hops: reports.reduce((a, r) => a + r.hops, 0),
    peakRssBytes: Math.max(...reports.map((r) => r.peakRssBytes)),
    attachTimesMs: reports.flatMap((r) => r.attachTimesMs),
    online: {
      atEnd: reports.reduce((a, r) => a + r.online.atEnd, 0),
      shouldBeOnline: reports.reduce((a, r) => a + r.online.shouldBeOnline, 0),
    },
    reconnects: {
      total: reports.reduce((a, r) => a + r.reconnects.total, 0),
      attempts: reports.reduce((a, r) => a + r.reconnects.attempts, 0),
      maxAttemptsPerHour: Math.max(...reports.map((r) => r.reconnects.maxAttemptsPerHour)),
    },
    faults: {
      injected: reports.reduce((a, r) => addRecords(a, r.faults.injected), {}),
      recovered: reports.reduce((a, r) => addRecords(a, r.faults.recovered), {}),
    },
    operator: {
      calls: reports.reduce((a, r) => a + r.operator.calls, 0),
      actions: reports.reduce((a, r) => addRecords(a, r.operator.actions), {}),
      failed: reports.reduce((a, r) => a + r.operator.failed, 0),
    },
    notifications: {
      available: reports.every((r) => r.notifications.available),
      delivered: reports.reduce((a, r) => a + r.notifications.delivered, 0),
      lost: reports.reduce((a, r) => a + r.notifications.lost, 0),
    },
    link: {
      enabled: reports.every((r) => r.link?.enabled ?? false),
      devices: sumOf(reports, (r) => r.link?.devices),
      statusOnline: sumOf(reports, (r) => r.link?.statusOnline),
      sessionAgrees: sumOf(reports, (r) => r.link?.sessionAgrees),
      events: sumOf(reports, (r) => r.link?.events),
      duplicateEvents: sumOf(reports, (r) => r.link?.duplicateEvents),
    },
    esim: {
      gateways: sumOf(reports, (r) => r.esim?.gateways),
      switches: {
        sent: sumOf(reports, (r) => r.esim?.switches.sent),
        ok: sumOf(reports, (r) => r.esim?.switches.ok),
        failed: sumOf(reports, (r) => r.esim?.switches.failed),
        errors: reports.flatMap((r) => r.esim?.switches.errors ?? []).slice(0, 10),
      },
      notifications: {
        delivered: sumOf(reports, (r) => r.esim?.notifications.delivered),
        pending: sumOf(reports, (r) => r.esim?.notifications.pending),
        appliedTwice: sumOf(reports, (r) => r.esim?.notifications.appliedTwice),
        checked: reports.every((r) => r.esim?.notifications.checked ?? false),
      },
      activated: { expected: sumOf(reports, (r) => r.esim?.activated.expected), actual: sumOf(reports, (r) => r.esim?.activated.actual) },
    },
    transfers: {
      issued: sumOf(reports, (r) => r.transfers?.issued),
      verified: sumOf(reports, (r) => r.transfers?.verified),
      failed: sumOf(reports, (r) => r.transfers?.failed),
    },
    billing: {
      available: reports.every((r) => r.billing.available),
      total: reports.reduce((a, r) => a + r.billing.total, 0),
      months: reports.reduce((a, r) => addRecords(a, r.billing.months), {}),
    },
    crashes: reports.reduce((a, r) => a + r.crashes, 0),
    crashMessages: reports.flatMap((r) => r.crashMessages).slice(0, 20),
    expect: first.expect,
  };
  return finishReport(merged);
}

/** The human summary printed at the end of a run. */
export function formatSummary(report: FleetReport): string {
  const rows: [string, string][] = [
    ['scenario', `${report.scenario} (${report.mode} time${report.shards.length ? `, shards ${report.shards.map((s) => `${s.index}/${s.count}`).join(' ')}` : ''})`],
    ['gateways', `${report.gateways}`],
    ['simulated', formatDuration(report.simulatedMs)],
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s (${report.hops} clock hops)`],
    ['peak RSS', `${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    [
      'attach (cold start)',
      `${report.attach.attached} attached; p50 ${formatDuration(report.attach.p50)}, p90 ${formatDuration(report.attach.p90)}, p99 ${formatDuration(report.attach.p99)}, max ${formatDuration(report.attach.max)}`,
    ],
    ['online at end', `${report.online.atEnd} of ${report.online.shouldBeOnline} that should be`],
    ['reconnects', `${report.reconnects.total} (attempts ${report.reconnects.attempts}, max ${report.reconnects.maxAttemptsPerHour} per device-hour)`],
    ['faults injected', formatRecord(report.faults.injected)],
    ['faults recovered', formatRecord(report.faults.recovered)],
    ['operator API', `${report.operator.calls} calls; ${formatRecord(report.operator.actions)}; ${report.operator.failed} refused`],
    [
      'MQTT link',
      report.link.enabled
        ? `${report.link.devices} devices; status online ${report.link.statusOnline}, session agrees ${report.link.sessionAgrees}; ${report.link.events} events, ${report.link.duplicateEvents} duplicates`
        : 'off (agent.link: false)',
    ],
    [
      'eSIM',
      report.esim.gateways > 0
        ? `${report.esim.gateways} cards; switches ${report.esim.switches.ok}/${report.esim.switches.sent} ok, Activated ${report.esim.activated.actual}/${report.esim.activated.expected}; notifications ${report.esim.notifications.delivered} delivered, ${report.esim.notifications.pending} pending, ${report.esim.notifications.checked ? `${report.esim.notifications.appliedTwice} applied twice` : 'applied-twice unchecked'}`
        : 'none',
    ],
    ['ready transfers', `${report.transfers.verified} SIMs transferred (${report.transfers.issued} issued, ${report.transfers.failed} refused)`],
    ['fees billed', report.billing.available
        ? `${report.billing.total} (${formatRecord(report.billing.months)})`
        : report.billing.error
          ? `unreadable: ${report.billing.error}`
          : 'n/a (no billing API)'],
    ['agent crashes', `${report.crashes}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  if (report.expectations.length > 0) {
    lines.push('', '  expectations:');
    for (const e of report.expectations) {
      const mark = e.skipped ? 'SKIP' : e.ok ? 'ok  ' : 'FAIL';
      lines.push(`   ${mark} ${e.name}: expected ${e.expected}, got ${e.actual}${e.skipped ? ` (${e.skipped})` : ''}`);
    }
  }
  lines.push('', report.ok ? '  result: PASS' : '  result: FAIL');
  return lines.join('\n');
}

function formatRecord(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}
