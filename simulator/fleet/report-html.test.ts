import { describe, expect, test } from 'vitest';
import type { GatewayNote } from './gateway-notes.js';
import { finishReport, type ReportDraft } from './report.js';
import { renderHtmlReport } from './report-html.js';
import { renderJunitReport } from './report-junit.js';
import { COUNTED_SERIES, type FleetSeries } from './series.js';

const DAY = 86_400_000;

/** A 10,000-gateway month as the engine would report it: every attach sample, a full series, full lists. */
function bigReport(scenario = 'ten-k'): ReportDraft {
  const buckets = 240;
  const series: FleetSeries = {
    bucketMs: 3 * 3_600_000,
    online: Array.from({ length: buckets }, (_, i) => 10_000 - (i % 17)),
    onlineLow: Array.from({ length: buckets }, (_, i) => 9_900 - (i % 17)),
    counts: Object.fromEntries(COUNTED_SERIES.map((name) => [name, Array.from({ length: buckets }, (_, i) => i % 5)])) as FleetSeries['counts'],
  };
  const note = (index: number): GatewayNote => ({
    index, device: `fleet-abcdef01-${index}`, dialect: 'bg96', region: 'south', attachMs: 1000 + index, reconnects: 3, attempts: 9,
    offlineMs: 60_000, faults: 2, unrecovered: 0, onlineAtEnd: true, startsOnline: false,
    timeline: Array.from({ length: 200 }, (_, i) => ({ t: i * 3_600_000, e: i % 3 === 2 ? ('fault' as const) : i % 2 === 0 ? ('online' as const) : ('offline' as const), kind: 'reboot' })),
  });
  return {
    version: 2, scenario, mode: 'virtual', shards: [], gateways: 10_000, simulatedMs: 30 * DAY, wallMs: 300_000, hops: 340_000, peakRssBytes: 2 ** 31,
    attachTimesMs: Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 60_000),
    online: { atEnd: 10_000, shouldBeOnline: 10_000 },
    reconnects: { total: 5000, attempts: 20_000, maxAttemptsPerHour: 6 },
    faults: { injected: { reboot: 500 }, recovered: { reboot: 500 }, notObserved: {}, notRecovered: {}, recoveryTimesMs: { reboot: Array.from({ length: 500 }, (_, i) => i * 100) }, stillDownMs: {} },
    operator: { calls: 20_000, actions: {}, failed: 0 },
    notifications: { available: false, delivered: 0, lost: 0 },
    link: { enabled: true, devices: 10_000, statusOnline: 10_000, sessionAgrees: 10_000, events: 150_000, duplicateEvents: 0, deliveryTracked: true, acceptedEvents: 150_000, lostEvents: 0, pendingEvents: 0, lostEventKeys: [] },
    esim: { gateways: 0, switches: { sent: 0, ok: 0, failed: 0, errors: [] }, notifications: { delivered: 0, pending: 0, appliedTwice: 0, checked: false }, activated: { expected: 0, actual: 0 } },
    transfers: { issued: 0, verified: 0, failed: 0 },
    billing: { available: true, total: 35_000, months: { '202601': 30_000, '202602': 5_000 } },
    crashes: 0, crashMessages: [], series,
    notable: { slowest: Array.from({ length: 10 }, (_, i) => note(i)), troubled: Array.from({ length: 10 }, (_, i) => note(100 + i)) },
    expect: { online: 'all', recoveryTime: { reboot: 60_000 }, lostEvents: 0 },
  };
}

describe('HTML report', () => {
  test('a 10,000-gateway month stays one small self-contained page', () => {
    const html = renderHtmlReport(finishReport(bigReport()));
    // The series and the top-10 lists are what travels, not every gateway.
    expect(html.length).toBeLessThan(600_000);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg /g)!.length).toBe(6 + 20); // six charts, a strip per listed gateway
  });

  test('text from the report is escaped, never markup', () => {
    const html = renderHtmlReport(finishReport(bigReport('<img src=x onerror=alert(1)>')));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const xml = renderJunitReport(finishReport(bigReport('a"b<c>&d')));
    expect(xml).toContain('name="cellgate fleet a&quot;b&lt;c&gt;&amp;d"');
  });
});
