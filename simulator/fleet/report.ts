/**
 * The fleet run's report: the JSON document (`--report file.json`), the human summary, and the
 * merge of shard reports (`cellgate fleet merge`). The HTML and JUnit forms are rendered from
 * this document (`report-html.ts`, `report-junit.ts`), so a merged report has them too.
 */
import { formatDuration } from './duration.js';
import { mergeFaultFigures, type FaultFigures } from './fault-ledger.js';
import { mergeNotes, type GatewayNotes } from './gateway-notes.js';
import { DEFAULT_RECOVERY_BOUNDS_MS, type Expectations } from './scenario.js';
import { mergeSeries, type FleetSeries } from './series.js';

/** How an expectation compares: `actual op expected`. */
export type ExpectationOp = '<=' | '>=' | '==';

/**
 * One checked expectation as a structured value: `actual op expected` (e.g.
 * `{ name: 'lostEvents', op: '<=', expected: 0, actual: 2, ok: false }`). Compound expectations
 * of the scenario become one result per figure, named by dotted path (`billTotal.max`,
 * `recoveryTime.reboot`, `allFaultsRecovered.coverage-loss`).
 */
export interface ExpectationResult {
  name: string;
  op: ExpectationOp;
  expected: number;
  actual: number;
  /** `ms`: both values are durations (text and HTML show them in readable units). */
  unit?: 'ms';
  ok: boolean;
  /** Not checked: the run had no way to measure it (e.g. no billing API); says why. */
  skipped?: string;
  /** What the figures mean, in words. */
  note?: string;
}

/** Per fault kind: how long recovered gateways took from the fault's end to online again. */
export interface RecoverySummary {
  count: number;
  p50: number;
  p90: number;
  max: number;
}

/** The outcome of one shard (or of the whole run when unsharded), one JUnit test case each. */
export interface ShardResult {
  /** `i/n`, or `all` for an unsharded run. */
  shard: string;
  gateways: number;
  wallMs: number;
  ok: boolean;
  /** Names of the expectations that failed in this shard's own report. */
  failed: string[];
}

export interface FleetReport {
  /** 2: structured expectations, recovery, lost events, series, notable gateways (1 still merges). */
  version: 2;
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
  /**
   * Faults that hit online gateways, per kind: recovered (went down, back online after the
   * fault's end), not observed (never took the gateway down), not recovered (still down at the
   * end), each recovery time, and how long the unrecovered ones had been down past the fault.
   */
  faults: FaultFigures;
  /** Recovery times per fault kind (from `faults.recoveryTimesMs`). */
  recovery: Record<string, RecoverySummary>;
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
    /** The hosts reported their outboxes (`GatewayHost.onDelivery`): the next four are measured. */
    deliveryTracked: boolean;
    /** Device events the agents' outboxes accepted (each a promise to deliver it). */
    acceptedEvents: number;
    /** Accepted, gone from the outbox (acknowledged or rejected), and not stored by the platform. */
    lostEvents: number;
    /** Accepted and still in an outbox at the end (not delivered yet, not lost). */
    pendingEvents: number;
    /** A few lost ones, `deviceId key`, to start looking. */
    lostEventKeys: string[];
  };
  esim: {
    gateways: number;
    switches: { sent: number; ok: number; failed: number; errors: string[] };
    /** Delivered = distinct (EID, seq) the platform took; pending = still on the cards; appliedTwice needs the platform's log (`checked`). */
    notifications: { delivered: number; pending: number; appliedTwice: number; checked: boolean };
    /** Profiles switched to, and how many of them the platform shows ACTIVATION_SUCCEEDED. */
    activated: { expected: number; actual: number };
    /** How the cards got their profiles, and how many profiles each way (absent in older reports). */
    provisioned?: { download: number; shortcut: number };
  };
  transfers: { issued: number; verified: number; failed: number };
  billing: { available: boolean; total: number; months: Record<string, number>; error?: string };
  crashes: number;
  crashMessages: string[];
  /** The figures over simulated time (absent in reports of version 1). */
  series?: FleetSeries;
  /** The slowest and most troubled gateways, with their timelines. */
  notable: GatewayNotes;
  expect: Expectations;
  expectations: ExpectationResult[];
  shardResults: ShardResult[];
  ok: boolean;
}

