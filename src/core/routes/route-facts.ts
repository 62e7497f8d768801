// What one source file says about HTTP routing: the routes it registers, and — for frameworks whose
// routers are composed across files (Express, Koa, Fastify, Hapi, NestJS) — where it mounts other
// routers and under which prefix. RouteTree joins these facts across the workspace into full routes.
import { canonicalRoute } from './route-pattern';

export type HandlerRef =
  /** A function literal passed in the registration, starting at `line`. */
  | { kind: 'inline'; line: number }
  /** The function that follows the decorator or annotation at `line`. */
  | { kind: 'decorated'; line: number }
  /** A function referred to by name (`getOrder`, `views.order_detail`, `h.GetOrder`); `module` when imported. */
  | { kind: 'named'; name: string; module?: string };

export interface RouteRegistration {
  method: string;
  /** The template as the code spells it, with prefixes known in this file joined. */
  template: string;
  /** canonicalRoute(template). */
  route: string;
  framework: string;
  file: string;
  /** 1-based line of the registration. */
  line: number;
  handler: HandlerRef;
  /** The router or app variable the route is registered on (JS), whose mounts give its prefix. */
  owner?: string;
  /** NestJS: the controller class, as `nestjs.controller` names it. */
  controller?: string;
  /** NestJS URI versioning: the controller's or method's version. */
  version?: string;
}

/** Where a mount sends its prefix. */
export type MountTarget =
  /** A router defined in the same file. */
  | { kind: 'local'; name: string }
  /** The router(s) exported by another module; `name` when a named export was imported. `absolute`: a Python package path, found from the file's ancestors. */
  | { kind: 'module'; module: string; name?: string; absolute?: boolean }
  /** `@fastify/autoload`: every file under `dir` (relative to the mounting file), folder names as prefixes. */
  | { kind: 'autoload'; dir: string; folderPrefixes: boolean }
  /** Something that could not be followed (a call result, a global); kept to explain a missing prefix. */
  | { kind: 'unknown'; text: string };

export interface RouteMount {
  /** The router or app the mount is called on. */
  owner: string;
  prefix: string;
  target: MountTarget;
  line: number;
}

export interface RouteFacts {
  registrations: RouteRegistration[];
  mounts: RouteMount[];
  /** Owners created as an application (`express()`, `Fastify()`, `new Koa()`, `Hapi.server()`): roots. */
  apps: string[];
  /** Owners with a prefix of their own (koa-router's `new Router({ prefix })`). */
  ownPrefixes: { owner: string; prefix: string }[];
  /** Owners this module exports (`module.exports = router`, `export default router`). */
  exported: string[];
  /** Names this module re-exports from another (`exports.users = require('./users')`, `export * as users from`). */
  reexports: { name: string; module: string }[];
  /** NestJS `app.setGlobalPrefix('api')`. */
  globalPrefix?: { prefix: string; line: number };
  /** NestJS `app.enableVersioning({ type: VersioningType.URI })`: versions become `/v1` prefixes. */
  uriVersioning?: boolean;
}

export function emptyFacts(registrations: RouteRegistration[] = []): RouteFacts {
  return { registrations, mounts: [], apps: [], ownPrefixes: [], exported: [], reexports: [] };
}

export function reg(
  file: string,
  framework: string,
  method: string,
  template: string,
  line: number,
  handler: HandlerRef,
  extra: Partial<RouteRegistration> = {},
): RouteRegistration {
  return {
    method: method.toUpperCase(),
    template,
    route: canonicalRoute(template),
    framework,
    file,
    line,
    handler,
    ...extra,
  };
}
