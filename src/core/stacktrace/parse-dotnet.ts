// .NET `Exception.ToString()`: inner exceptions are announced inline with ` ---> ` and their
// frames come first, closed by `--- End of inner exception stack trace ---`.
//   System.InvalidOperationException: order not found
//    ---> System.IO.IOException: eof
//      at Acme.Orders.Store.Read() in /src/Orders/Store.cs:line 12
//      --- End of inner exception stack trace ---
//      at Acme.Orders.OrderService.Load(Guid id) in /src/Orders/OrderService.cs:line 51
//      at Acme.Orders.Api.Get(Guid id)
import type { FrameMatch } from './frame';

// No space before the parenthesis: that is how V8 frames (`at fn (file:1:2)`) differ.
const FRAME = /^\s*at ([^\s(]+)\(([^()]*)\)(?: in (.+):line (\d+))?\s*$/;

export function matchDotnet(line: string): FrameMatch | undefined {
  const m = FRAME.exec(line);
  if (!m || !m[1]) return undefined;
  const args = m[2] ?? '';
  // Java's `(File.java:12)` also fits the shape; .NET parameter lists never hold `file:line`.
  if (m[3] === undefined && (/^[^\s,]+\.\w+(?::\d+)?$/.test(args) || /:\d+$/.test(args)))
    return undefined;
  const fields: FrameMatch['fields'] = { language: 'dotnet', function: m[1].trim() };
  if (m[3] !== undefined) {
    fields.file = m[3];
    fields.line = Number(m[4]);
  }
  return { consumed: 1, fields };
}

export function dotnetInnerHeader(line: string): string | undefined {
  const m = /^\s*---> (.*)$/.exec(line);
  return m ? m[1] : undefined;
}

export function isDotnetInnerEnd(line: string): boolean {
  return /^\s*--- End of inner exception stack trace ---\s*$/.test(line);
}

/** Async boundaries and other filler lines the runtime prints between frames. */
export function isDotnetFiller(line: string): boolean {
  return /^\s*--- End of stack trace from previous location(?: where exception was thrown)? ---\s*$/.test(
    line,
  );
}
