/**
 * Small inline SVG charts for the fleet's HTML report: lines / bands over simulated time, bars
 * per category, and a gateway's online timeline as a strip. Pure string builders with no
 * dependency: the report stays one self-contained file that renders offline. Each chart is an
 * `<svg role="img">` with an accessible name, and hover text (`<title>`) on its marks.
 */
import { formatDuration } from './duration.js';

/** Escapes text for HTML and SVG (element content and attribute values). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const W = 760;
const H = 220;
const PAD = { left: 56, right: 16, top: 16, bottom: 30 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

const fmt = (n: number): string => (Number.isInteger(n) ? `${n}` : n.toFixed(2).replace(/\.?0+$/, ''));
const round = (n: number): string => (Math.round(n * 10) / 10).toString();

/** A "nice" step for about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = Math.max(max, 1e-9) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return step;
}

function yAxis(max: number): { top: number; ticks: number[] } {
  const step = max <= 0 ? 1 : niceStep(max, 4);
  const top = max <= 0 ? 1 : Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

/** Ticks along simulated time at round durations (hours, days...). */
function timeTicks(spanMs: number): number[] {
  const steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400].map((s) => s * 1000);
  const step = steps.find((s) => spanMs / s <= 8) ?? Math.ceil(spanMs / 8 / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs; t += step) ticks.push(t);
  return ticks;
}

/** Room a legend entry takes: the swatch and its text at about 6.5 px per character of 11 px text. */
const legendWidth = (name: string): number => 14 + Math.ceil(name.length * 6.5) + 18;

function frame(id: string, label: string, body: string, legend: ReadonlyArray<{ name: string; color: string }>): string {
  let x = PAD.left;
  const items = legend
    .map((l) => {
      const item = `<g class="legend-item" transform="translate(${x},${H + 10})"><rect width="10" height="10" y="-9" fill="${l.color}"/><text x="14" class="legend">${esc(l.name)}</text></g>`;
      x += legendWidth(l.name);
      return item;
    })
    .join('');
  return `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${W} ${H + 18}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(label)}</title>${body}${items}</svg>`;
}

function axes(spanMs: number, y: { top: number; ticks: number[] }, yFormat: (v: number) => string = fmt): string {
  const yLines = y.ticks
    .map((v) => {
      const py = PAD.top + PLOT_H - (v / y.top) * PLOT_H;
      return `<line class="grid" x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${round(py)}" y2="${round(py)}"/><text class="tick" x="${PAD.left - 6}" y="${round(py + 4)}" text-anchor="end">${esc(yFormat(v))}</text>`;
    })
    .join('');
  const xLabels = timeTicks(spanMs)
    .map((t) => {
      const px = PAD.left + (t / Math.max(spanMs, 1)) * PLOT_W;
      return `<line class="axis" x1="${round(px)}" x2="${round(px)}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H + 4}"/><text class="tick" x="${round(px)}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle">${esc(t === 0 ? '0' : formatDuration(t))}</text>`;
    })
    .join('');
  return `${yLines}<line class="axis" x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}"/>${xLabels}`;
}

export interface TimeSeriesLine {
  name: string;
  color: string;
  values: readonly number[];
  /** Draw as a band from `lower` up to `values` instead of a line. */
  lower?: readonly number[];
  dashed?: boolean;
}

export interface TimeChart {
  id: string;
  label: string;
  /** Width of one value's bucket (ms of run time). */
  bucketMs: number;
  /** The run's simulated span (ms): the x axis. */
  spanMs: number;
  lines: readonly TimeSeriesLine[];
  /** Bars per bucket instead of lines (counts per bucket). */
  bars?: boolean;
  /** A horizontal reference line (e.g. gateways that should be online). */
  reference?: { value: number; name: string };
}

/** Lines (or bars, or a band) over simulated time; each bucket has a hover text with its values. */
export function timeChart(chart: TimeChart): string {
  const buckets = Math.max(1, ...chart.lines.map((l) => l.values.length));
  const max = Math.max(0, chart.reference?.value ?? 0, ...chart.lines.flatMap((l) => l.values));
  const y = yAxis(max);
  const bw = PLOT_W * Math.min(1, chart.bucketMs / Math.max(chart.spanMs, 1));
  const px = (i: number): number => PAD.left + Math.min(PLOT_W, (((i + 1) * chart.bucketMs) / Math.max(chart.spanMs, 1)) * PLOT_W);
  const py = (v: number): number => PAD.top + PLOT_H - (v / y.top) * PLOT_H;
  let body = axes(chart.spanMs, y);
  if (chart.bars) {
    const n = chart.lines.length;
    chart.lines.forEach((line, k) => {
      const w = Math.max(0.6, (bw * 0.9) / n);
      body += `<g class="series" data-series="${esc(line.name)}" fill="${line.color}">`;
      line.values.forEach((v, i) => {
        if (v <= 0) return;
        const x = px(i) - bw + k * w;
        body += `<rect x="${round(x)}" y="${round(py(v))}" width="${round(w)}" height="${round(PAD.top + PLOT_H - py(v))}"/>`;
      });
      body += '</g>';
    });
  } else {
    for (const line of chart.lines) {
      const points = line.values.map((v, i) => `${round(px(i))},${round(py(v))}`);
      if (line.lower) {
        const lower = line.lower.map((v, i) => `${round(px(i))},${round(py(v))}`).reverse();
        body += `<polygon class="series band" data-series="${esc(line.name)}" fill="${line.color}" fill-opacity="0.3" points="${points.concat(lower).join(' ')}"/>`;
      } else {
        body += `<polyline class="series" data-series="${esc(line.name)}" fill="none" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5 4"' : ''} points="${points.join(' ')}"/>`;
      }
    }
  }
  if (chart.reference) {
    const ry = round(py(chart.reference.value));
    body += `<line class="reference" x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${ry}" y2="${ry}" stroke="#555" stroke-dasharray="2 3"><title>${esc(`${chart.reference.name}: ${chart.reference.value}`)}</title></line>`;
  }
  // Hover targets, one per bucket, with every value of that bucket.
  body += '<g class="hover">';
  for (let i = 0; i < buckets; i++) {
    const from = i * chart.bucketMs;
    const text = `${formatDuration(from)} – ${formatDuration(Math.min(chart.spanMs, from + chart.bucketMs))}: ${chart.lines.map((l) => `${l.name} ${fmt(l.values[i] ?? 0)}`).join(', ')}`;
    body += `<rect x="${round(px(i) - bw)}" y="${PAD.top}" width="${round(Math.max(bw, 0.5))}" height="${PLOT_H}" fill="transparent"><title>${esc(text)}</title></rect>`;
  }
  body += '</g>';
  const legend = [...chart.lines.map((l) => ({ name: l.name, color: l.color })), ...(chart.reference ? [{ name: chart.reference.name, color: '#555' }] : [])];
  return frame(chart.id, chart.label, body, legend);
}

