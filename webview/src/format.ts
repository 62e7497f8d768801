// Formatting in the webview, delegating to the core's pure formatters so panel and lens agree.
export { formatMs, formatCount, formatErrorRate } from '../../src/core/format/numbers';
import { formatMs } from '../../src/core/format/numbers';

export function nullableMs(v: number | null): string {
  return v === null ? '–' : formatMs(v);
}

// Not toLocaleTimeString/Intl: the first formatter loads locale data (50–80 ms in the panel's
// first paint, more than everything else it draws), so times are plain 24-hour HH:MM:SS.
const two = (n: number) => String(n).padStart(2, '0');

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
