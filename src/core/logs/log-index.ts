// The workspace's log statements and the match of a printed log message to the statement that
// printed it. Candidates are found through one distinctive word of each template (so a message is
// compared with a handful of statements, not all of them), then checked in full: every literal
// part in order, anchored where the template is. Two statements that fit equally well are
// reported as ambiguous, never picked silently.
import type { Confidence } from '../model';
import type { LogLevel, LogStatement } from './log-statements';
import { replaceFileEntries } from '../workspace/per-file';

export interface LogMatch {
  statement?: LogStatement;
  /** `log-template`, or the code attribute (`code.file.path+line`) when the record says where it was logged. */
  rule: string;
  confidence: Confidence;
  explanation: string;
  candidates?: string[];
}

interface Compiled {
  s: LogStatement;
  id: string;
  literal: number;
}

const WORD = /[A-Za-z][A-Za-z0-9_]{2,}/g;
/** Messages are compared on their first part only: a multi-kilobyte body or dump adds nothing. */
const MAX_MESSAGE = 4096;

export function statementId(s: Pick<LogStatement, 'file' | 'line'>): string {
  return `${s.file}:${s.line}`;
}

export class LogIndex {
  private readonly byFile = new Map<string, Compiled[]>();
  private byWord: Map<string, Compiled[]> | undefined;
  private wordCounts: Map<string, number> | undefined;
  version = 0;

  get size(): number {
    let n = 0;
    for (const l of this.byFile.values()) n += l.length;
    return n;
  }

  set(file: string, statements: LogStatement[]): void {
    if (
      !replaceFileEntries(
        this.byFile,
        file,
        statements,
        (c) => c.s,
        (s) => ({ s, id: statementId(s), literal: s.parts.join('').length }),
      )
    )
      return;
    this.byWord = undefined;
    this.version++;
  }

  delete(file: string): void {
    this.set(file, []);
  }

  inFile(file: string): LogStatement[] {
    return (this.byFile.get(file) ?? []).map((c) => c.s);
  }

  /** The statement at a file's line (a record's code.* location pointing at its logger call). */
  at(file: string, line: number): LogStatement | undefined {
    return this.byFile.get(file)?.find((c) => c.s.line === line)?.s;
  }

