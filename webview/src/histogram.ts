// Latency histogram over the raw spans still held in memory, drawn as SVG bars. It is a sample
// (the percentiles above come from every span), and the caption says so with its size.
import type { HistogramDto } from '../../src/protocol/messages';
import { el, svg } from './dom';
import { formatCount, formatMs } from './format';

export function histogram(h: HistogramDto): HTMLElement {
  const caption = `Latency histogram over ${formatCount(h.sampleCount)} held sample span${h.sampleCount === 1 ? '' : 's'} (percentiles above use every span)`;
  const fig = el('figure', { className: 'histogram' }, el('figcaption', { text: caption }));
  if (h.sampleCount === 0) {
    fig.append(
      el('p', {
        className: 'empty',
        text: 'No raw spans of this function are held in memory for this window.',
      }),
    );
    return fig;
  }
  const w = 600;
  const hgt = 110;
  const n = h.counts.length;
  const max = Math.max(...h.counts, 1);
  const bw = w / n;
  const root = svg('svg', {
    viewBox: `0 0 ${w} ${hgt + 16}`,
    class: 'histogram-svg',
    role: 'img',
    'aria-label': caption,
  });
  h.counts.forEach((c, i) => {
    const bh = (c / max) * hgt;
    const rect = svg('rect', {
      x: (i * bw + 1).toFixed(1),
      y: (hgt - bh).toFixed(1),
      width: Math.max(1, bw - 2).toFixed(1),
      height: bh.toFixed(1),
      class: 'bar',
    });
    const t = svg('title', {});
    t.textContent = `≤ ${formatMs(h.edgesMs[i]!)}: ${c}`;
    rect.append(t);
    root.append(rect);
  });
  // Edge labels at the ends and the middle keep the axis readable at any bucket count.
  for (const i of [0, Math.floor((n - 1) / 2), n - 1]) {
    const t = svg('text', {
      x: ((i + 0.5) * bw).toFixed(1),
      y: hgt + 13,
      class: 'axis-label',
      'text-anchor': 'middle',
    });
    t.textContent = formatMs(h.edgesMs[i]!);
    root.append(t);
  }
  fig.append(root);
  return fig;
}