/** What a run hands to `finishReport`: everything but what is derived. */
export type ReportDraft = Omit<FleetReport, 'expectations' | 'ok' | 'attach' | 'recovery' | 'shardResults'> & { shardResults?: ShardResult[] };

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function attachSummary(times: readonly number[]): FleetReport['attach'] {
  return { attached: times.length, p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: percentile(times, 100) };
}

type Checked = Omit<FleetReport, 'expectations' | 'ok' | 'shardResults'>;

const check = (name: string, op: ExpectationOp, expected: number, actual: number, extra: Partial<ExpectationResult> = {}): ExpectationResult => ({
  name,
  op,
  expected,
  actual,
  ok: op === '<=' ? actual <= expected : op === '>=' ? actual >= expected : actual === expected,
  ...extra,
});

const skip = (name: string, op: ExpectationOp, expected: number, actual: number, why: string, extra: Partial<ExpectationResult> = {}): ExpectationResult => ({
  name, op, expected, actual, ok: true, skipped: why, ...extra,
});

/** Fault kinds that hit at least one online gateway, in a stable order. */
const faultKinds = (report: Checked): string[] => Object.keys(report.faults.injected).filter((k) => (report.faults.injected[k] ?? 0) > 0).sort();

/** Checks the scenario's expectations against the measured figures. */
export function checkExpectations(report: Checked): ExpectationResult[] {
  const x = report.expect;
  const out: ExpectationResult[] = [];
  if (x.online !== undefined) {
    const should = report.online.shouldBeOnline;
    const want = x.online === 'all' ? should : Math.ceil(x.online * should);
    out.push(check('online', '>=', want, report.online.atEnd, { note: x.online === 'all' ? `all ${should} that should be online` : `${x.online * 100}% of ${should} that should be online` }));
  }
  if (x.maxReconnectAttemptsPerHour !== undefined) {
    out.push(check('maxReconnectAttemptsPerHour', '<=', x.maxReconnectAttemptsPerHour, report.reconnects.maxAttemptsPerHour, { note: 'connection attempts of one device in any sliding hour' }));
  }
  if (x.lostNotifications !== undefined) {
    out.push(
      report.notifications.available
        ? check('lostNotifications', '<=', x.lostNotifications, report.notifications.lost, { note: 'eSIM notifications still on the cards' })
        : skip('lostNotifications', '<=', x.lostNotifications, report.notifications.lost, 'no eSIM gateways with a link in this run'),
    );
  }
  if (x.lostEvents !== undefined) {
    const l = report.link;
    out.push(
      l.enabled && l.deliveryTracked
        ? check('lostEvents', '<=', x.lostEvents, l.lostEvents, { note: `${l.acceptedEvents} device events accepted by the outboxes, ${l.events} stored, ${l.pendingEvents} still pending` })
        : skip('lostEvents', '<=', x.lostEvents, l.lostEvents, l.enabled ? 'the gateways do not report their outboxes' : 'no MQTT link in this run'),
    );
  }
  if (x.billTotal !== undefined) {
    const b = report.billing;
    for (const [bound, op] of [['min', '>='], ['max', '<=']] as const) {
      const limit = x.billTotal[bound];
      if (limit === undefined) continue;
      const name = `billTotal.${bound}`;
      if (b.available) out.push(check(name, op, limit, b.total, { note: `fees billed over ${Object.keys(b.months).length} month(s)` }));
      else if (b.error) out.push({ name, op, expected: limit, actual: 0, ok: false, note: `bills unreadable: ${b.error}` });
      else out.push(skip(name, op, limit, 0, 'the platform serves no billing API'));
    }
  }
  if (x.agentCrashes !== undefined) out.push(check('agentCrashes', '<=', x.agentCrashes, report.crashes));
  if (x.statusOnline) {
    const l = report.link;
    const none = l.devices === 0 ? { ok: false, note: 'no linked device to check' } : {};
    out.push({ ...check('statusOnline', '==', l.devices, l.statusOnline, { note: 'retained statuses saying online' }), ...none });
    out.push({ ...check('statusOnline.sessionAgrees', '==', l.devices, l.sessionAgrees, { note: 'retained session state agreeing with the agent' }), ...none });
  }
  if (x.noDuplicateEvents) {
    const l = report.link;
    out.push(check('noDuplicateEvents', '==', 0, l.duplicateEvents, { note: 'stored device events repeating a key' }));
    out.push(check('noDuplicateEvents.stored', '>=', 1, l.events, { note: 'device events stored (none means nothing was checked)' }));
  }
  if (x.esimNotificationsDelivered) {
    const e = report.esim;
    out.push(check('esimNotificationsDelivered.pending', '==', 0, e.notifications.pending, { note: `${e.notifications.delivered} delivered, these still on the cards` }));
    out.push(
      e.notifications.checked
        ? check('esimNotificationsDelivered.appliedTwice', '==', 0, e.notifications.appliedTwice)
        : skip('esimNotificationsDelivered.appliedTwice', '==', 0, 0, "the platform's notification log is not readable (remote platform)"),
    );
    out.push({ ...check('esimNotificationsDelivered.switches', '==', e.switches.sent, e.switches.ok, { note: 'enable-profile commands answered ok' }), ...(e.switches.failed > 0 ? { ok: false } : {}) });
    out.push(check('esimNotificationsDelivered.activated', '==', e.activated.expected, e.activated.actual, { note: 'switched-to profiles ACTIVATION_SUCCEEDED' }));
  }
  const kinds = faultKinds(report);
  const f = report.faults;
  const tookDown = (k: string): number => (f.injected[k] ?? 0) - (f.notObserved?.[k] ?? 0);
  if (x.allFaultsRecovered) {
    if (kinds.length === 0) out.push(check('allFaultsRecovered', '==', 0, 0, { note: 'no fault hit an online gateway' }));
    for (const k of kinds) {
      out.push(check(`allFaultsRecovered.${k}`, '==', tookDown(k), f.recovered[k] ?? 0, { note: `of ${f.injected[k]} hit, ${f.notObserved?.[k] ?? 0} never took the gateway down (not observed)` }));
    }
  }
  if (x.allFaultsObserved) {
    for (const k of kinds) out.push(check(`allFaultsObserved.${k}`, '==', f.injected[k] ?? 0, tookDown(k), { note: 'faults that took their gateway down' }));
  }
  if (x.recoveryTime) {
    for (const k of kinds) {
      const bound = x.recoveryTime[k] ?? DEFAULT_RECOVERY_BOUNDS_MS[k];
      if (bound === undefined) continue;
      const name = `recoveryTime.${k}`;
      const times = f.recoveryTimesMs?.[k] ?? [];
      const worst = Math.max(0, ...times, f.stillDownMs?.[k] ?? 0);
      if (tookDown(k) === 0) out.push(skip(name, '<=', bound, 0, 'no fault of this kind took a gateway down', { unit: 'ms' }));
      else {
        const still = f.notRecovered?.[k] ?? 0;
        out.push(check(name, '<=', bound, worst, { unit: 'ms', note: `slowest of ${times.length} recovered${still ? `; ${still} still down at the end` : ''}` }));
      }
    }
  }
  return out;
}

