// PHP's native `Exception::getTraceAsString()`: file and line are the call site of each frame.
//   #0 /var/www/src/OrderService.php(51): App\OrderService->load('A1')
//   #1 [internal function]: App\Kernel->handle(Object(Request))
//   #2 {main}
import type { FrameMatch } from './frame';

const FRAME = /^\s*#\d+ (?:(\[internal function\])|(.+?)\((\d+)\)): (.*?)\(/;
// The exception line names the throw site itself, which no `#N` frame repeats:
//   InvalidArgumentException: unknown coupon in /var/www/src/Coupons.php:14
//   Next RuntimeException: cannot redeem in /var/www/src/Coupons.php:26
//   PHP Fatal error:  Uncaught Exception: boom in /var/www/index.php:3
const HEADER =
  /^\s*(?:PHP )?(?:(?:PHP )?Fatal error: +Uncaught +)?(?:Next +)?([A-Za-z_\\][\w\\]*): (.*) in ((?:\/|[A-Za-z]:\\)\S*\.php|\S+\.php):(\d+)$/;

/** An exception line that carries its throw site: a header and the innermost frame in one. */
export function matchPhpHeader(line: string): FrameMatch | undefined {
  if (!line.includes('.php:')) return undefined;
  const m = HEADER.exec(line);
  if (!m) return undefined;
  return {
    consumed: 1,
    header: { type: m[1]!, message: m[2]! },
    fields: { language: 'php', file: m[3]!, line: Number(m[4]) },
  };
}

export function matchPhp(line: string): FrameMatch | undefined {
  if (!line.includes('#')) return undefined;
  const m = FRAME.exec(line);
  if (!m)
    return /^\s*#\d+ \{main\}\s*$/.test(line)
      ? { consumed: 1, fields: { language: 'php', function: '{main}' } }
      : undefined;
  const fields: FrameMatch['fields'] = { language: 'php', function: m[4] ?? '' };
  if (m[1]) fields.file = m[1];
  else if (m[2]) {
    fields.file = m[2];
    fields.line = Number(m[3]);
  }
  return { consumed: 1, fields };
}
