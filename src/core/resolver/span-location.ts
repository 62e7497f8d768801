// Where a span says its code is, and the name its series goes by, from the span alone plus one
// question about the workspace (the route a request path was served by). Shared by the engine's
// resolver and the ingest worker, which has no route index and defers that answer
// (deferred-shape.ts).
import type { Attributes, CodeLocation, ResourceInfo } from '../model';
import { readCodeLocation } from '../mapping/code-attributes';
import { layerOf, nestHandler, requestPath } from '../mapping/framework-spans';
import { routeOfSpan } from '../routes/route-pattern';

/** What a span needs to say about its code. */
export interface SpanShape {
  name: string;
  kind: number;
  attributes: Attributes;
  resource?: Pick<ResourceInfo, 'revision'>;
}

/** The route template a request path was served by (or the path with its ids generalised). */
export type RouteShaper = (method: string, path: string) => string;

const SERVER_KIND = 2;

/**
 * Without code attributes: a NestJS span names its controller and member; a server span its HTTP
 * route, named the way the HTTP conventions name such spans (`GET /orders/:id`), so an
 * instrumentation that names them by method only still gets one series per route; without a
 * route, its request path shaped by `shape`. Anything else is noted as a framework's inner span or
 * as lacking a route.
 */
export function locateSpan(
  span: SpanShape,
  shape: RouteShaper,
): { loc: CodeLocation; name: string } {
  const loc = readCodeLocation(span.attributes);
  const revision = span.resource?.revision;
  if (revision !== undefined && loc.line !== undefined) loc.revision = revision;
  // Code attributes say where; a server span is still named by its route, so one handler serving
  // several routes (or an instrumentation that names spans by method only) keeps a series per route.
  const served = span.kind === SERVER_KIND ? serverRoute(span, shape) : undefined;
  if (loc.source !== 'none') return { loc, name: served?.name ?? span.name };
  const handler = nestHandler(span.attributes);
  if (handler) {
    loc.handler = handler;
    return {
      loc,
      name: `${handler.controller}.${handler.callback}${handler.inner ? ' (handler)' : ''}`,
    };
  }
  if (served) {
    loc.route = served.route;
    return { loc, name: served.name };
  }
  const layer = layerOf(span.name, span.kind, span.attributes);
  if (layer) loc.layer = layer;
  return { loc, name: span.name };
}

/**
 * A server span's route and the name its series goes by (`GET /orders/:id`): its HTTP route, else
 * its request path shaped; undefined when it has neither.
 */
function serverRoute(
  span: SpanShape,
  shape: RouteShaper,
): { route: NonNullable<CodeLocation['route']>; name: string } | undefined {
  const path = requestPath(span.attributes);
  const route = routeOfSpan(span.name, span.attributes);
  if (route) {
    // The raw path (no per-span reshaping): only a new series keeps it, for the fallback match.
    const name = span.name.includes(route.template)
      ? span.name
      : `${route.method} ${route.template}`;
    return { route: path ? { ...route, path } : route, name };
  }
  const method = span.attributes['http.request.method'] ?? span.attributes['http.method'];
  if (!path || typeof method !== 'string' || !method) return undefined;
  const m = method.toUpperCase();
  const template = shape(m, path);
  return { route: { method: m, template, from: 'url.path' }, name: `${m} ${template}` };
}
