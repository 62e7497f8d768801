// Number formatting shared by lenses, hovers, the panel and the CLI, so every face prints a
// number the same way.

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim((ms / 1_000).toFixed(2))} s`;
  return `${trim((ms / 60_000).toFixed(1))} min`;
}

export function formatCount(n: number): string {
  if (n < 1_000) return String(Math.round(n));
  if (n < 1_000_000) return `${trim((n / 1_000).toFixed(n < 10_000 ? 1 : 0))}k`;
  return `${trim((n / 1_000_000).toFixed(1))}M`;
}

/** Throughput: per minute, or per hour when under one a minute (so it never shows as 0/min). */
export function formatRate(count: number, coveredMs: number): string {
  const perMin = (count * 60_000) / Math.max(coveredMs, 1);
  if (perMin >= 1 || count === 0) return `${formatCount(perMin)}/min`;
  return `${formatCount(perMin * 60)}/h`;
}

export function formatErrorRate(errors: number, count: number): string {
  if (count === 0) return '–';
  const pct = (errors / count) * 100;
  if (pct === 0) return '0%';
  if (pct < 0.1) return '<0.1%';
  if (pct < 10) return `${trim(pct.toFixed(1))}%`;
  return `${Math.round(pct)}%`;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1_000))} s`;
  if (ms < 60 * 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 60 * 60_000) return `${Math.round(ms / (60 * 60_000))} h`;
  return `${Math.round(ms / (24 * 60 * 60_000))} d`;
}

export function formatAgo(ms: number): string {
  if (ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s ago`;
  return `${formatDuration(ms)} ago`;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A one-line sparkline; gaps (no data) show as a thin dot so an idle minute is not a fast one. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return '·';
      const i = hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1));
      return BLOCKS[i];
    })
    .join('');
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
