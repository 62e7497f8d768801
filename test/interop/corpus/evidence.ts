// What a run recorded, read for the CLI: which request each span served, the spans re-labelled by
// request as OTLP/JSON, and the stacks the app printed.
//
// Attribution: every request of an app has its own method and path, so each server span says which
// request it served (`http.request.method` + `url.path`/`url.query`, or the older `http.method` +
// `http.target`) and the spans of its trace follow it. The recorded export is re-labelled
// (service.name := the request, or `<request> · internal` for the spans below the server span)
// and reported again with `report --otlp-file`: the rows' `services` then say which requests'
// spans each row counts. That report must equal the live `report --from` row for row (same spans,
// only the labels differ).
import type { AttributeValue, Attributes, SpanRecord } from '../../../src/core/model';

export const INTERNAL = ' · internal';
export const STARTUP = '(no request)';

/** The request a server span served, as expected.json spells requests (`GET /path?query`). */
export function requestOf(span: SpanRecord, keys: ReadonlySet<string>): string | undefined {
  if (span.kind !== 2) return undefined;
  const a = span.attributes;
  const method = String(a['http.request.method'] ?? a['http.method'] ?? '').toUpperCase();
  const path = a['url.path'] ?? a['http.target'];
  if (!method || typeof path !== 'string') return undefined;
  const query = a['url.query'];
  for (const k of [
    `${method} ${path}`,
    typeof query === 'string' && query ? `${method} ${path}?${query}` : '',
    `${method} ${path.split('?')[0]}`,
  ])
    if (keys.has(k)) return k;
  return undefined;
}

/**
 * Which request each trace served (by its server span), and the spans grouped under their new
 * service names: the request for server spans, `<request> · internal` below them, STARTUP outside any.
 */
export function attribute(
  spans: readonly SpanRecord[],
  keys: ReadonlySet<string>,
): { traceOf: Map<string, string>; groups: Map<string, SpanRecord[]> } {
  const traceOf = new Map<string, string>();
  for (const s of spans) {
    const key = requestOf(s, keys);
    if (key) traceOf.set(s.traceId, key);
  }
  const groups = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = traceOf.get(s.traceId);
    const label = key === undefined ? STARTUP : s.kind === 2 ? key : `${key}${INTERNAL}`;
    let g = groups.get(label);
    if (!g) groups.set(label, (g = []));
    g.push(s);
  }
  return { traceOf, groups };
}

// ---------------------------------------------------------------------------------------------
// Re-labelling: the recorded spans as OTLP/JSON, each group under its own service name.

function anyValue(v: AttributeValue): Record<string, unknown> {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number')
    return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return {
    kvlistValue: {
      values: Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) })),
    },
  };
}

const kvs = (a: Attributes) =>
  Object.entries(a).map(([key, value]) => ({ key, value: anyValue(value) }));
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

export function otlpJson(groups: Map<string, SpanRecord[]>): string {
  const resourceSpans = [...groups]
    .filter(([, spans]) => spans.length > 0)
    .map(([service, spans]) => {
      const r = spans[0]!.resource;
      const res: Attributes = { 'service.name': service };
      if (r.environment) res['deployment.environment.name'] = r.environment;
      if (r.version) res['service.version'] = r.version;
      if (r.revision) res['vcs.ref.head.revision'] = r.revision;
      return {
        resource: { attributes: kvs(res) },
        scopeSpans: [
          {
            scope: { name: 'corpus-relabel' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.startMs + s.durationMs),
              attributes: kvs(s.attributes),
              events: s.events.map((e) => ({
                timeUnixNano: nanos(e.timeMs),
                name: e.name,
                attributes: kvs(e.attributes),
              })),
              status: {
                code: s.statusCode,
                ...(s.statusMessage ? { message: s.statusMessage } : {}),
              },
            })),
          },
        ],
      };
    });
  return JSON.stringify({ resourceSpans });
}

// ---------------------------------------------------------------------------------------------
// Stacks out of the app's output.

interface Stack {
  text: string;
  header: string;
}

/** Every stack the app printed: raw `    at …` blocks (console.error(err.stack), Nest) and `stack` fields of JSON lines (pino). */
export function extractStacks(lines: readonly string[]): Stack[] {
  const out: Stack[] = [];
  const fromJson = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'stack' && typeof x === 'string' && /\n\s+at /.test(x))
        out.push({ text: x, header: x.split('\n')[0]! });
      else if (x && typeof x === 'object') fromJson(x);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('{')) {
      try {
        fromJson(JSON.parse(line));
      } catch {
        // not JSON after all
      }
      continue;
    }
    if (/^\s+at /.test(line) && i > 0 && !/^\s+at /.test(lines[i - 1]!)) {
      let start = i - 1;
      // A multi-line message: walk back to the line that names the error.
      while (
        start > 0 &&
        !/\w*(Error|Exception|Declined)\b.*:/.test(lines[start]!) &&
        i - start < 5
      )
        start--;
      let end = i;
      while (end + 1 < lines.length && /^\s+at /.test(lines[end + 1]!)) end++;
      const block = lines.slice(start, end + 1);
      out.push({ text: block.join('\n'), header: block[0]! });
      i = end;
    }
  }
  return out;
}