export interface BarChart {
  id: string;
  label: string;
  categories: readonly string[];
  series: ReadonlyArray<{ name: string; color: string; values: readonly number[] }>;
  /** Formats the values (axis and hover text). */
  format?: (v: number) => string;
}

/** Grouped bars per category (months, attach-time bins...). */
export function barChart(chart: BarChart): string {
  const format = chart.format ?? fmt;
  const max = Math.max(0, ...chart.series.flatMap((s) => s.values));
  const y = yAxis(max);
  const py = (v: number): number => PAD.top + PLOT_H - (v / y.top) * PLOT_H;
  const slot = PLOT_W / Math.max(1, chart.categories.length);
  // [choice] Bars at most 60 px wide: a run of one month is one bar, not a wall.
  const w = Math.max(1, Math.min(60, (slot * 0.8) / Math.max(1, chart.series.length)));
  let body = y.ticks
    .map((v) => `<line class="grid" x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${round(py(v))}" y2="${round(py(v))}"/><text class="tick" x="${PAD.left - 6}" y="${round(py(v) + 4)}" text-anchor="end">${esc(format(v))}</text>`)
    .join('');
  body += `<line class="axis" x1="${PAD.left}" x2="${PAD.left + PLOT_W}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}"/>`;
  const labelEvery = Math.ceil(chart.categories.length / 12);
  chart.categories.forEach((category, i) => {
    const x0 = PAD.left + i * slot + (slot - w * chart.series.length) / 2;
    chart.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      body += `<rect class="series" data-series="${esc(s.name)}" x="${round(x0 + k * w)}" y="${round(py(v))}" width="${round(w)}" height="${round(PAD.top + PLOT_H - py(v))}" fill="${s.color}"><title>${esc(`${category}: ${s.name} ${format(v)}`)}</title></rect>`;
    });
    if (i % labelEvery === 0) body += `<text class="tick" x="${round(PAD.left + i * slot + slot / 2)}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle">${esc(category)}</text>`;
  });
  return frame(chart.id, chart.label, body, chart.series.map((s) => ({ name: s.name, color: s.color })));
}

export interface StripStep {
  t: number;
  e: 'online' | 'offline' | 'fault';
  kind?: string;
}

/** One gateway's run as a strip: online spans green, offline grey, faults as red marks. */
export function timelineStrip(label: string, spanMs: number, startsOnline: boolean, steps: readonly StripStep[]): string {
  const width = 480;
  const height = 22;
  const x = (t: number): number => (Math.max(0, Math.min(t, spanMs)) / Math.max(spanMs, 1)) * width;
  let body = `<rect class="offline" x="0" y="4" width="${width}" height="14" fill="#d9d9d9"><title>offline</title></rect>`;
  let onlineSince: number | undefined = startsOnline ? 0 : undefined;
  const span = (from: number, to: number): string =>
    `<rect class="online" x="${round(x(from))}" y="4" width="${round(Math.max(0.5, x(to) - x(from)))}" height="14" fill="#2a9d8f"><title>${esc(`online ${formatDuration(from)} – ${formatDuration(to)}`)}</title></rect>`;
  for (const step of steps) {
    if (step.e === 'online' && onlineSince === undefined) onlineSince = step.t;
    else if (step.e === 'offline' && onlineSince !== undefined) {
      body += span(onlineSince, step.t);
      onlineSince = undefined;
    }
  }
  if (onlineSince !== undefined) body += span(onlineSince, spanMs);
  for (const step of steps) {
    if (step.e !== 'fault') continue;
    const fx = round(x(step.t));
    body += `<path class="fault" d="M${fx} 0 l4 6 h-8 z" fill="#d62828"><title>${esc(`${step.kind ?? 'fault'} at ${formatDuration(step.t)}`)}</title></path><line x1="${fx}" x2="${fx}" y1="4" y2="18" stroke="#d62828"/>`;
  }
  return `<svg class="strip" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}
