// Node/V8 `error.stack` frames (https://v8.dev/docs/stack-trace-api):
//   at OrderService.load (/app/dist/order.js:51:13)     at async Promise.all (index 0)
//   at /app/dist/index.js:10:5                           at file:///app/esm.mjs:3:9
//   at eval (eval at run (/app/x.js:4:3), <anonymous>:1:7)
// Parsed by scanning for the balancing parenthesis rather than by regex, so a long or garbled
// line costs linear time.
import type { FrameMatch } from './frame';

/** `file:line:col` (or `file:line`) split from the right: paths may contain colons. */
export function splitLocation(
  loc: string,
): { file: string; line: number; column?: number } | undefined {
  const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(loc);
  if (!m || !m[1]) return undefined;
  const r: { file: string; line: number; column?: number } = { file: m[1], line: Number(m[2]) };
  if (m[3] !== undefined) r.column = Number(m[3]);
  return r;
}

/** The index of the `(` that balances the `)` ending `s`, or -1. */
function openingParen(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 41 /* ) */) depth++;
    else if (c === 40 /* ( */ && --depth === 0) return i;
  }
  return -1;
}

/** `eval at run (/app/x.js:4:3), <anonymous>:1:7` → the outermost real location: where eval ran. */
function evalOrigin(loc: string): string | undefined {
  let s = loc;
  // Nested evals print `eval at a (eval at b (file:1:2))`: descend to the innermost parentheses.
  for (let guard = 0; guard < 32 && s.startsWith('eval at '); guard++) {
    const open = s.indexOf('(');
    if (open < 0) return undefined;
    const close = s.lastIndexOf(')');
    if (close <= open) return undefined;
    s = s.slice(open + 1, close);
  }
  return s.startsWith('eval at ') ? undefined : s;
}

export function matchV8(line: string): FrameMatch | undefined {
  const t = line.trim();
  if (!t.startsWith('at ')) return undefined;
  // util.inspect appends ` {` to the last frame of an error that has extra properties.
  let body = t.slice(3).replace(/ \{$/, '').trim();
  let isAsync = false;
  if (body.startsWith('async ')) {
    isAsync = true;
    body = body.slice(6);
  }
  let fn: string | undefined;
  let loc = body;
  if (body.endsWith(')')) {
    const open = openingParen(body);
    if (open > 0 && body.charCodeAt(open - 1) === 32) {
      fn = body.slice(0, open - 1).trim();
      loc = body.slice(open + 1, -1);
    } else if (open !== 0) return undefined;
  }
  let isEval = false;
  if (loc.startsWith('eval at ')) {
    isEval = true;
    const origin = evalOrigin(loc);
    loc = origin ?? '';
  }
  const where = splitLocation(loc);
  if (!where) {
    // `at async Promise.all (index 0)`, `at Array.map (<anonymous>)`, `at new Promise (<anonymous>)`:
    // a real frame without a location.
    if (fn === undefined || !/^[^\s()]/.test(fn)) return undefined;
    return {
      consumed: 1,
      fields: {
        language: 'javascript',
        function: fn,
        ...(isAsync ? { async: true } : {}),
        ...(isEval ? { eval: true } : {}),
      },
    };
  }
  if (
    /\s/.test(where.file) &&
    !/^[a-z]:[\\/]/i.test(where.file) &&
    !where.file.includes('/') &&
    !where.file.includes('\\')
  )
    return undefined;
  return {
    consumed: 1,
    fields: {
      language: 'javascript',
      ...(fn !== undefined ? { function: fn } : {}),
      file: where.file,
      line: where.line,
      ...(where.column !== undefined ? { column: where.column } : {}),
      ...(isAsync ? { async: true } : {}),
      ...(isEval ? { eval: true } : {}),
    },
  };
}
