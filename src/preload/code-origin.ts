// `node --require <this file>`: records where each route's handler is defined on the request's HTTP
// server span (`code.function.name`, `code.file.path`, `code.line.number`, `code.column.number`),
// for Express, Fastify, Koa (@koa/router, koa-router), Hapi and NestJS, under any OpenTelemetry SDK
// with the HTTP instrumentation (load it after the SDK's own `--require`). Frameworks are patched as
// the app loads them (CommonJS `require`, which TypeScript's CommonJS output and NestJS use); the
// handler's location is read once, on the first request it serves; each request then costs a map
// lookup and one `setAttributes`. Nothing here depends on a package, and nothing here throws into
// the app.
import Module from 'node:module';
import { patchExpress } from './frameworks/express';
import { patchFastify } from './frameworks/fastify';
import { patchHapi } from './frameworks/hapi';
import { patchKoaRouter } from './frameworks/koa';
import { patchNest } from './frameworks/nest';

type Patch = (exports: never, filename: string) => unknown;

/** By the name the app requires: a patch returns a replacement for the exports, or nothing. */
const PATCHES: Record<string, Patch> = {
  express: patchExpress as Patch,
  fastify: patchFastify as Patch,
  '@koa/router': patchKoaRouter as Patch,
  'koa-router': patchKoaRouter as Patch,
  '@hapi/hapi': patchHapi as Patch,
  '@nestjs/core': ((_exports: unknown, file: string) => patchNest(file)) as Patch,
};

const INSTALLED = Symbol.for('prodlens.codeOrigin.installed');

interface LoaderInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, { exports: unknown } | undefined>;
}

function install(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[INSTALLED]) return; // required twice (NODE_OPTIONS and the command line): once is enough
  g[INSTALLED] = true;
  const loader = Module as unknown as LoaderInternals;
  const load = loader._load;
  const done = new WeakSet<object>();
  loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
    const exports = load.call(this, request, parent, isMain);
    const patch = PATCHES[request];
    if (
      !patch ||
      exports === null ||
      (typeof exports !== 'object' && typeof exports !== 'function') ||
      done.has(exports as object)
    )
      return exports;
    done.add(exports as object);
    try {
      const file = loader._resolveFilename(request, parent, isMain);
      const replacement = patch(exports as never, file);
      if (replacement && replacement !== exports) {
        done.add(replacement as object);
        const cached = loader._cache[file];
        if (cached) cached.exports = replacement; // later requires get the same replacement
        return replacement;
      }
    } catch (e) {
      if (process.env.PRODLENS_CODE_ORIGIN_DEBUG)
        process.stderr.write(`[prodlens code origin] ${request}: ${(e as Error).message}\n`);
    }
    return exports;
  };
}

install();
