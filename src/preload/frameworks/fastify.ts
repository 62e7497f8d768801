// Fastify: every instance the factory makes gets an `onRoute` hook (children inherit it), which
// wraps each route's handler to record where the handler is defined before it runs.
import { originOf, recordingBefore } from '../origins';

type Factory = ((...args: unknown[]) => {
  addHook?: (name: string, fn: (opts: { handler?: unknown }) => void) => unknown;
}) &
  Record<string, unknown>;

function onRoute(opts: { handler?: unknown }): void {
  const h = opts.handler;
  if (typeof h === 'function')
    opts.handler = recordingBefore(h as (...a: never[]) => unknown, () => originOf(h));
}

/** The factory to hand the app instead of Fastify's own (same properties, `fastify`/`default` included). */
export function patchFastify(factory: Factory): Factory | undefined {
  if (typeof factory !== 'function') return undefined;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const app = factory.apply(this, args);
    try {
      app.addHook?.('onRoute', onRoute);
    } catch {
      // An instance that refuses hooks still serves.
    }
    return app;
  } as Factory;
  for (const key of Object.getOwnPropertyNames(factory)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(factory, key)!);
  }
  wrapper.fastify = wrapper;
  wrapper.default = wrapper;
  return wrapper;
}
