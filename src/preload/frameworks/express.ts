// Express 4 and 5: a matched route's `dispatch` runs before any of its handlers (auth and
// validation middleware included), so the origin is on the server span even when a guard answers.
// The route's handler for the request's method is the last non-error function registered for it.
import { originOf } from '../origins';
import { recordOrigin } from '../server-span';

interface Layer {
  method?: string;
  handle?: unknown;
}
interface Route {
  stack?: Layer[];
  dispatch: (...args: unknown[]) => unknown;
}

function handlerFor(route: Route, method: string): unknown {
  let last: unknown;
  let lastGet: unknown;
  for (const layer of route.stack ?? []) {
    const h = layer.handle;
    if (typeof h !== 'function' || h.length > 3) continue; // four parameters: an error handler
    if (layer.method === undefined || layer.method === method) last = h;
    if (layer.method === 'get') lastGet = h;
  }
  // Express answers HEAD with the GET handlers when the route has none of its own.
  return last ?? (method === 'head' ? lastGet : undefined);
}

export function patchExpress(express: { Route?: { prototype: Route } }): void {
  const proto = express.Route?.prototype;
  if (!proto || typeof proto.dispatch !== 'function') return;
  const dispatch = proto.dispatch;
  proto.dispatch = function (this: Route, ...args: unknown[]) {
    const req = args[0] as { method?: string } | undefined;
    if (req?.method) recordOrigin(originOf(handlerFor(this, req.method.toLowerCase())));
    return dispatch.apply(this, args);
  };
}
