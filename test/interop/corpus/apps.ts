// The corpus apps and what each app's expected.json says ProdLens should make of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const CORPUS = __dirname;
/** Built TypeScript apps, recorded spans and the CLI's answers land here (git- and lint-ignored). */
export const RUN_DIR = join(ROOT, 'test-results', 'corpus');

export interface AppSpec {
  /** Name in tables and under test-results/corpus/. */
  name: string;
  /** Folder under test/interop/corpus holding the sources and expected.json. */
  dir: string;
  framework: string;
  /** Entry file, relative to the app folder (for TypeScript apps: the compiled one). */
  entry: string;
  /** TypeScript apps: the tsconfig (relative to the app folder) that compiles src/ into dist/. */
  tsconfig?: string;
  env?: Record<string, string>;
  note?: string;
  /** Also load ProdLens's code-origin preload (dist/preload/code-origin.js) after the SDK's register. */
  codeOrigin?: boolean;
}

export const APPS: AppSpec[] = [
  {
    name: 'express-api',
    dir: 'express-api',
    framework: 'express',
    entry: 'app.js',
    note: 'Express 5, routers mounted from other files, wrapped handlers, controller objects',
  },
  {
    name: 'express-ts',
    dir: 'express-ts',
    framework: 'express',
    entry: 'dist/server.js',
    tsconfig: 'tsconfig.json',
    note: 'Express + tsc, runs from dist/ with source maps',
  },
  {
    name: 'express-ts-nomap',
    dir: 'express-ts',
    framework: 'express',
    entry: 'dist/server.js',
    tsconfig: 'tsconfig.nomap.json',
    note: 'the same compiled to ES2016 without source maps',
  },
  {
    name: 'fastify',
    dir: 'fastify-api',
    framework: 'fastify',
    entry: 'server.js',
    note: 'Fastify 5 + @fastify/autoload, stock auto-instrumentation only',
  },
  {
    name: 'fastify-otel',
    dir: 'fastify-api',
    framework: 'fastify',
    entry: 'server.js',
    env: { FASTIFY_OTEL: '1' },
    note: 'the same app with @fastify/otel registered',
  },
  {
    name: 'koa',
    dir: 'koa-api',
    framework: 'koa',
    entry: 'app.js',
    note: 'Koa 3 + @koa/router, nested routers with prefixes',
  },
  {
    name: 'nest',
    dir: 'nest-api',
    framework: 'nestjs',
    entry: 'dist/main.js',
    tsconfig: 'tsconfig.json',
    note: 'NestJS (tsc, legacy decorators), global prefix, URI versioning',
  },
  {
    name: 'hapi',
    dir: 'hapi-api',
    framework: 'hapi',
    entry: 'server.js',
    note: '@hapi/hapi, routes in a plugin with a prefix',
  },
];

/** What the app's handler for a request is, as ProdLens names functions. */
export interface Target {
  file: string;
  function: string;
}

export interface RequestSpec {
  /** `METHOD /concrete/path` (a query string may follow the path). */
  request: string;
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  expect: Target;
}

export interface ErrorSpec {
  /** The request whose failure logged this stack. */
  request: string;
  /** Text in the stack's first line that tells it apart. */
  message: string;
  /** The stack's frames in the app's own code (helper frames of compiled code left out), top first. */
  frames: Target[];
  /** Another frame list for one app of the folder (compiled without source maps, the async callers are gone). */
  framesIn?: Record<string, Target[]>;
}

export interface LogSpec {
  /** Text that picks the line out of the app's stdout/stderr. */
  contains: string;
  expect: Target;
}

export interface Expected {
  requests: RequestSpec[];
  errors: ErrorSpec[];
  logs: LogSpec[];
}

export function loadExpected(app: AppSpec): Expected {
  return JSON.parse(readFileSync(join(CORPUS, app.dir, 'expected.json'), 'utf8')) as Expected;
}
