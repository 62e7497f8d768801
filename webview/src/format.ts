// Formatting in the webview, delegating to the core's pure formatters so panel and lens agree.
export { formatMs, formatCount, formatErrorRate } from '../../src/core/format/numbers';
import { formatMs } from '../../src/core/format/numbers';

export function nullableMs(v: number | null): string {
  return v === null ? '–' : formatMs(v);
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}
