// A small SVG chart of p50 and p95 per point over the window. Gaps (no data) break the line.
import type { StatsDto } from '../../src/protocol/messages';
import { svg } from './dom';

export function latencyChart(points: StatsDto['points']): SVGSVGElement {
  const w = 480;
  const h = 120;
  const pad = 4;
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'aria-label': 'p50 and p95 latency over the window' });
  const values = points.flatMap((p) => [p.p50Ms, p.p95Ms]).filter((v): v is number => v !== null);
  if (values.length === 0) return root;
  const hi = Math.max(...values) * 1.1 || 1;
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v: number) => h - pad - (v / hi) * (h - 2 * pad);
  for (const [key, cls] of [['p95Ms', 'line-p95'], ['p50Ms', 'line-p50']] as const) {
    let d = '';
    let pen = false;
    points.forEach((p, i) => {
      const v = p[key];
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    if (d) root.append(svg('path', { d, class: cls, fill: 'none' }));
    // Dots too, so a window with a single point of data still shows it.
    points.forEach((p, i) => {
      const v = p[key];
      if (v !== null) root.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: `${cls} dot` }));
    });
  }
  return root;
}
