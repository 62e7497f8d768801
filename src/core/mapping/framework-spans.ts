// What framework instrumentations say about the code that ran, beyond `code.*`: NestJS names the
// controller and member exactly (`nestjs.controller`, `nestjs.callback`); Express's and NestJS's
// own inner spans (middleware layers, routers, the handler's inner span) sit inside a request
// whose server span is already mapped, so they are named as such instead of counted again; and a
// server span that carries no route at all is recognised by its request path.
import type { Attributes, CodeLocation } from '../model';

const SERVER = 2;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** NestJS's request span (`CatsController.findOne`, nestjs.type=request_context or handler). */
export function nestHandler(attrs: Attributes): CodeLocation['handler'] | undefined {
  const controller = str(attrs['nestjs.controller']);
  const callback = str(attrs['nestjs.callback']);
  if (!controller || !callback) return undefined;
  return { framework: 'nestjs', controller, callback, inner: attrs['nestjs.type'] === 'handler' };
}

/**
 * Why a span without code attributes, route or handler name is left unmapped on purpose, or what
 * it lacks: said once per series, shown in "why no data" and `report --json`'s unmapped list.
 */
export function layerOf(
  name: string,
  kind: number,
  attrs: Attributes,
): CodeLocation['layer'] | undefined {
  const expressType = str(attrs['express.type']);
  if (expressType) {
    const what = expressType === 'request_handler' ? 'request handler' : expressType;
    return {
      kind: 'framework-inner',
      detail: `an Express ${what} span (${str(attrs['express.name']) ?? name}) inside a request whose server span is mapped to the handler; not counted twice`,
    };
  }
  const routerType = str(attrs['router.type']);
  if (routerType)
    return {
      kind: 'framework-inner',
      detail: `a router ${routerType.replace('_', ' ')} span (${str(attrs['router.name']) ?? name}) inside a request whose server span is mapped to the handler; not counted twice`,
    };
  const nestType = str(attrs['nestjs.type']);
  if (nestType) {
    return {
      kind: 'framework-inner',
      detail:
        nestType === 'app_creation'
          ? 'NestJS application start-up'
          : `a NestJS ${nestType} span without nestjs.controller; its request span is mapped instead`,
    };
  }
  if (str(attrs['fastify.type']) || str(attrs['hook.name'])) {
    return {
      kind: 'framework-inner',
      detail: `a Fastify ${str(attrs['fastify.type']) ?? 'hook'} span (${str(attrs['hook.name']) ?? name}) inside a request whose server span is mapped to the handler`,
    };
  }
  if (str(attrs['hapi.type']))
    return {
      kind: 'framework-inner',
      detail: `a Hapi ${str(attrs['hapi.type'])} span inside a request whose server span is mapped to the handler`,
    };
  if (str(attrs['koa.type']))
    return {
      kind: 'framework-inner',
      detail: `a Koa ${str(attrs['koa.type'])} span (${str(attrs['koa.name']) ?? name}) inside a request whose server span is mapped to the handler`,
    };
  if (kind === SERVER)
    return {
      kind: 'no-route',
      detail:
        'server spans of this service carry no route (the instrumentation sets neither http.route nor a request path)',
    };
  return undefined;
}

/** The request's path (`url.path`, or the old `http.target`), without query string; undefined when absent. */
export function requestPath(attrs: Attributes): string | undefined {
  const raw = str(attrs['url.path']) ?? str(attrs['http.target']);
  if (!raw || !raw.startsWith('/')) return undefined;
  const q = raw.search(/[?#]/);
  return q >= 0 ? raw.slice(0, q) : raw;
}

const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[\w-]*\d)[\w-]{16,}|[^/]*@[^/]*)$/i;

/** A concrete path with id-like segments (numbers, UUIDs, hashes, long tokens) as `{id}`, bounding series per route. */
export function pathShape(path: string): string {
  return path
    .split('/')
    .map((seg) => (ID_SEGMENT.test(seg) ? '{id}' : seg))
    .join('/');
}