export function recoverySummary(faults: FaultFigures): Record<string, RecoverySummary> {
  const out: Record<string, RecoverySummary> = {};
  for (const [kind, times] of Object.entries(faults.recoveryTimesMs)) {
    out[kind] = { count: times.length, p50: percentile(times, 50), p90: percentile(times, 90), max: percentile(times, 100) };
  }
  return out;
}

export function finishReport(draft: ReportDraft): FleetReport {
  const { shardResults, ...rest } = draft;
  const withDerived = { ...rest, attach: attachSummary(draft.attachTimesMs), recovery: recoverySummary(draft.faults) };
  const expectations = checkExpectations(withDerived);
  const ok = expectations.every((e) => e.ok);
  const own: ShardResult = {
    shard: draft.shards.length === 1 ? `${draft.shards[0]!.index}/${draft.shards[0]!.count}` : 'all',
    gateways: draft.gateways,
    wallMs: draft.wallMs,
    ok,
    failed: expectations.filter((e) => !e.ok).map((e) => e.name),
  };
  return { ...withDerived, expectations, shardResults: shardResults ?? [own], ok };
}

/** Sums a figure over reports (older reports without it count 0). */
const sumOf = (reports: readonly FleetReport[], pick: (r: FleetReport) => number | undefined): number => reports.reduce((a, r) => a + (pick(r) ?? 0), 0);

