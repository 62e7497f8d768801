// What the editor shows for a function: the lens title, the hover's Markdown and the short
// mapping note. Pure string builders over FunctionStats, so they are unit-tested without VS Code
// and the CLI prints the same words. All telemetry text is escaped before it reaches Markdown.
import { originOf } from '../engine/backend-stats';
import type { FunctionStats } from '../engine/engine';
import type { Confidence } from '../model';
import {
  formatCount,
  formatDuration,
  formatErrorRate,
  formatMs,
  formatRate,
  sparkline,
} from './numbers';

const UNSURE: Confidence[] = ['low'];

// FunctionStats objects live as long as the engine's memo for their file, so titles are built
// once per data refresh, not on every lens request (the editor asks often: scrolls, focus).
const titles = new WeakMap<FunctionStats, string>();

export function lensTitle(fs: FunctionStats): string {
  let t = titles.get(fs);
  if (t === undefined) {
    t = buildLensTitle(fs);
    titles.set(fs, t);
  }
  return t;
}

function buildLensTitle(fs: FunctionStats): string {
  const s = fs.stats;
  const prefix = UNSURE.includes(fs.mapping.confidence) ? '≈ ' : '';
  const origin = originOf(fs);
  // Backend numbers name their source (the receiver's are the default and stay unlabelled).
  const from = origin ? ` · ${origin.label}${origin.stale ? ' · stale' : ''}` : '';
  return (
    `${prefix}p50 ${formatMs(s.p50Ms)} · p95 ${formatMs(s.p95Ms)} · ${formatRate(s.count, s.coveredMs)} · ` +
    `${formatErrorRate(s.errors, s.count)} err · last ${formatDuration(s.windowMs)} (n=${formatCount(s.count)})${from}` +
    (fs.changedSince ? ` · changed since ${fs.changedSince}` : '')
  );
}

/** "from prometheus (prod)", and for a stale value since when and why. Plain text. */
function originSentence(fs: FunctionStats): string | undefined {
  const o = originOf(fs);
  if (!o) return undefined;
  const at = new Date(o.fetchedAt).toISOString().slice(11, 19);
  return o.stale
    ? `From ${o.label}: STALE, last known values from ${at} UTC (${o.message ?? 'the backend is not answering'})`
    : `From ${o.label}, asked at ${at} UTC`;
}

const tooltips = new WeakMap<FunctionStats, string>();

export function lensTooltip(fs: FunctionStats): string {
  let t = tooltips.get(fs);
  if (t === undefined) {
    t = buildLensTooltip(fs);
    tooltips.set(fs, t);
  }
  return t;
}

function buildLensTooltip(fs: FunctionStats): string {
  const s = fs.stats;
  const from = originSentence(fs);
  if (from) {
    return [
      `${formatCount(s.count)} calls over the last ${formatDuration(s.windowMs)} (span metrics)`,
      from,
      `Mapped by ${fs.mapping.rule} (${fs.mapping.confidence} confidence): ${fs.mapping.explanation}`,
    ].join('\n');
  }
  return [
    `${s.count} spans over the last ${formatDuration(s.coveredMs)}${s.coveredMs < s.windowMs ? ` (data covers ${formatDuration(s.coveredMs)} of the ${formatDuration(s.windowMs)} window)` : ''}`,
    `Mapped by ${fs.mapping.rule} (${fs.mapping.confidence} confidence): ${fs.mapping.explanation}`,
    'Click for details.',
  ].join('\n');
}

/**
 * Telemetry text made safe to show as plain text (decorations, hover text): control characters
 * and bidi overrides, which can make text read differently than it is, become spaces.
 */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

/** CommonMark backslash-escapes for every punctuation character that could start markup. */
export function escapeMarkdown(text: string): string {
  return plainText(text.replace(/[\\`*_{}[\]()#+\-.!|<>~&"':]/g, '\\$&'));
}

export function hoverMarkdown(fs: FunctionStats, detailsCommandUri: string): string {
  const s = fs.stats;
  const name = escapeMarkdown(fs.function.qualifiedName);
  const services = fs.services.map(escapeMarkdown).join(', ');
  const envs = fs.environments
    .filter((e) => e.length > 0)
    .map(escapeMarkdown)
    .join(', ');
  const spark = sparkline(s.series.map((p) => p.p50Ms));
  const from = originSentence(fs);
  const lines = [
    `**${name}** · production, last ${formatDuration(s.windowMs)}${from ? ` · ${escapeMarkdown(originOf(fs)?.label ?? '')}` : ''}`,
    ...(from ? ['', escapeMarkdown(from)] : []),
    '',
    '| p50 | p90 | p95 | p99 | max |',
    '|---:|---:|---:|---:|---:|',
    `| ${formatMs(s.p50Ms)} | ${formatMs(s.p90Ms)} | ${formatMs(s.p95Ms)} | ${formatMs(s.p99Ms)} | ${formatMs(s.maxMs)} |`,
    '',
    `**${formatRate(s.count, s.coveredMs)}** · **${formatErrorRate(s.errors, s.count)}** errors (${s.errors} of ${s.count} ${from ? 'calls' : 'spans'})`,
    '',
    spark ? `p50 over the window: \`${spark}\`` : '',
    '',
    `Service: ${services}${envs ? ` · environment: ${envs}` : ''}`,
    '',
    fs.changedSince
      ? `**Changed since the deployed revision ${fs.changedSince}:** these numbers come from the code as it was deployed, not from your edits.`
      : '',
    '',
    `*Mapped by* \`${fs.mapping.rule}\` *(${fs.mapping.confidence} confidence)*: ${escapeMarkdown(fs.mapping.explanation)}${fs.seriesIds.length > 1 ? ` — ${fs.seriesIds.length} code locations merged` : ''}`,
    '',
    from ? '' : `[Show details](${detailsCommandUri})`,
  ];
  return lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n');
}
