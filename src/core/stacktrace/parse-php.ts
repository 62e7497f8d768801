// PHP's native `Exception::getTraceAsString()`: file and line are the call site of each frame.
//   #0 /var/www/src/OrderService.php(51): App\OrderService->load('A1')
//   #1 [internal function]: App\Kernel->handle(Object(Request))
//   #2 {main}
import type { FrameMatch } from './frame';

const FRAME = /^\s*#\d+ (?:(\[internal function\])|(.+?)\((\d+)\)): (.*?)\(/;

export function matchPhp(line: string): FrameMatch | undefined {
  if (!line.includes('#')) return undefined;
  const m = FRAME.exec(line);
  if (!m) return /^\s*#\d+ \{main\}\s*$/.test(line) ? { consumed: 1, fields: { language: 'php', function: '{main}' } } : undefined;
  const fields: FrameMatch['fields'] = { language: 'php', function: m[4] ?? '' };
  if (m[1]) fields.file = m[1];
  else if (m[2]) {
    fields.file = m[2];
    fields.line = Number(m[3]);
  }
  return { consumed: 1, fields };
}
