// `prodlens impact`: the production impact of the working tree's changes, before they are
// committed or merged: changed functions, their traffic and callers, ranked by risk.
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { findChangedFunctions } from '../core/impact/changed-functions';
import { GitError } from '../core/impact/git';
import {
  assessImpact,
  riskAtLeast,
  type ImpactItem,
  type ImpactReport,
  type RiskLevel,
} from '../core/impact/impact';
import { impactMarkdown, rateText } from '../core/impact/markdown';
import { formatErrorRate, formatMs } from '../core/format/numbers';
import { parseWindow } from '../core/format/windows';
import { loadEngine } from './engine-input';
import { CliError } from './errors';
import { workspaceDir } from './workspace-arg';

export const IMPACT_USAGE =
  'prodlens impact --workspace DIR [--base REV] [--from URL] [--otlp-file FILE]... [--window 24h] [--environment ENV] [--json | --markdown] [--fail-on low|medium|high]';

export interface ImpactIo {
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
}

/** Exit status when --fail-on is met (1 is a failure, 2 a usage error). */
export const EXIT_RISK = 3;
const FAIL_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];

function usage(message: string): CliError {
  return new CliError(`impact: ${message}`, 2);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        workspace: { type: 'string' },
        base: { type: 'string' },
        from: { type: 'string' },
        'otlp-file': { type: 'string', multiple: true },
        window: { type: 'string' },
        environment: { type: 'string' },
        json: { type: 'boolean' },
        markdown: { type: 'boolean' },
        'fail-on': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    // parseArgs errors (unknown option, missing value) are usage errors.
    throw usage((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

export async function runImpact(
  argv: string[],
  io: ImpactIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const v = parse(argv);
  const workspace = workspaceDir(v.workspace, 'impact');
  if (v.json && v.markdown) throw usage('--json and --markdown are exclusive');
  if (v.from !== undefined && !/^https?:\/\//.test(v.from))
    throw usage(`--from ${v.from}: expected an http:// or https:// URL`);
  if (v.base !== undefined && v.base.trim() === '') throw usage('--base needs a revision');
  const windowMs = parseWindow(v.window ?? '24h');
  if (windowMs === undefined)
    throw usage(`--window ${v.window}: expected a duration from 1m to 7d, such as 1h, 24h or 7d`);
  const failOn = v['fail-on'];
  if (failOn !== undefined && !FAIL_LEVELS.includes(failOn as RiskLevel))
    throw usage(`--fail-on ${failOn}: expected low, medium or high`);

  let changes;
  try {
    changes = await findChangedFunctions(workspace, v.base !== undefined ? { base: v.base } : {});
  } catch (e) {
    if (e instanceof GitError) throw new CliError(`impact: ${e.message}`);
    throw e;
  }
  const files = v['otlp-file'] ?? [];
  const warn = (line: string) => void io.stderr.write(`${line}\n`);
  const engine =
    v.from !== undefined || files.length
      ? await loadEngine({
          workspace,
          otlpFiles: files,
          warn,
          ...(v.from !== undefined ? { from: v.from } : {}),
        })
      : undefined;
  const report = await assessImpact(changes, engine, {
    windowMs,
    ...(v.environment ? { environment: v.environment } : {}),
  });

  if (v.json) {
    io.stdout.write(`${JSON.stringify(report.items, null, 2)}\n`);
    // The array is the contract; what was skipped still deserves a word.
    for (const n of report.notes) warn(`prodlens: note: ${n.message}`);
  } else if (v.markdown) {
    io.stdout.write(impactMarkdown(report));
  } else {
    io.stdout.write(`${impactTable(report)}\n`);
  }

  if (failOn !== undefined) {
    const over = report.items.filter((i) => riskAtLeast(i.risk, failOn as RiskLevel));
    const first = over[0];
    if (first) {
      warn(
        `prodlens: impact: ${over.length} changed function(s) at or above ${failOn} risk: ${first.function} (${first.file}:${first.line}): ${first.reason}`,
      );
      return EXIT_RISK;
    }
  }
  return 0;
}

/** The terminal table: ranked functions with data, then the rest with why, then notes. */
export function impactTable(r: ImpactReport): string {
  const lines: string[] = [];
  const against = r.base.rev === 'HEAD' ? 'uncommitted changes' : `changes since ${r.base.rev}`;
  if (r.items.length === 0) lines.push(`No changed functions in the ${against}.`);
  const withData = r.items.filter((i) => !i.noData);
  if (withData.length) {
    const head = ['risk', 'function', 'location', 'change', 'traffic', 'p95', 'err', 'why'];
    const body = withData.map((i) => [
      i.risk,
      i.function,
      `${i.file}:${i.line}`,
      changeWord(i),
      rateText(i),
      formatMs(i.p95Ms ?? NaN),
      formatErrorRate(i.errors, i.count),
      i.reason,
    ]);
    const all = [head, ...body];
    const widths = head.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
    for (const row of all)
      lines.push(
        row
          .map((cell, c) =>
            c >= 4 && c <= 6 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
          )
          .join('  ')
          .trimEnd(),
      );
  }
  const without = r.items.filter((i) => i.noData);
  if (without.length) {
    if (lines.length) lines.push('');
    lines.push(`Changed functions without production data (${without.length}):`);
    for (const i of without)
      lines.push(`  ${i.function}  ${i.file}:${i.line}  ${changeWord(i)}: ${i.reason}`);
  }
  if (r.notes.length) {
    lines.push('');
    for (const n of r.notes) lines.push(`note: ${n.message}`);
  }
  return lines.join('\n');
}

function changeWord(i: ImpactItem): string {
  if (i.change !== 'renamed') return i.change;
  return `renamed from ${[i.previousFile, i.previousName].filter((x) => x !== undefined).join('#')}`;
}
