// @koa/router and koa-router: a registered route layer's first middleware runs once the route
// matched (before guards), so it records where the layer's handler (its last middleware) is.
import { originOf, recordingBefore } from '../origins';

interface Layer {
  methods?: string[];
  stack?: unknown[];
}

export function patchKoaRouter(Router: {
  prototype?: { register?: (...args: unknown[]) => unknown };
}): void {
  const proto = Router?.prototype;
  const register = proto?.register;
  if (!proto || typeof register !== 'function') return;
  proto.register = function (this: unknown, ...args: unknown[]) {
    const layer = register.apply(this, args) as Layer | undefined;
    const stack = layer?.stack;
    if (
      stack &&
      stack.length > 0 &&
      layer.methods &&
      layer.methods.length > 0 &&
      typeof stack[0] === 'function'
    ) {
      const handler = stack[stack.length - 1];
      stack[0] = recordingBefore(stack[0] as (...a: never[]) => unknown, () => originOf(handler));
    }
    return layer;
  };
}
