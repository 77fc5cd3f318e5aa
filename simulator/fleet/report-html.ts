/**
 * The fleet report as one self-contained HTML page (`cellgate fleet … --html report.html`):
 * inline CSS and SVG, no script, no external resource, so it opens offline and as a CI
 * artifact. Drawn from the JSON report alone (a merged report renders the same way):
 * expectations with pass/fail, charts over simulated time, fault recovery per kind, bills, and
 * the slowest / most troubled gateways with their timelines. docs/fleet.md "Report".
 */
import { formatDuration } from './duration.js';
import type { GatewayNote } from './gateway-notes.js';
import { faultLines, formatExpected, formatValue, percentile, type FleetReport } from './report.js';
import { DEFAULT_RECOVERY_BOUNDS_MS } from './scenario.js';
import { barChart, esc, timeChart, timelineStrip } from './svg-chart.js';

const COLORS = {
  online: '#2a9d8f',
  attaches: '#264653',
  reconnects: '#e9c46a',
  drops: '#f4a261',
  injected: '#d62828',
  recovered: '#2a9d8f',
  accepted: '#8d99ae',
  delivered: '#457b9d',
  notifications: '#9b5de5',
  bill: '#6a4c93',
};

const CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; background: #fafafa; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.verdict { display: inline-block; padding: 2px 12px; border-radius: 4px; font-weight: 700; color: #fff; }
.verdict.pass { background: #2a7d4f; } .verdict.fail { background: #c0392b; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; margin: 16px 0; padding: 0; list-style: none; }
.facts li { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px 12px; }
.facts b { display: block; font-size: 1.15rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 6px 0; }
th, td { border: 1px solid #e3e3e3; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #fdecea; } tr.skip td { color: #777; }
.mark { font-weight: 700; } tr.pass .mark { color: #2a7d4f; } tr.fail .mark { color: #c0392b; }
figure { margin: 16px 0; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.strip { width: 480px; max-width: 100%; height: 22px; display: block; }
.grid { stroke: #eee; } .axis { stroke: #999; } .tick, .legend { font-size: 11px; fill: #555; }
.muted { color: #666; } code { font-size: 0.9em; }
pre { white-space: pre-wrap; background: #fff; border: 1px solid #e3e3e3; padding: 8px; }
`;

/** Renders the report as a complete HTML document. */
export function renderHtmlReport(report: FleetReport): string {
  const verdict = report.ok ? 'PASS' : 'FAIL';
  const sections = [
    header(report),
    expectationsTable(report),
    onlineSection(report),
    connectionsSection(report),
    faultsSection(report),
    deliverySection(report),
    billsSection(report),
    notableSection(report),
    shardsSection(report),
    crashesSection(report),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${verdict} · fleet ${report.scenario}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${sections.join('\n')}
<p class="muted">cellgate fleet report, version ${report.version}. Times are simulated time from the start of the run.</p>
</main>
</body>
</html>
`;
}

function header(r: FleetReport): string {
  const failed = r.expectations.filter((e) => !e.ok).length;
  const facts: [string, string][] = [
    ['gateways', `${r.gateways}`],
    ['simulated', formatDuration(r.simulatedMs)],
    ['wall time', `${formatDuration(r.wallMs)}`],
    ['online at end', `${r.online.atEnd} of ${r.online.shouldBeOnline}`],
    ['cold-start attach p50 / p90 / max', `${formatDuration(r.attach.p50)} / ${formatDuration(r.attach.p90)} / ${formatDuration(r.attach.max)}`],
    ['reconnects', `${r.reconnects.total}`],
    ['device events lost', r.link.enabled && r.link.deliveryTracked ? `${r.link.lostEvents} of ${r.link.acceptedEvents}` : 'not tracked'],
    ['fees billed', r.billing.available ? `${r.billing.total}` : 'n/a'],
    ['agent crashes', `${r.crashes}`],
  ];
  const shards = r.shards.length ? `, shards ${r.shards.map((s) => `${s.index}/${s.count}`).join(' ')}` : '';
  return `<header>
<h1>Fleet <code>${esc(r.scenario)}</code> <span id="verdict" class="verdict ${r.ok ? 'pass' : 'fail'}">${r.ok ? 'PASS' : 'FAIL'}</span></h1>
<p class="muted">${esc(`${r.mode} time${shards}; ${r.expectations.length} expectations, ${failed} failed; ${r.hops} clock hops, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`)}</p>
<ul class="facts">${facts.map(([k, v]) => `<li>${esc(k)}<b>${esc(v)}</b></li>`).join('')}</ul>
</header>`;
}

function expectationsTable(r: FleetReport): string {
  if (r.expectations.length === 0) return '<section><h2>Expectations</h2><p>The scenario sets no expectations.</p></section>';
  const rows = r.expectations
    .map((e) => {
      const cls = e.skipped ? 'skip' : e.ok ? 'pass' : 'fail';
      const mark = e.skipped ? 'SKIP' : e.ok ? 'ok' : 'FAIL';
      return `<tr class="${cls}" data-name="${esc(e.name)}"><td class="mark">${mark}</td><td><code>${esc(e.name)}</code></td><td class="num">${esc(formatExpected(e))}</td><td class="num">${esc(formatValue(e, e.actual))}</td><td>${esc(e.skipped ?? e.note ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<section><h2>Expectations</h2>
<table id="expectations"><caption>Each expectation of the scenario: actual against expected</caption>
<thead><tr><th scope="col">result</th><th scope="col">expectation</th><th scope="col">expected</th><th scope="col">actual</th><th scope="col">about</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

const noSeries = '<p class="muted">This report carries no series over time (a report of an older version).</p>';

function onlineSection(r: FleetReport): string {
  const s = r.series;
  const chart = s
    ? timeChart({
        id: 'chart-online',
        label: 'Gateways online over simulated time',
        bucketMs: s.bucketMs,
        spanMs: r.simulatedMs,
        lines: [
          { name: 'lowest in the interval', color: COLORS.online, values: s.online, lower: s.onlineLow },
          { name: 'online at interval end', color: COLORS.online, values: s.online },
        ],
        reference: { value: r.online.shouldBeOnline, name: 'should be online at the end' },
      })
    : noSeries;
  return `<section><h2>Gateways online</h2><figure>${chart}<figcaption>Gateways online; the band reaches down to the fewest online at any moment of each interval (${s ? formatDuration(s.bucketMs) : '–'}).</figcaption></figure></section>`;
}

function connectionsSection(r: FleetReport): string {
  const s = r.series;
  const chart = s
    ? timeChart({
        id: 'chart-connections',
        label: 'Attaches, reconnects and drops per interval',
        bucketMs: s.bucketMs,
        spanMs: r.simulatedMs,
        bars: true,
        lines: [
          { name: 'first attaches', color: COLORS.attaches, values: s.counts.attaches },
          { name: 'reconnects', color: COLORS.reconnects, values: s.counts.reconnects },
          { name: 'went offline', color: COLORS.drops, values: s.counts.drops },
        ],
      })
    : noSeries;
  const bins = attachHistogram(r.attachTimesMs);
  const histogram = bins.length
    ? `<figure>${barChart({ id: 'chart-attach', label: 'Cold-start attach times', categories: bins.map((b) => b.label), series: [{ name: 'gateways', color: COLORS.attaches, values: bins.map((b) => b.count) }] })}<figcaption>Cold-start attach times: p50 ${esc(formatDuration(r.attach.p50))}, p90 ${esc(formatDuration(r.attach.p90))}, p99 ${esc(formatDuration(r.attach.p99))}, max ${esc(formatDuration(r.attach.max))} (${r.attach.attached} of ${r.gateways} attached).</figcaption></figure>`
    : '';
  return `<section><h2>Attaches and reconnects</h2><figure>${chart}<figcaption>${r.attach.attached} first attaches, ${r.reconnects.total} reconnects (${r.reconnects.attempts} attempts, at most ${r.reconnects.maxAttemptsPerHour} by one device in an hour).</figcaption></figure>${histogram}</section>`;
}

/** About 20 equal bins of attach time (the bins, not every sample, go into the page). */
function attachHistogram(times: readonly number[]): Array<{ label: string; count: number }> {
  if (times.length === 0) return [];
  const max = percentile(times, 100);
  const width = Math.max(1, Math.ceil(max / 20));
  const counts = new Array<number>(Math.floor(max / width) + 1).fill(0);
  for (const t of times) counts[Math.floor(t / width)]!++;
  return counts.map((count, i) => ({ label: formatDuration(i * width), count }));
}

function faultsSection(r: FleetReport): string {
  const s = r.series;
  const f = r.faults;
  const kinds = Object.keys(f.injected).sort();
  const chart = s
    ? timeChart({
        id: 'chart-faults',
        label: 'Faults injected and recovered per interval',
        bucketMs: s.bucketMs,
        spanMs: r.simulatedMs,
        bars: true,
        lines: [
          { name: 'faults hitting online gateways', color: COLORS.injected, values: s.counts.faultsInjected },
          { name: 'recovered', color: COLORS.recovered, values: s.counts.faultsRecovered },
        ],
      })
    : noSeries;
  const bound = (kind: string): number | undefined => r.expect.recoveryTime?.[kind] ?? DEFAULT_RECOVERY_BOUNDS_MS[kind];
  const rows = kinds
    .map((kind) => {
      const rec = r.recovery[kind];
      const b = bound(kind);
      const cells = [
        f.injected[kind] ?? 0,
        f.recovered[kind] ?? 0,
        f.notObserved?.[kind] ?? 0,
        f.notRecovered?.[kind] ?? 0,
      ].map((n) => `<td class="num">${n}</td>`);
      const times = rec && rec.count > 0 ? [rec.p50, rec.p90, rec.max].map((ms) => `<td class="num">${esc(formatDuration(ms))}</td>`) : ['<td class="num">–</td>', '<td class="num">–</td>', '<td class="num">–</td>'];
      return `<tr data-kind="${esc(kind)}"><th scope="row">${esc(kind)}</th>${cells.join('')}${times.join('')}<td class="num">${b === undefined ? '–' : esc(formatDuration(b))}</td></tr>`;
    })
    .join('\n');
  const table = kinds.length
    ? `<table id="faults"><caption>Per fault kind: recovered = went down and came back online after the fault ended (time from the fault's end); not observed = never took its gateway down</caption>
<thead><tr><th scope="col">kind</th><th scope="col">hit</th><th scope="col">recovered</th><th scope="col">not observed</th><th scope="col">not recovered</th><th scope="col">p50</th><th scope="col">p90</th><th scope="col">max</th><th scope="col">bound</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : '<p>No fault hit an online gateway.</p>';
  return `<section><h2>Faults and recovery</h2><figure>${chart}<figcaption>Faults that hit online gateways, and recoveries, per interval.</figcaption></figure>${table}<pre class="muted">${esc(faultLines(r).join('\n'))}</pre></section>`;
}

function cumulative(values: readonly number[]): number[] {
  let sum = 0;
  return values.map((v) => (sum += v));
}

function deliverySection(r: FleetReport): string {
  const s = r.series;
  const l = r.link;
  if (!l.enabled) return '<section><h2>Events and notifications</h2><p>The agents ran without their MQTT link (<code>agent.link: false</code>).</p></section>';
  const chart = s
    ? timeChart({
        id: 'chart-delivery',
        label: 'Device events and eSIM notifications over simulated time (running totals)',
        bucketMs: s.bucketMs,
        spanMs: r.simulatedMs,
        lines: [
          { name: 'events accepted by outboxes', color: COLORS.accepted, values: cumulative(s.counts.eventsAccepted), dashed: true },
          { name: 'events acknowledged', color: COLORS.delivered, values: cumulative(s.counts.eventsDelivered) },
          { name: 'eSIM notifications acknowledged', color: COLORS.notifications, values: cumulative(s.counts.notificationsDelivered) },
        ],
      })
    : noSeries;
  const lost = l.deliveryTracked
    ? `${l.acceptedEvents} device events accepted by the agents' outboxes; the platform stored ${l.events} (${l.duplicateEvents} duplicates); <b id="lost-events">${l.lostEvents}</b> lost (left an outbox, never stored); ${l.pendingEvents} still pending at the end.`
    : 'The gateways did not report their outboxes: lost events were not counted.';
  const keys = l.lostEventKeys.length ? `<p>Lost, first ones: ${l.lostEventKeys.map((k) => `<code>${esc(k)}</code>`).join(', ')}</p>` : '';
  const esim = r.esim.gateways > 0
    ? `<p>eSIM: ${r.esim.gateways} cards, ${r.esim.notifications.delivered} notifications delivered, ${r.esim.notifications.pending} still on the cards; switches ${r.esim.switches.ok}/${r.esim.switches.sent} ok.</p>`
    : '';
  return `<section><h2>Events and notifications</h2><figure>${chart}<figcaption>Running totals; a gap between accepted and acknowledged is what waits in outboxes.</figcaption></figure><p>${lost}</p>${keys}${esim}</section>`;
}

function billsSection(r: FleetReport): string {
  const b = r.billing;
  if (!b.available) return `<section><h2>Bills</h2><p>${esc(b.error ? `Bills unreadable: ${b.error}` : 'The platform serves no billing API.')}</p></section>`;
  const months = Object.keys(b.months).sort();
  const chart = barChart({
    id: 'chart-bills',
    label: 'Fees billed per month',
    categories: months.map((m) => `${m.slice(0, 4)}-${m.slice(4)}`),
    series: [{ name: 'statement total', color: COLORS.bill, values: months.map((m) => b.months[m] ?? 0) }],
  });
  return `<section><h2>Bills</h2><figure>${chart}<figcaption>Statement totals of the months the run touched: ${esc(String(b.total))} in all.</figcaption></figure></section>`;
}

function notableSection(r: FleetReport): string {
  const table = (id: string, caption: string, notes: readonly GatewayNote[]): string => {
    if (notes.length === 0) return `<p id="${id}">None.</p>`;
    const rows = notes
      .map(
        (n) =>
          `<tr data-index="${n.index}"><th scope="row"><code>${esc(n.device)}</code><br><span class="muted">#${n.index} ${esc(n.dialect)}, ${esc(n.region)}</span></th><td class="num">${n.attachMs === null ? 'never' : esc(formatDuration(n.attachMs))}</td><td class="num">${n.reconnects}</td><td class="num">${esc(formatDuration(n.offlineMs))}</td><td class="num">${n.faults}</td><td class="num">${n.unrecovered}</td><td>${timelineStrip(`timeline of gateway ${n.index}`, r.simulatedMs, n.startsOnline, n.timeline)}</td></tr>`,
      )
      .join('\n');
    return `<table id="${id}"><caption>${esc(caption)}</caption>
<thead><tr><th scope="col">gateway</th><th scope="col">attach</th><th scope="col">reconnects</th><th scope="col">offline</th><th scope="col">faults</th><th scope="col">not recovered</th><th scope="col">timeline (online green, offline grey, faults red)</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  };
  const notable = r.notable ?? { slowest: [], troubled: [] };
  return `<section><h2>Gateways to look at</h2>
${table('slowest', 'Slowest to attach on the cold start', notable.slowest)}
<br>
${table('troubled', 'Most troubled: unrecovered faults, then offline time while their SIM should be online, then reconnects', notable.troubled)}
</section>`;
}

function shardsSection(r: FleetReport): string {
  if (r.shardResults.length < 2) return '';
  const rows = r.shardResults
    .map((s) => `<tr class="${s.ok ? 'pass' : 'fail'}"><td class="mark">${s.ok ? 'ok' : 'FAIL'}</td><td>${esc(s.shard)}</td><td class="num">${s.gateways}</td><td class="num">${esc(formatDuration(s.wallMs))}</td><td>${esc(s.failed.join(', '))}</td></tr>`)
    .join('\n');
  return `<section><h2>Shards</h2><table id="shards"><thead><tr><th scope="col">result</th><th scope="col">shard</th><th scope="col">gateways</th><th scope="col">wall time</th><th scope="col">failed</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function crashesSection(r: FleetReport): string {
  if (r.crashMessages.length === 0) return '';
  return `<section><h2>Agent crashes</h2>${r.crashMessages.map((m) => `<pre>${esc(m)}</pre>`).join('')}</section>`;
}
