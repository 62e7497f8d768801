// Mapping accuracy, scored: ground truth read from what the runtimes printed (by this file's own
// per-language patterns, not the product's parsers), compared with where ProdLens puts each stack
// frame and log line. Used by `npm run bench:mapping` (live runtimes) and by a unit test over
// outputs recorded from them (test/fixtures/mapping-bench), so CI checks every language's real
// output even where the runtime is not installed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src/core/engine/engine';
import { levelOfSeverity } from '../../src/core/logs/log-index';
import { parseStackTrace } from '../../src/core/stacktrace/parse';
import type { StackResolver } from '../../src/core/stacktrace/resolve';

export const PROGRAMS = join(__dirname, 'programs');
export const DEPLOYED = '/deploy/app';
export const TARGET = { precision: 0.99, recall: 0.95 };

export interface Output {
  stacks: string[];
  logs: { level: string; message: string; where: string }[];
}

/** A frame as the runtime printed it: workspace file (or undefined when outside), line, function. */
interface Truth {
  index: number;
  file?: string;
  line: number;
  fn?: string;
}

/** Every source file of the programs, for the "is this name defined in the workspace" check. */
function workspaceText(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(PROGRAMS);
  return out.join('\n');
}
const SOURCES = workspaceText();
const defined = (name: string) =>
  new RegExp(
    `(?:\\bdef\\s+(?:self\\.)?|\\bfunction\\s+|\\bfunc\\s+(?:\\([^)]*\\)\\s*)?|^\\s*(?:public|private|protected|static|async|\\s)*)${name.replace(/[$]/g, '\\$')}\\s*\\(`,
    'm',
  ).test(SOURCES);

