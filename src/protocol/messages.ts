// The message contract between the details panel host (src/extension) and its webview
// (webview/). vscode-free: both bundles compile against this one file. Three kinds of message:
// host→webview notifications (complete snapshots), webview→host requests (with an id, answered
// by exactly one response), and webview→host fire-and-forget commands.

// What the panel shows is the core's view model (src/core/view-model.ts), carried as it is.
import type { FunctionDetailsDto, TraceDto } from '../core/view-model';
export type * from '../core/view-model';

/** Requests: name → [params, result]. */
export interface RequestMap {
  /** `source` names a configured trace backend by its label; without it, the receiver (then any backend). */
  getTrace: [{ traceId: string; source?: string }, TraceDto];
}
export type RequestName = keyof RequestMap;

export type RequestMessage = {
  [K in RequestName]: { type: 'request'; id: number; method: K; params: RequestMap[K][0] };
}[RequestName];

export type ResponseMessage =
  | {
      [K in RequestName]: {
        type: 'response';
        id: number;
        method: K;
        ok: true;
        result: RequestMap[K][1];
      };
    }[RequestName]
  | { type: 'response'; id: number; method: RequestName; ok: false; error: string };

/** Host → webview. Snapshots are always complete, never deltas (a hidden webview keeps only the last). */
export type HostMessage =
  | { type: 'snapshot'; details: FunctionDetailsDto }
  | { type: 'empty'; title: string; reason: string }
  | ResponseMessage;

/** Webview → host commands, fire and forget. */
export type CommandMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openLocation'; file: string; line: number }
  | { type: 'setWindow'; window: string }
  | { type: 'setEnvironment'; environment: string };

export type WebviewMessage = CommandMessage | RequestMessage;

/** UI state the webview persists with setState (navigation only, never data). */
export interface PanelState {
  file: string;
  qualifiedName: string;
  startLine: number;
  tab?: TraceTab;
  selectedTraceId?: string;
  /** The trace backend label the open trace came from; absent for the receiver's. */
  selectedTraceSource?: string;
}
export type TraceTab = 'recent' | 'slowest' | 'failed';

const isStr = (v: unknown): v is string => typeof v === 'string';
const isLine = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Validates every message from the webview before the host dispatches it. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'openLocation':
      return isStr(o.file) && o.file.length > 0 && isLine(o.line);
    case 'setWindow':
      return isStr(o.window);
    case 'setEnvironment':
      return isStr(o.environment);
    case 'request': {
      if (typeof o.id !== 'number' || !Number.isInteger(o.id)) return false;
      const p = o.params as Record<string, unknown> | null | undefined;
      if (o.method === 'getTrace')
        return (
          typeof p === 'object' &&
          p !== null &&
          isStr(p.traceId) &&
          /^[0-9a-f]{1,64}$/i.test(p.traceId) &&
          (p.source === undefined || (isStr(p.source) && p.source.length <= 200))
        );
      return false;
    }
    default:
      return false;
  }
}

/** Validates a message from the host in the webview (a page could get stray `message` events). */
export function isHostMessage(m: unknown): m is HostMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'snapshot' || t === 'empty' || t === 'response';
}
