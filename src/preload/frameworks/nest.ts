// NestJS: the router builds one handler per controller method (RouterExecutionContext.create,
// the same place NestJS's OpenTelemetry instrumentation hooks); it records the method's origin,
// named `Controller.method`, after the HTTP platform's own (Express or Fastify) recorded theirs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { originOf, recordingBefore } from '../origins';

type Create = (instance: unknown, callback: unknown, ...rest: unknown[]) => unknown;

export function patchNest(coreIndexFile: string): void {
  const load = createRequire(coreIndexFile);
  const mod = load(join(dirname(coreIndexFile), 'router', 'router-execution-context.js')) as {
    RouterExecutionContext?: { prototype: { create?: Create } };
  };
  const proto = mod.RouterExecutionContext?.prototype;
  const create = proto?.create;
  if (!proto || typeof create !== 'function') return;
  proto.create = function (
    this: unknown,
    instance: unknown,
    callback: unknown,
    ...rest: unknown[]
  ) {
    const handler = create.call(this, instance, callback, ...rest);
    if (typeof handler !== 'function') return handler;
    const controller = (instance as { constructor?: { name?: string } } | undefined)?.constructor
      ?.name;
    return recordingBefore(handler as (...a: never[]) => unknown, () =>
      originOf(callback, controller),
    );
  };
}
