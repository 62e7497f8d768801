// A handler's origin attributes, computed once per function (the inspector is asked on the first
// request a handler serves; afterwards it is a WeakMap lookup).
import { functionOrigin } from './function-location';
import { originAttributes, recordOrigin } from './server-span';

type Attrs = Record<string, string | number>;
/** Per function, per class name it is qualified with ('' for none). */
const cache = new WeakMap<object, Map<string, Attrs | null>>();

/** The `code.*` attributes of the handler `fn` is or wraps; `qualify` names its class (NestJS). */
export function originOf(fn: unknown, qualify = ''): Attrs | undefined {
  if (typeof fn !== 'function') return undefined;
  let byName = cache.get(fn);
  if (!byName) cache.set(fn, (byName = new Map()));
  let attrs = byName.get(qualify);
  if (attrs === undefined) {
    const o = functionOrigin(fn as (...args: never[]) => unknown);
    if (o && qualify && o.name) o.name = `${qualify}.${o.name}`;
    attrs = o ? originAttributes(o) : null;
    byName.set(qualify, attrs);
  }
  return attrs ?? undefined;
}

/** A function that records an origin on the request's server span, then runs `fn` as it was called. */
export function recordingBefore<F extends (...args: never[]) => unknown>(
  fn: F,
  origin: () => Attrs | undefined,
): F {
  const wrapper = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    recordOrigin(origin());
    return fn.apply(this, args) as ReturnType<F>;
  };
  // Frameworks read a handler's arity (Express: four parameters make an error handler) and name.
  Object.defineProperty(wrapper, 'length', { value: fn.length });
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper as unknown as F;
}