const addRecords = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** A shard's own result, also for a version-1 report that did not carry it. */
function shardResultsOf(r: FleetReport): ShardResult[] {
  if (r.shardResults) return r.shardResults;
  const shard = r.shards.length === 1 ? `${r.shards[0]!.index}/${r.shards[0]!.count}` : 'all';
  return [{ shard, gateways: r.gateways, wallMs: r.wallMs, ok: r.ok, failed: r.expectations.filter((e) => !e.ok).map((e) => e.name) }];
}

/**
 * Merges shard reports of one scenario into one, and checks the expectations again. Counts
 * add, samples (attach and recovery times) concatenate, peaks take the maximum, the series add
 * bucket by bucket, the notable gateways are re-ranked. Version 1 reports merge too (their
 * missing figures count 0).
 */
export function mergeReports(reports: readonly FleetReport[]): FleetReport {
  if (reports.length === 0) throw new Error('nothing to merge');
  for (const r of reports) if ((r.version as number) !== 1 && r.version !== 2) throw new Error(`unsupported report version ${String(r.version)}`);
  const names = new Set(reports.map((r) => r.scenario));
  if (names.size > 1) throw new Error(`reports of different scenarios: ${[...names].join(', ')}`);
  const first = reports[0]!;
  const series = mergeSeries(reports.map((r) => r.series));
  const merged: ReportDraft = {
    version: 2,
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
    faults: mergeFaultFigures(reports.map((r) => r.faults)),
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
      deliveryTracked: reports.every((r) => r.link?.deliveryTracked ?? false),
      acceptedEvents: sumOf(reports, (r) => r.link?.acceptedEvents),
      lostEvents: sumOf(reports, (r) => r.link?.lostEvents),
      pendingEvents: sumOf(reports, (r) => r.link?.pendingEvents),
      lostEventKeys: reports.flatMap((r) => r.link?.lostEventKeys ?? []).slice(0, 10),
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
      provisioned: { download: sumOf(reports, (r) => r.esim?.provisioned?.download), shortcut: sumOf(reports, (r) => r.esim?.provisioned?.shortcut) },
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
    ...(series ? { series } : {}),
    notable: mergeNotes(reports.map((r) => r.notable)),
    expect: first.expect,
    shardResults: reports.flatMap(shardResultsOf),
  };
  return finishReport(merged);
}

const OP_TEXT: Record<ExpectationOp, string> = { '<=': '≤', '>=': '≥', '==': '=' };

/** A value of an expectation in readable units (durations as `5m 12s`). */
export function formatValue(e: Pick<ExpectationResult, 'unit'>, value: number): string {
  return e.unit === 'ms' ? formatDuration(value) : `${value}`;
}

/** `≤ 5m` — the expected side of an expectation, in words. */
export function formatExpected(e: ExpectationResult): string {
  return `${OP_TEXT[e.op]} ${formatValue(e, e.expected)}`;
}

