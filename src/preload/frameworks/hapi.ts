// Hapi: servers (plugins get servers of their own, of the same class) share one `route` method;
// it wraps each route's handler to record where the handler is defined before it runs.
import { originOf, recordingBefore } from '../origins';

type RouteConfig = {
  handler?: unknown;
  options?: { handler?: unknown } | ((...a: unknown[]) => unknown);
  config?: { handler?: unknown };
};
type ServerProto = { route?: (options: RouteConfig | RouteConfig[]) => unknown };

const wrapHandler = (h: unknown) =>
  typeof h === 'function' ? recordingBefore(h as (...a: never[]) => unknown, () => originOf(h)) : h;

function withOrigin(config: RouteConfig): RouteConfig {
  if (!config || typeof config !== 'object') return config;
  if (typeof config.handler === 'function')
    return { ...config, handler: wrapHandler(config.handler) };
  const opts = config.options;
  if (opts && typeof opts === 'object' && typeof opts.handler === 'function')
    return { ...config, options: { ...opts, handler: wrapHandler(opts.handler) } };
  if (config.config && typeof config.config.handler === 'function')
    return { ...config, config: { ...config.config, handler: wrapHandler(config.config.handler) } };
  return config;
}

const patched = new WeakSet<object>();

function patchServerClass(proto: ServerProto): void {
  const route = proto.route;
  if (patched.has(proto) || typeof route !== 'function') return;
  patched.add(proto);
  proto.route = function (this: unknown, options: RouteConfig | RouteConfig[]) {
    return route.call(this, Array.isArray(options) ? options.map(withOrigin) : withOrigin(options));
  };
}

export function patchHapi(hapi: Record<string, unknown>): void {
  for (const key of ['server', 'Server']) {
    const make = hapi[key];
    if (typeof make !== 'function') continue;
    hapi[key] = function (this: unknown, ...args: unknown[]) {
      const server = make.apply(this, args) as object;
      try {
        patchServerClass(Object.getPrototypeOf(server) as ServerProto);
      } catch {
        // An unexpected server shape: serve without origins.
      }
      return server;
    };
  }
}
