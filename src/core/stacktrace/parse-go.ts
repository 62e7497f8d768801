// Go `runtime.Stack` / panic output: each frame is two lines, the call then its location.
//   goroutine 7 [running]:
//   main.(*Server).handle(0xc0000a4000, {0x1, 0x2})
//   	/home/u/app/server.go:42 +0x1d
//   created by main.main in goroutine 1
//   	/home/u/app/main.go:20 +0x3b
import type { FrameMatch } from './frame';

const LOCATION = /^\t(.+?\.\w+):(\d+)(?: \+0x[0-9a-fA-F]+)?\s*$/;

export function matchGo(line: string, next: string | undefined): FrameMatch | undefined {
  if (next === undefined || next.charCodeAt(0) !== 9 /* \t */) return undefined;
  const loc = LOCATION.exec(next);
  if (!loc || !loc[1]) return undefined;
  let fn: string | undefined;
  let createdBy = false;
  const created = /^created by (\S+)(?: in goroutine \d+)?\s*$/.exec(line);
  if (created) {
    fn = created[1];
    createdBy = true;
  } else if (line.endsWith(')') || line.endsWith('...)')) {
    // The argument list is the last balanced parentheses; receivers like `(*Server)` come before.
    const open = line.lastIndexOf('(');
    if (open <= 0 || /\s/.test(line.slice(0, open))) return undefined;
    fn = line.slice(0, open);
  } else return undefined;
  const fields: FrameMatch['fields'] = { language: 'go', file: loc[1], line: Number(loc[2]) };
  if (fn) fields.function = fn;
  if (createdBy) fields.createdBy = true;
  return { consumed: 2, fields };
}

/** `goroutine 7 [running]:` starts one goroutine's stack in a dump. */
export function goroutineHeader(line: string): { type: string; message: string } | undefined {
  const m = /^goroutine (\d+) \[([^\]]*)\]:\s*$/.exec(line);
  return m ? { type: `goroutine ${m[1]}`, message: m[2] ?? '' } : undefined;
}

/** `panic: message [recovered]` / `fatal error: message`. */
export function goPanicHeader(line: string): { type: string; message: string } | undefined {
  const m = /^(panic|fatal error): (.*)$/.exec(line);
  return m ? { type: m[1]!, message: m[2] ?? '' } : undefined;
}