  /** Each statement under its rarest word, so lookups touch few candidates. */
  private words(): Map<string, Compiled[]> {
    if (this.byWord) return this.byWord;
    const counts = new Map<string, number>();
    const all = [...this.byFile.values()].flat();
    const wordsOf = new Map<Compiled, string[]>();
    for (const c of all) {
      const ws = [...new Set(c.s.parts.flatMap((p) => interiorWords(p)))];
      wordsOf.set(c, ws);
      for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const byWord = new Map<string, Compiled[]>();
    for (const c of all) {
      const ws = wordsOf.get(c)!;
      // Statements without a whole word (punctuation-only literals) are indexed under ''.
      const key = ws.length
        ? ws.reduce((a, b) => ((counts.get(a) ?? 0) <= (counts.get(b) ?? 0) ? a : b))
        : '';
      const list = byWord.get(key);
      if (list) list.push(c);
      else byWord.set(key, [c]);
    }
    this.byWord = byWord;
    this.wordCounts = counts;
    return byWord;
  }

  /**
   * The statement that printed `message`. `level` (from the record's severity) breaks ties and
   * lowers confidence when it disagrees; it never rejects a match on its own.
   */
  match(message: string, level?: LogLevel): LogMatch {
    const text = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message;
    const index = this.words();
    if (this.size === 0)
      return {
        rule: 'none',
        confidence: 'none',
        explanation: 'no log statements were found in the workspace',
      };
    const seen = new Set<Compiled>();
    const hits: { c: Compiled; anchored: boolean }[] = [];
    const consider = (list: Compiled[] | undefined) => {
      for (const c of list ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        const fit = fits(c.s, text);
        if (fit) hits.push({ c, anchored: fit === 'anchored' });
      }
    };
    for (const w of new Set(text.match(WORD) ?? [])) consider(index.get(w));
    consider(index.get(''));
    if (hits.length === 0)
      return {
        rule: 'none',
        confidence: 'none',
        explanation: `no log statement in the workspace prints a message like "${preview(text)}" (${this.size} statements indexed)`,
      };
    // Most literal text explained wins; an anchored fit beats a fit found inside a longer line.
    hits.sort((a, b) => Number(b.anchored) - Number(a.anchored) || b.c.literal - a.c.literal);
    const best = hits[0]!;
    let tied = hits.filter((h) => h.anchored === best.anchored && h.c.literal === best.c.literal);
    if (tied.length > 1 && level) {
      const sameLevel = tied.filter((h) => h.c.s.level === level);
      if (sameLevel.length >= 1) tied = sameLevel;
    }
    if (tied.length > 1) {
      return {
        rule: 'log-template',
        confidence: 'ambiguous',
        explanation: `"${preview(text)}" fits ${tied.length} log statements equally well; not choosing one`,
        candidates: tied.map((h) => `${h.c.id} (${h.c.s.template})`),
      };
    }
    const chosen = tied[0]!;
    const s = chosen.c.s;
    const coverage = chosen.c.literal / Math.max(1, text.length);
    let confidence: Confidence =
      chosen.anchored && coverage >= 0.3 ? 'high' : chosen.c.literal >= 12 ? 'medium' : 'low';
    const levelNote =
      level && s.level !== 'print' && s.level !== level
        ? `; the record's severity (${level}) differs from the statement's (${s.level})`
        : '';
    if (levelNote && confidence === 'high') confidence = 'medium';
    return {
      statement: s,
      rule: 'log-template',
      confidence,
      explanation: `the message fits the template "${s.template}" of the ${s.level} statement at ${statementId(s)}${chosen.anchored ? '' : ' (inside a longer line)'}${levelNote}`,
    };
  }
}

/** Words of a literal part that a placeholder cannot have cut short (not touching either end). */
function interiorWords(part: string): string[] {
  const out: string[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(part); m; m = WORD.exec(part)) {
    const end = m.index + m[0].length;
    if (m.index > 0 && end < part.length) out.push(m[0]);
    else if (m.index > 0 && end === part.length && /\W$/.test(part)) out.push(m[0]);
    else if (m.index === 0 && end < part.length) out.push(m[0]);
  }
  return out;
}

/** 'anchored' when the message is exactly the template's shape, 'inside' when found within it. */
function fits(s: LogStatement, text: string): 'anchored' | 'inside' | undefined {
  if (s.parts.length === 0) return undefined;
  const first = s.parts[0]!;
  let pos: number;
  let anchored = true;
  if (s.anchoredStart) {
    if (text.startsWith(first)) pos = first.length;
    else {
      const at = text.indexOf(first);
      if (at < 0) return undefined;
      anchored = false;
      pos = at + first.length;
    }
  } else {
    const at = text.indexOf(first);
    if (at < 0) return undefined;
    pos = at + first.length;
  }
  for (let i = 1; i < s.parts.length; i++) {
    const at = text.indexOf(s.parts[i]!, pos);
    if (at < 0) return undefined;
    pos = at + s.parts[i]!.length;
  }
  if (s.anchoredEnd && pos !== text.length) {
    const last = s.parts[s.parts.length - 1]!;
    if (!text.trimEnd().endsWith(last)) anchored = false;
  }
  return anchored ? 'anchored' : 'inside';
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

/** OTLP severity number (1–24) → the statement level it corresponds to. */
export function levelOfSeverity(severityNumber: number, severityText = ''): LogLevel | undefined {
  if (severityNumber >= 21) return 'fatal';
  if (severityNumber >= 17) return 'error';
  if (severityNumber >= 13) return 'warn';
  if (severityNumber >= 9) return 'info';
  if (severityNumber >= 5) return 'debug';
  if (severityNumber >= 1) return 'trace';
  const t = severityText.toLowerCase();
  if (/^(fatal|crit|panic|emerg|alert)/.test(t)) return 'fatal';
  if (/^err/.test(t)) return 'error';
  if (/^warn/.test(t)) return 'warn';
  if (/^info|^notice/.test(t)) return 'info';
  if (/^debug/.test(t)) return 'debug';
  if (/^trace|^verbose/.test(t)) return 'trace';
  return undefined;
}
