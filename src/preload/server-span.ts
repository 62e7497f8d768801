// Writes a handler's origin on the request's HTTP server span, through the OpenTelemetry API's
// process-wide registration (so it works with whatever copy of `@opentelemetry/api` the app's SDK
// loaded, and this file needs none). The HTTP instrumentation keeps its server span in the
// request's context under the RPC-metadata key; a framework's own spans (Express layers, Koa
// middleware) are children of it, so the key is read rather than the active span.
import type { FunctionOrigin } from './function-location';

interface Span {
  setAttributes(attrs: Record<string, string | number>): unknown;
  isRecording?(): boolean;
}
interface Context {
  getValue(key: symbol): unknown;
}
interface OtelGlobal {
  context?: { active(): Context };
}

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const RPC_METADATA = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

/** The attributes for one origin, built once per handler (semantic conventions ≥ 1.33 names). */
export function originAttributes(o: FunctionOrigin): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'code.file.path': o.file,
    'code.line.number': o.line,
    'code.column.number': o.column,
  };
  // `handler` is the name V8 gives an arrow written as a route object's `handler:` (Hapi, Fastify's
  // route()); it names the property, not the function, so it is left out (the line says where).
  if (o.name && !/(^|\.)handler$/.test(o.name)) attrs['code.function.name'] = o.name;
  return attrs;
}

/** The current request's HTTP server span, when an OpenTelemetry SDK with the HTTP instrumentation is running. */
function serverSpan(): Span | undefined {
  const api = (globalThis as Record<symbol, OtelGlobal | undefined>)[API_KEY];
  const meta = api?.context?.active().getValue(RPC_METADATA) as
    { type?: number; span?: Span } | undefined;
  return meta?.span;
}

/** Sets the handler's origin on the request's server span; a later (more specific) call overwrites it. */
export function recordOrigin(attrs: Record<string, string | number> | undefined): void {
  if (!attrs) return;
  try {
    const span = serverSpan();
    if (span && span.isRecording?.() !== false) span.setAttributes(attrs);
  } catch {
    // Telemetry never breaks the request.
  }
}