/** One line per fault kind: hit, recovered (with times), not observed, not recovered. */
export function faultLines(report: FleetReport): string[] {
  const f = report.faults;
  return Object.keys(f.injected)
    .sort()
    .map((kind) => {
      const r = report.recovery[kind];
      const times = r && r.count > 0 ? ` in p50 ${formatDuration(r.p50)}, p90 ${formatDuration(r.p90)}, max ${formatDuration(r.max)}` : '';
      const still = f.notRecovered?.[kind] ?? 0;
      return `${kind}: ${f.injected[kind]} hit, ${f.recovered[kind] ?? 0} recovered${times}; ${f.notObserved?.[kind] ?? 0} not observed; ${still} not recovered${still ? ` (down ${formatDuration(f.stillDownMs?.[kind] ?? 0)} past the fault's end)` : ''}`;
    });
}

/** The human summary printed at the end of a run. */
export function formatSummary(report: FleetReport): string {
  const l = report.link;
  const rows: [string, string][] = [
    ['scenario', `${report.scenario} (${report.mode} time${report.shards.length ? `, shards ${report.shards.map((s) => `${s.index}/${s.count}`).join(' ')}` : ''})`],
    ['gateways', `${report.gateways}`],
    ['simulated', formatDuration(report.simulatedMs)],
    ['wall time', `${formatDuration(report.wallMs)} (${report.hops} clock hops)`],
    ['peak RSS', `${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    [
      'attach (cold start)',
      `${report.attach.attached} attached; p50 ${formatDuration(report.attach.p50)}, p90 ${formatDuration(report.attach.p90)}, p99 ${formatDuration(report.attach.p99)}, max ${formatDuration(report.attach.max)}`,
    ],
    ['online at end', `${report.online.atEnd} of ${report.online.shouldBeOnline} that should be`],
    ['reconnects', `${report.reconnects.total} (attempts ${report.reconnects.attempts}, max ${report.reconnects.maxAttemptsPerHour} per device-hour)`],
    ['faults', Object.keys(report.faults.injected).length === 0 ? 'none hit an online gateway' : faultLines(report).join('\n')],
    ['operator API', `${report.operator.calls} calls; ${formatRecord(report.operator.actions)}; ${report.operator.failed} refused`],
    [
      'MQTT link',
      l.enabled
        ? `${l.devices} devices; status online ${l.statusOnline}, session agrees ${l.sessionAgrees}; ${l.events} events stored, ${l.duplicateEvents} duplicates`
        : 'off (agent.link: false)',
    ],
    [
      'device events',
      l.enabled && l.deliveryTracked ? `${l.acceptedEvents} accepted by outboxes, ${l.lostEvents} lost, ${l.pendingEvents} still pending` : 'not tracked',
    ],
    [
      'eSIM',
      report.esim.gateways > 0
        ? `${report.esim.gateways} cards${report.esim.provisioned ? ` (profiles: ${report.esim.provisioned.download} by SGP.22 download, ${report.esim.provisioned.shortcut} by the shortcut)` : ''}; switches ${report.esim.switches.ok}/${report.esim.switches.sent} ok, Activated ${report.esim.activated.actual}/${report.esim.activated.expected}; notifications ${report.esim.notifications.delivered} delivered, ${report.esim.notifications.pending} pending, ${report.esim.notifications.checked ? `${report.esim.notifications.appliedTwice} applied twice` : 'applied-twice unchecked'}`
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
  // A value of several lines (faults, one per kind) continues under its first line.
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v.replaceAll('\n', `\n${' '.repeat(width + 4)}`)}`);
  if (report.expectations.length > 0) {
    lines.push('', '  expectations:');
    for (const e of report.expectations) {
      const mark = e.skipped ? 'SKIP' : e.ok ? 'ok  ' : 'FAIL';
      const why = e.skipped ? ` (${e.skipped})` : e.note ? ` (${e.note})` : '';
      lines.push(`   ${mark} ${e.name}: expected ${formatExpected(e)}, got ${formatValue(e, e.actual)}${why}`);
    }
  }
  lines.push('', report.ok ? '  result: PASS' : '  result: FAIL');
  return lines.join('\n');
}

function formatRecord(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}
