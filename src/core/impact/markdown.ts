// The impact report as a pull-request comment: a summary line, the ranked table, the changed
// functions without data and why, and what the review skipped. Telemetry text (endpoint names,
// mapping explanations) and file names are escaped; nothing from outside becomes markup.
import { escapeMarkdown } from '../format/presentation';
import { formatCount, formatDuration, formatErrorRate, formatMs } from '../format/numbers';
import type { ImpactItem, ImpactReport, RiskLevel } from './impact';

const BADGE: Record<RiskLevel, string> = {
  high: '🔴 high',
  medium: '🟠 medium',
  low: '🟡 low',
  none: '⚪ none',
};

/** Inline code when the text allows it (no backtick, no pipe that would split a table cell). */
function code(text: string): string {
  return /[`|\n\r]/.test(text) ? escapeMarkdown(text) : `\`${text}\``;
}

function changeText(i: ImpactItem): string {
  if (i.change !== 'renamed') return i.change;
  const from =
    i.previousFile !== undefined
      ? `${i.previousFile}${i.previousName !== undefined ? `#${i.previousName}` : ''}`
      : (i.previousName ?? '');
  return `renamed from ${code(from)}${i.bodyChanged ? ', body changed' : ''}`;
}

/** Throughput as the lenses print it: per minute, or per hour under one a minute. */
export function rateText(i: ImpactItem): string {
  if (i.ratePerMin >= 1 || i.count === 0) return `${formatCount(i.ratePerMin)}/min`;
  return `${formatCount(i.ratePerMin * 60)}/h`;
}

export function summaryLine(r: ImpactReport): string {
  const n = r.items.length;
  const against =
    r.base.rev === 'HEAD' ? 'uncommitted changes' : `changes since ${code(r.base.rev)}`;
  if (n === 0) return `No changed functions in the ${against}.`;
  const parts = (['high', 'medium', 'low'] as const)
    .filter((l) => r.counts[l] > 0)
    .map((l) => `${r.counts[l]} ${l}`);
  const without = r.items.filter((i) => i.noData).length;
  if (without) parts.push(`${without} without production data`);
  return `**${n} changed function${n === 1 ? '' : 's'}** in the ${against}${r.hasData ? `, production over the last ${formatDuration(r.windowMs)}` : ''}: ${parts.join(' · ')}.`;
}

export function impactMarkdown(r: ImpactReport): string {
  const out: string[] = ['### ProdLens: production impact', '', summaryLine(r)];
  const withData = r.items.filter((i) => !i.noData);
  if (withData.length) {
    out.push(
      '',
      '| Risk | Function | Location | Change | Traffic | p95 | Errors | Why |',
      '|---|---|---|---|---:|---:|---:|---|',
    );
    for (const i of withData) {
      out.push(
        `| ${BADGE[i.risk]} | ${code(i.function)} | ${code(`${i.file}:${i.line}`)} | ${changeText(i)} | ${rateText(i)} | ${formatMs(i.p95Ms ?? NaN)} | ${formatErrorRate(i.errors, i.count)} | ${escapeMarkdown(i.reason)} |`,
      );
    }
  }
  const without = r.items.filter((i) => i.noData);
  if (without.length) {
    out.push('', '#### Changed functions without production data', '');
    for (const i of without)
      out.push(
        `- ${code(i.function)} (${code(`${i.file}:${i.line}`)}, ${changeText(i)}): ${escapeMarkdown(i.reason)}`,
      );
  }
  const syntax = r.notes.filter((n) => n.kind === 'syntax-error');
  const other = r.notes.filter((n) => n.kind !== 'syntax-error');
  if (syntax.length || other.length) {
    out.push('', '#### Notes', '');
    for (const n of [...syntax, ...other]) out.push(`- ${escapeMarkdown(n.message)}`);
  }
  return `${out.join('\n')}\n`;
}
