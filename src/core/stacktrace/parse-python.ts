// Python tracebacks (`traceback.format_exception`): most recent call last, chained exceptions as
// separate blocks joined by fixed sentences, exception groups indented behind `| `.
//   Traceback (most recent call last):
//     File "/app/svc/orders.py", line 51, in load
//       raise KeyError(oid)
//   KeyError: 'A1'
import type { ExceptionRelation, FrameMatch } from './frame';

const FRAME = /^\s*File "([^"]*)", line (\d+)(?:, in (.+))?$/;

/** Exception groups (3.11+) print nested tracebacks behind `  | `; the frames inside are ordinary. */
export function stripGroupPrefix(line: string): string {
  const m = /^\s*(?:[|+]\s?)+(?:-+\s*[\d.]*\s*-*\s*)?/.exec(line);
  return m && /[|+]/.test(m[0]) ? line.slice(m[0].length) : line;
}

export function matchPython(line: string): FrameMatch | undefined {
  if (!line.includes('File "')) return undefined;
  const m = FRAME.exec(stripGroupPrefix(line));
  if (!m || !m[1]) return undefined;
  const fields: FrameMatch['fields'] = { language: 'python', file: m[1], line: Number(m[2]) };
  if (m[3] !== undefined) fields.function = m[3].trim();
  return { consumed: 1, fields };
}

export function isPythonTracebackStart(line: string): boolean {
  return /^\s*(?:[|+]\s*)*Traceback \(most recent call last\):\s*$/.test(line);
}

/** The sentences Python prints between the blocks of a chain. */
export function pythonChainMarker(line: string): ExceptionRelation | undefined {
  const t = stripGroupPrefix(line).trim();
  if (t === 'The above exception was the direct cause of the following exception:') return 'effect';
  if (t === 'During handling of the above exception, another exception occurred:') return 'context';
  return undefined;
}

/** The source line and the 3.11+ `^^^^` markers printed under a frame. */
export function isPythonFrameFiller(line: string): boolean {
  return /^\s{4,}\S/.test(stripGroupPrefix(line)) || /^\s*[~^]+\s*$/.test(line);
}
