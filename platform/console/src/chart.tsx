/**
 * A bar chart in plain SVG (no charting library: one chart kind, a few dozen bars). The numbers
 * are also in a table beside it, so the chart is decoration for screen readers (`role="img"` with
 * a summary label).
 */
export function BarChart({ bars, label, unit, width = 720, height = 220 }: { bars: { label: string; value: number }[]; label: string; unit: string; width?: number; height?: number }) {
  const pad = { left: 56, right: 8, top: 12, bottom: 36 };
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const step = bars.length ? innerW / bars.length : innerW;
  const barW = Math.max(2, step * 0.7);
  const ticks = [0, max / 2, max];
  const total = bars.reduce((s, b) => s + b.value, 0);
  const summary = `${label}: ${bars.length} days, total ${round(total)} ${unit}, highest ${round(max)} ${unit}`;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} data-bars={bars.length}>
      {ticks.map((t) => {
        const y = pad.top + innerH - (t / max) * innerH;
        return (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y} y2={y} class="grid-line" />
            <text x={pad.left - 6} y={y + 4} text-anchor="end" class="axis">
              {round(t)}
            </text>
          </g>
        );
      })}
      {bars.map((b, i) => {
        const h = (b.value / max) * innerH;
        const x = pad.left + i * step + (step - barW) / 2;
        return (
          <g key={b.label}>
            <rect x={x} y={pad.top + innerH - h} width={barW} height={h} class="bar">
              <title>{`${b.label}: ${round(b.value)} ${unit}`}</title>
            </rect>
            {bars.length <= 16 || i % Math.ceil(bars.length / 16) === 0 ? (
              <text x={x + barW / 2} y={height - pad.bottom + 16} text-anchor="middle" class="axis">
                {b.label.slice(-2)}
              </text>
            ) : null}
          </g>
        );
      })}
      <text x={pad.left} y={height - 4} class="axis">
        day of month ({unit})
      </text>
    </svg>
  );
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 3 : 2);
}
