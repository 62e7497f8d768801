// Formatting in the webview, delegating to the core's pure formatters so panel and lens agree.
export { formatMs, formatCount, formatErrorRate } from '../../src/core/format/numbers';
