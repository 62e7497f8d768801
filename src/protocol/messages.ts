// The message contract between the details panel host (src/extension) and its webview
// (webview/). Type-only and vscode-free: both bundles compile against this one file.

/** Plain numbers for one function over one window; NaN never crosses (null instead). */
export interface StatsDto {
  count: number;
  errors: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  ratePerMin: number;
  windowLabel: string;
  coveredLabel: string;
  points: { startMs: number; count: number; errors: number; p50Ms: number | null; p95Ms: number | null }[];
}

export interface SpanRowDto {
  traceId: string;
  spanId: string;
  name: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  statusMessage: string;
  service: string;
}

export interface FunctionDetailsDto {
  file: string;
  qualifiedName: string;
  startLine: number;
  stats: StatsDto;
  mapping: { rule: string; confidence: string; explanation: string };
  services: string[];
  environments: string[];
  recentSpans: SpanRowDto[];
}

/** Host → webview. Always a complete snapshot, never a delta (a hidden webview keeps only the last). */
export type HostMessage =
  | { type: 'snapshot'; details: FunctionDetailsDto }
  | { type: 'empty'; title: string; reason: string };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openFunction'; file: string; line: number }
  | { type: 'refresh' };

/** UI state the webview persists with setState (navigation only, never data). */
export interface PanelState {
  file: string;
  qualifiedName: string;
  startLine: number;
}

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready' || t === 'refresh') return true;
  if (t === 'openFunction') {
    const o = m as { file?: unknown; line?: unknown };
    return typeof o.file === 'string' && typeof o.line === 'number';
  }
  return false;
}
