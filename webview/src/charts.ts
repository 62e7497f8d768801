// Over-time charts drawn with uPlot (canvas): latency percentiles, throughput and error rate.
// Each chart sits in a labelled figure whose text summary is what screen readers get. The
// figures (captions, summaries, sized boxes) are part of the first paint; the canvases are drawn
// a frame later by `draw()`, and uPlot is loaded then, from its own script (later-scripts.ts).
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StatsDto } from '../../src/protocol/messages';
import { el } from './dom';
import { formatErrorRate, formatMs } from './format';
import { loadLaterScript } from './later-scripts';
import { themeColor } from './theme';

type UPlotCtor = typeof uPlot;

let loading: Promise<UPlotCtor> | undefined;

function loadUPlot(): Promise<UPlotCtor> {
  loading ??= loadLaterScript('uplot.js').then(() => {
    const lib = (window as unknown as { ProdLensUPlot?: { default?: UPlotCtor } }).ProdLensUPlot
      ?.default;
    if (!lib) throw new Error('uplot.js loaded without defining uPlot');
    return lib;
  });
  return loading;
}

interface Line {
  label: string;
  color: string;
  values: (number | null)[];
}

interface ChartSpec {
  title: string;
  summary: string;
  lines: Line[];
  formatValue: (v: number) => string;
}

function specs(s: StatsDto): ChartSpec[] {
  const perMin = 60_000 / Math.max(1, s.pointWidthMs);
  return [
    {
      title: 'Latency (p50, p95, p99)',
      summary: `p50 ${s.p50Ms === null ? 'none' : formatMs(s.p50Ms)}, p95 ${s.p95Ms === null ? 'none' : formatMs(s.p95Ms)}, p99 ${s.p99Ms === null ? 'none' : formatMs(s.p99Ms)} over the window`,
      lines: [
        { label: 'p50', color: '--vscode-charts-blue', values: s.points.map((p) => p.p50Ms) },
        { label: 'p95', color: '--vscode-charts-orange', values: s.points.map((p) => p.p95Ms) },
        { label: 'p99', color: '--vscode-charts-red', values: s.points.map((p) => p.p99Ms) },
      ],
      formatValue: formatMs,
    },
    {
      title: 'Throughput (spans per minute)',
      summary: `${Math.round(s.ratePerMin)} spans per minute on average`,
      lines: [
        {
          label: 'per min',
          color: '--vscode-charts-green',
          values: s.points.map((p) => Math.round(p.count * perMin * 10) / 10),
        },
      ],
      formatValue: (v) => String(Math.round(v * 10) / 10),
    },
    {
      title: 'Error rate',
      summary: `${formatErrorRate(s.errors, s.count)} of spans failed`,
      lines: [
        {
          label: 'errors',
          color: '--vscode-charts-red',
          values: s.points.map((p) => (p.count ? (p.errors / p.count) * 100 : null)),
        },
      ],
      formatValue: (v) => `${Math.round(v * 10) / 10}%`,
    },
  ];
}

// uPlot's x axis is in seconds.
const dataOf = (s: StatsDto, spec: ChartSpec): uPlot.AlignedData =>
  [s.points.map((p) => p.startMs / 1000), ...spec.lines.map((l) => l.values)] as uPlot.AlignedData;

function options(spec: ChartSpec, width: number): uPlot.Options {
  const fg = themeColor('--vscode-descriptionForeground');
  const grid = themeColor('--vscode-editorWidget-border', '--vscode-panel-border');
  const axis: uPlot.Axis = {
    stroke: fg,
    grid: { stroke: grid, width: 0.5 },
    ticks: { stroke: grid, width: 0.5 },
    font: `11px ${themeColor('--vscode-font-family')}`,
  };
  return {
    width,
    height: 150,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      axis,
      { ...axis, size: 60, values: (_u, splits) => splits.map((v) => spec.formatValue(v)) },
    ],
    series: [
      {},
      ...spec.lines.map((l) => ({
        label: l.label,
        stroke: themeColor(l.color, '--vscode-errorForeground'),
        width: 1.5,
        spanGaps: false,
        points: { show: true, size: 4 },
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : spec.formatValue(v)),
      })),
    ],
  };
}

/** The charts of one function: built once, then updated in place by later snapshots. */
export class Charts {
  readonly element: HTMLElement;
  private readonly figures: HTMLElement[] = [];
  private readonly boxes: HTMLElement[] = [];
  private plots: uPlot[] = [];
  private stats: StatsDto;
  private disposed = false;

  constructor(
    stats: StatsDto,
    private readonly width: number,
  ) {
    this.stats = stats;
    for (const spec of specs(stats)) {
      const box = el('div', { className: 'chart-canvas' });
      const fig = el(
        'figure',
        { className: 'chart', role: 'img', label: `${spec.title}: ${spec.summary}` },
        el('figcaption', { text: spec.title }),
        box,
      );
      this.figures.push(fig);
      this.boxes.push(box);
    }
    this.element = el('section', { className: 'charts', label: 'Charts' }, ...this.figures);
  }

  /** New numbers for the same function: summaries now, canvases redrawn by uPlot in place. */
  update(stats: StatsDto): void {
    this.stats = stats;
    specs(stats).forEach((spec, i) => {
      this.figures[i]!.setAttribute('aria-label', `${spec.title}: ${spec.summary}`);
      this.plots[i]?.setData(dataOf(stats, spec));
    });
  }

  /**
   * Creates the canvases (once); resolves when they are drawn. When the chart library cannot be
   * loaded, each box says so and the figures keep their text summaries.
   */
  async draw(): Promise<void> {
    if (this.plots.length) return;
    let UPlot: UPlotCtor;
    try {
      UPlot = await loadUPlot();
    } catch (e) {
      for (const box of this.boxes)
        box.replaceChildren(
          el('p', { className: 'empty', text: `Chart not drawn: ${(e as Error).message}.` }),
        );
      return;
    }
    if (this.disposed || this.plots.length) return;
    this.plots = specs(this.stats).map(
      (spec, i) => new UPlot(options(spec, this.width), dataOf(this.stats, spec), this.boxes[i]!),
    );
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.plots) p.destroy();
    this.plots = [];
  }
}