/** Workspace-relative path of a deployed path, or undefined when it is not the workspace's. */
function inWorkspace(path: string): string | undefined {
  const p = path.replace(/^file:\/\//, '');
  return p.startsWith(`${DEPLOYED}/`) ? p.slice(DEPLOYED.length + 1) : undefined;
}

function fnTruth(name: string | undefined): string | undefined {
  if (!name) return undefined;
  let n = name.replace(/^async /, '').replace(/^block (?:\(\d+ levels\) )?in /, '');
  const lambda = /^lambda\$(\w+)\$\d+$/.exec(n);
  if (lambda) n = lambda[1]!;
  n = n.replace(/(\.func\d+)+$/, ''); // Go closures: their enclosing function
  if (/^<.*>$|^\{main\}$|^<anonymous>$/.test(n)) return undefined;
  n =
    n
      .split(/[.#:]|->/)
      .filter(Boolean)
      .pop() ?? n;
  n = n.replace(/[()*]/g, '');
  return n && defined(n) ? n : undefined;
}

/** The runtime's own frame lines, per language, read independently of the product's parsers. */
function truths(language: string, text: string): Truth[] {
  const lines = text.split('\n');
  const out: Truth[] = [];
  lines.forEach((l, i) => {
    let m: RegExpExecArray | null;
    if (language === 'node' && (m = /\(eval at ([\w$.]+) \(([^()\s]+):(\d+):\d+\)/.exec(l))) {
      // Code run by eval: V8 names the eval call site, in the function that called eval.
      const file = inWorkspace(m[2]!);
      out.push({
        index: i,
        line: Number(m[3]),
        ...(file ? { file } : {}),
        ...(fnTruth(m[1]) ? { fn: fnTruth(m[1]) } : {}),
      });
    } else if (
      language === 'node' &&
      (m = /^\s*at (?:async )?(?:(.+?) \()?([^()\s]+):(\d+):\d+\)?$/.exec(l))
    ) {
      const file = inWorkspace(m[2]!);
      out.push({
        index: i,
        line: Number(m[3]),
        ...(file ? { file } : {}),
        ...(fnTruth(m[1]) ? { fn: fnTruth(m[1]) } : {}),
      });
    } else if (language === 'python' && (m = /^\s*File "(.+)", line (\d+), in (.+)$/.exec(l))) {
      const file = inWorkspace(m[1]!);
      out.push({
        index: i,
        line: Number(m[2]),
        ...(file ? { file } : {}),
        ...(fnTruth(m[3]) ? { fn: fnTruth(m[3]) } : {}),
      });
    } else if (
      language === 'java' &&
      (m = /^\s*at (?:[\w.]+\/)?([\w.$]+)\.([\w$<>]+)\((\w+\.java):(\d+)\)$/.exec(l))
    ) {
      const pkg = m[1]!.split('.').slice(0, -1).join('/');
      const file = m[1]!.startsWith('com.acme.') ? `java/${pkg}/${m[3]}` : undefined;
      out.push({
        index: i,
        line: Number(m[4]),
        ...(file ? { file } : {}),
        ...(fnTruth(m[2]) ? { fn: fnTruth(m[2]) } : {}),
      });
    } else if (language === 'go' && (m = /^\t(\S+\.go):(\d+)/.exec(l)) && i > 0) {
      const call = lines[i - 1]!;
      const fn = call.includes('(') ? call.slice(0, call.lastIndexOf('(')) : call;
      const file = inWorkspace(m[1]!);
      out.push({
        index: i - 1,
        line: Number(m[2]),
        ...(file ? { file } : {}),
        ...(fnTruth(fn) ? { fn: fnTruth(fn) } : {}),
      });
    } else if (language === 'ruby' && (m = /^\s*(?:from )?(\S+?):(\d+):in [`'](.+?)'/.exec(l))) {
      const file = inWorkspace(m[1]!);
      out.push({
        index: i,
        line: Number(m[2]),
        ...(file ? { file } : {}),
        ...(fnTruth(m[3]) ? { fn: fnTruth(m[3]) } : {}),
      });
    } else if (language === 'php') {
      // PHP prints each frame's call site with the function it called: the site belongs to the
      // function named one frame further down (the header's throw site to frame #0's callee).
      const header = /^(?:Next )?[\w\\]+: .* in (\S+):(\d+)$/.exec(l);
      const frame = /^#(\d+) (\S+)\((\d+)\): (.+)\(\)$/.exec(l);
      const next = (k: number) => /^#\d+ .*: (.+)\(\)$|^#\d+ \{main\}$/.exec(lines[k] ?? '')?.[1];
      if (header) {
        const file = inWorkspace(header[1]!);
        const f = fnTruth(next(i + 2));
        out.push({
          index: i,
          line: Number(header[2]),
          ...(file ? { file } : {}),
          ...(f ? { fn: f } : {}),
        });
      } else if (frame) {
        const file = inWorkspace(frame[2]!);
        const f = fnTruth(next(i + 1));
        out.push({
          index: i,
          line: Number(frame[3]),
          ...(file ? { file } : {}),
          ...(f ? { fn: f } : {}),
        });
      }
    }
  });
  return out;
}

export interface Score {
  claimed: number;
  correct: number;
  relevant: number;
  wrong: string[];
}

export const score = (): Score => ({ claimed: 0, correct: 0, relevant: 0, wrong: [] });

export async function scoreFrames(
  language: string,
  stacks: string[],
  resolver: StackResolver,
): Promise<Score> {
  const s = score();
  for (const text of stacks) {
    const truth = new Map(truths(language, text).map((t) => [t.index, t]));
    const parsed = parseStackTrace(text).frames;
    const resolved = await resolver.resolveAll(parsed);
    const hits = new Set<number>();
    for (const r of resolved) {
      const t = truth.get(r.frame.lineIndex);
      if (!r.inWorkspace) continue;
      s.claimed++;
      const fn = r.function?.qualifiedName.split('.').pop();
      const ok =
        t?.file !== undefined &&
        r.file === t.file &&
        r.line === t.line &&
        (t.fn === undefined || fn === t.fn);
      if (ok && !hits.has(t.index)) {
        s.correct++;
        hits.add(t.index);
      } else
        s.wrong.push(
          `${r.frame.raw.trim()} → ${r.file}:${r.line} ${r.function?.qualifiedName ?? '(no function)'}${t ? ` (runtime: ${t.file ?? 'outside'}:${t.line} ${t.fn ?? ''})` : ' (not a runtime frame)'}`,
        );
    }
    for (const t of truth.values()) {
      if (t.file === undefined) continue;
      s.relevant++;
      if (
        !hits.has(t.index) &&
        !resolved.some((r) => r.frame.lineIndex === t.index && r.inWorkspace)
      )
        s.wrong.push(
          `missed: line ${t.index + 1} of a ${language} trace (${t.file}:${t.line} ${t.fn ?? ''})`,
        );
    }
  }
  return s;
}

export function scoreLogs(logs: Output['logs'], engine: Engine): Score {
  const s = score();
  const levels: Record<string, number> = { debug: 5, info: 9, warn: 13, error: 17 };
  for (const l of logs) {
    const file =
      inWorkspace(l.where) ??
      (l.where.startsWith('java/') || !l.where.startsWith('/') ? `java/${l.where}` : undefined);
    const [, line] = /:(\d+)$/.exec(l.where) ?? [];
    const truthFile = file?.replace(/:\d+$/, '');
    s.relevant++;
    const m = engine.matchLogLine(l.message, levelOfSeverity(levels[l.level] ?? 0));
    if (!m.statement) {
      s.wrong.push(`missed: "${l.message}" (${truthFile}:${line}): ${m.explanation}`);
      continue;
    }
    s.claimed++;
    if (m.statement.file === truthFile && m.statement.line === Number(line)) s.correct++;
    else
      s.wrong.push(
        `"${l.message}" → ${m.statement.file}:${m.statement.line}, logged at ${truthFile}:${line}`,
      );
  }
  return s;
}

/** A program's output re-rooted at DEPLOYED, as if it had run from a deployed image. */
export function deployed(o: Output, programsRoot = PROGRAMS): Output {
  const re = new RegExp(programsRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
  const fix = (t: string) => t.replace(re, DEPLOYED);
  return { stacks: o.stacks.map(fix), logs: o.logs.map((l) => ({ ...l, where: fix(l.where) })) };
}

export const meetsTarget = (x: Score): boolean =>
  x.correct / Math.max(1, x.claimed) >= TARGET.precision &&
  x.correct / Math.max(1, x.relevant) >= TARGET.recall;
