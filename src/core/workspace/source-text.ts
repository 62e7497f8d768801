// Small text utilities for the workspace indexers (routes, log statements), which read source
// text with regular expressions rather than a full parse so that thousands of files index per
// second: offsets to line numbers, and the top-level arguments of a call.

/** Maps character offsets to 1-based line numbers with one pass over the text. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

export interface CallArgument {
  text: string;
  /** Offset of the argument's first non-space character in the whole text. */
  offset: number;
}

/** Arguments longer than this are not followed (a handler body is never needed, only its start). */
const MAX_CALL_CHARS = 20_000;

/**
 * The top-level arguments of the call whose `(` is at `open`, split on commas outside brackets,
 * strings, template literals and comments. Undefined when the call does not close within bounds.
 */
export function callArguments(text: string, open: number): CallArgument[] | undefined {
  return scanCall(text, open)?.args;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * As callArguments, plus the offset of the closing bracket (to follow a chain such as
 * `.route(p).get(h)`). `open` may also point at `[` or `{`: the elements of an array or object literal.
 */
export function scanCall(
  text: string,
  open: number,
  opts: { anyCloser?: boolean } = {},
): { args: CallArgument[]; close: number } | undefined {
  const closer = CLOSER[text[open] ?? ''];
  if (!closer) return undefined;
  const args: CallArgument[] = [];
  let depth = 0;
  let start = open + 1;
  const end = Math.min(text.length, open + MAX_CALL_CHARS);
  const push = (stop: number): void => {
    const raw = text.slice(start, stop);
    const lead = raw.length - raw.trimStart().length;
    if (raw.trim().length > 0) args.push({ text: raw.trim(), offset: start + lead });
  };
  for (let i = open + 1; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i, end);
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        if (c !== closer && !opts.anyCloser) return undefined;
        push(i);
        return { args, close: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      push(i);
      start = i + 1;
    }
  }
  return undefined;
}

/** The first expression of `text`: up to the first top-level comma or unmatched closing bracket. */
export function leadingExpression(text: string): CallArgument | undefined {
  const lead = text.length - text.trimStart().length;
  const first = scanCall(`(${text.trimStart()})`, 0, { anyCloser: true })?.args[0];
  return first ? { text: first.text, offset: lead + first.offset - 1 } : undefined;
}

function skipString(text: string, i: number, end: number): number {
  const quote = text[i];
  for (let j = i + 1; j < end; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === quote) return j;
  }
  return end;
}

/** The value of a quoted literal (`'x'`, `"x"`, `` `x` ``, Python `r"x"`/`f"x"`), or undefined. */
export function stringLiteral(arg: string): string | undefined {
  const m = /^[rRbBuU]?(['"`])([\s\S]*)\1$/.exec(arg.trim()) ?? /^@(")([\s\S]*)"$/.exec(arg.trim());
  return m ? m[2] : undefined;
}
