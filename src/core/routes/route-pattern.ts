// One spelling for HTTP route templates, whatever framework wrote them: Express `/orders/:id`,
// FastAPI/Spring/ASP.NET `/orders/{id}` (with `{id:int}` constraints), Flask/Django
// `/orders/<int:id>`, Go 1.22 `{path...}`, Rails `(.:format)`, Next.js `/orders/[id]` and
// `[...slug]`. Parameters become `{}`, catch-alls
// `{*}`, so a span's `http.route` and the registration in the code compare as plain strings.
import type { Attributes } from '../model';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
/** A registration that answers every method (`app.all`, `@RequestMapping` without method, …). */
export const ANY_METHOD = 'ANY';

const METHOD_PREFIX = new RegExp(`^(${HTTP_METHODS.join('|')}|ANY)\\s+(\\S.*)$`, 'i');

function segment(seg: string): string {
  if (
    /^\{\*.*\}$/.test(seg) ||
    /^\[\[?\.\.\.[^\]]*\]\]?$/.test(seg) ||
    /^\{[^}]*\.\.\.\}$/.test(seg) ||
    /^\*\w*$/.test(seg) ||
    seg === '**'
  )
    return '{*}';
  if (
    /^:\w+\??$/.test(seg) ||
    /^\{[^}]*\}$/.test(seg) ||
    /^<[^>]*>$/.test(seg) ||
    /^\[[^\]]+\]$/.test(seg)
  )
    return '{}';
  return seg.toLowerCase();
}

/**
 * The canonical form of a route template: leading slash, no trailing slash, lowercase literals,
 * `{}` for a parameter and `{*}` for a catch-all. `''` and `/` both become `/`.
 */
export function canonicalRoute(template: string): string {
  let t = template.trim();
  // Rails' optional format suffix; a concrete URL's query string or fragment.
  t = t
    .replace(/\(\.:format\)$/, '')
    .replace(/#.*$/, '')
    .replace(/\?[^/]*=.*$/, '');
  const segs = t.split('/').filter((s) => s.length > 0 && s !== '.');
  return `/${segs.map(segment).join('/')}`;
}

/** Joins a controller/blueprint prefix and a method-level path, as the frameworks do. */
export function joinRoute(prefix: string, path: string): string {
  const a = prefix.replace(/\/+$/, '');
  const b = path.replace(/^\/+/, '');
  if (!a) return `/${b}`;
  if (!b) return a.startsWith('/') ? a : `/${a}`;
  return `${a.startsWith('/') ? a : `/${a}`}/${b}`;
}

export interface TelemetryRoute {
  method: string;
  /** The route template as the telemetry gives it. */
  template: string;
  /** Where it came from, for the explanation. */
  from: 'http.route' | 'span name' | 'url.path';
}

/**
 * The route a server span was served by: `http.route` (with `http.request.method`, or the old
 * `http.method`), else a span name of the form `GET /orders/:id`. Undefined when neither says.
 */
export function routeOfSpan(name: string, attrs: Attributes): TelemetryRoute | undefined {
  const attrMethod = attrs['http.request.method'] ?? attrs['http.method'];
  const route = attrs['http.route'];
  const byName = METHOD_PREFIX.exec(name);
  const method =
    typeof attrMethod === 'string' && attrMethod
      ? attrMethod.toUpperCase()
      : byName
        ? byName[1]!.toUpperCase()
        : ANY_METHOD;
  if (typeof route === 'string' && route.length > 0)
    return { method, template: route, from: 'http.route' };
  if (byName && byName[2]!.startsWith('/'))
    return { method, template: byName[2]!, from: 'span name' };
  return undefined;
}
