// Ruby backtraces (`Exception#full_message`): ≤3.3 quote methods as `load', 3.4+ as 'Order#load'.
//   /app/models/order.rb:51:in `load': not found (RuntimeError)
//   	from /app/models/order.rb:10:in 'Order#load'
//   	from /app/main.rb:3:in '<main>'
import type { FrameMatch } from './frame';

const FRAME = /^\s*(?:from )?([^\s:'`][^:'`]*?):(\d+):in [`']([^'`]+)'(?:: (.*))?$/;
const HEADER_TAIL = /^(.*) \(([A-Z][\w:]*)\)$/;

export function matchRuby(line: string): FrameMatch | undefined {
  if (!line.includes(':in ')) return undefined;
  const m = FRAME.exec(line);
  if (!m || !m[1] || !m[3]) return undefined;
  const r: FrameMatch = {
    consumed: 1,
    fields: { language: 'ruby', file: m[1], line: Number(m[2]), function: m[3] },
  };
  if (m[4] !== undefined) {
    const h = HEADER_TAIL.exec(m[4]);
    r.header = h ? { type: h[2]!, message: h[1] ?? '' } : { type: 'RuntimeError', message: m[4] };
  }
  return r;
}
