// Over-time charts drawn with uPlot (canvas): latency percentiles, throughput and error rate.
// Each chart sits in a labelled figure whose text summary is what screen readers get.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StatsDto } from '../../src/protocol/messages';
import { el } from './dom';
import { formatErrorRate, formatMs } from './format';
import { themeColor } from './theme';

interface Line {
  label: string;
  color: string;
  values: (number | null)[];
}

function chart(title: string, summary: string, xs: number[], lines: Line[], width: number, formatValue: (v: number) => string): HTMLElement {
  const box = el('div', { className: 'chart-canvas' });
  const fig = el('figure', { className: 'chart', role: 'img', label: `${title}: ${summary}` }, el('figcaption', { text: title }), box);
  const fg = themeColor('--vscode-descriptionForeground');
  const grid = themeColor('--vscode-editorWidget-border', '--vscode-panel-border');
  const axis: uPlot.Axis = { stroke: fg, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 }, font: `11px ${themeColor('--vscode-font-family')}` };
  const opts: uPlot.Options = {
    width,
    height: 150,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [axis, { ...axis, size: 60, values: (_u, splits) => splits.map((v) => formatValue(v)) }],
    series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: false, points: { show: true, size: 4 }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatValue(v)) }))],
  };
  // uPlot's x axis is in seconds.
  new uPlot(opts, [xs.map((x) => x / 1000), ...lines.map((l) => l.values)] as uPlot.AlignedData, box);
  return fig;
}

export function charts(s: StatsDto, width: number): HTMLElement {
  const xs = s.points.map((p) => p.startMs);
  const perMin = 60_000 / Math.max(1, s.pointWidthMs);
  const latency = chart(
    'Latency (p50, p95, p99)',
    `p50 ${s.p50Ms === null ? 'none' : formatMs(s.p50Ms)}, p95 ${s.p95Ms === null ? 'none' : formatMs(s.p95Ms)}, p99 ${s.p99Ms === null ? 'none' : formatMs(s.p99Ms)} over the window`,
    xs,
    [
      { label: 'p50', color: themeColor('--vscode-charts-blue'), values: s.points.map((p) => p.p50Ms) },
      { label: 'p95', color: themeColor('--vscode-charts-orange'), values: s.points.map((p) => p.p95Ms) },
      { label: 'p99', color: themeColor('--vscode-charts-red'), values: s.points.map((p) => p.p99Ms) },
    ],
    width,
    formatMs,
  );
  const throughput = chart(
    'Throughput (spans per minute)',
    `${Math.round(s.ratePerMin)} spans per minute on average`,
    xs,
    [{ label: 'per min', color: themeColor('--vscode-charts-green'), values: s.points.map((p) => Math.round(p.count * perMin * 10) / 10) }],
    width,
    (v) => String(Math.round(v * 10) / 10),
  );
  const errors = chart(
    'Error rate',
    `${formatErrorRate(s.errors, s.count)} of spans failed`,
    xs,
    [{ label: 'errors', color: themeColor('--vscode-charts-red', '--vscode-errorForeground'), values: s.points.map((p) => (p.count ? (p.errors / p.count) * 100 : null)) }],
    width,
    (v) => `${Math.round(v * 10) / 10}%`,
  );
  return el('section', { className: 'charts', label: 'Charts' }, latency, throughput, errors);
}
