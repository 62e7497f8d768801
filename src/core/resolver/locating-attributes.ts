// The span attributes that say where a span's code is: everything `locateSpan` (span-location.ts)
// and the readers it calls look at. The ingest worker decodes only these for the spans it does not
// hold whole (trace-wire-decode.ts, lean mode): most of a span's attributes (user agent, peer
// address, status code …) matter only for a span kept for drill-down, which it decodes again in
// full. A unit test runs locateSpan through each of its branches with a recording proxy and fails
// on any key it reads that is missing here.
export const LOCATING_ATTRIBUTES: ReadonlySet<string> = new Set([
  // code-attributes.ts: current and older semantic-convention names.
  'code.file.path',
  'code.filepath',
  'code.function.name',
  'code.function',
  'code.namespace',
  'code.line.number',
  'code.lineno',
  'code.column.number',
  'code.column',
  // route-pattern.ts and framework-spans.ts: a server span's route or request path.
  'http.route',
  'http.request.method',
  'http.method',
  'url.path',
  'http.target',
  // framework-spans.ts: handler and framework-layer spans.
  'nestjs.controller',
  'nestjs.callback',
  'nestjs.type',
  'express.type',
  'express.name',
  'router.type',
  'router.name',
  'fastify.type',
  'hook.name',
  'hapi.type',
  'koa.type',
  'koa.name',
]);

/**
 * When a span's `http.route` is a non-empty string, its request path (`url.path`, `http.target`)
 * does not change its series: the route names it, and only a new series' route keeps the raw path
 * (span-location.ts). The ingest worker's scan leaves the path out of what it compares then, so
 * spans of one route share a fingerprint whatever ids their paths carry; a unit test holds
 * locateSpan to this.
 */
export const ROUTE_ATTRIBUTE = 'http.route';
export const REQUEST_PATH_ATTRIBUTES: ReadonlySet<string> = new Set(['url.path', 'http.target']);
