// JavaScript/TypeScript routing facts, as real Express, Koa, Fastify, Hapi and NestJS apps write
// them: verb registrations on a router variable (`router.get('/:id', wrap(users.get))`), route
// chains (`router.route('/x').get(h).post(h2)`), route objects (Fastify `route({…})`, Hapi
// `server.route([{…}])`), and the mounts that give a router its prefix (`app.use('/api', routes)`,
// `fastify.register(plugin, { prefix })`, `@fastify/autoload`, Hapi `routes: { prefix }`), plus
// NestJS controllers and `setGlobalPrefix`. Text patterns over the file, not a parse (see route-extract.ts).
import { ANY_METHOD, joinRoute } from './route-pattern';
import { emptyFacts, reg, type HandlerRef, type MountTarget, type RouteFacts } from './route-facts';
import {
  type CallArgument,
  leadingExpression,
  LineMap,
  scanCall,
  stringLiteral,
} from '../workspace/source-text';

const VERBS = 'get|post|put|delete|patch|options|head|all';
const JS_VERB = new RegExp(
  `\\b([A-Za-z_$][\\w$]*)\\s*\\.\\s*(${VERBS})\\s*\\(\\s*(['"\`])((?:\\/|\\*)[^'"\`]*)\\3\\s*,`,
  'g',
);
const JS_ROUTE_CHAIN = /\b([A-Za-z_$][\w$]*)\s*\.\s*route\s*\(\s*(['"`])([^'"`]*)\2\s*\)/g;
const CHAIN_VERB = new RegExp(`^\\s*\\.\\s*(${VERBS})\\s*\\(`);
const JS_ROUTE_OBJECT = /\b([A-Za-z_$][\w$]*)\s*\.\s*route\s*\(\s*[[{]/g;
const JS_MOUNT = /\b([A-Za-z_$][\w$]*)\s*\.\s*(use|register)\s*\(/g;
const NEST_CONTROLLER = /@Controller\s*\(\s*(?:(['"`])([^'"`]*)\1|\{([^}]*)\})?\s*\)/g;
const NEST_METHOD =
  /@(Get|Post|Put|Delete|Patch|Options|Head|All)\s*\(\s*(?:(['"`])([^'"`]*)\2)?\s*\)/g;
const NEST_GLOBAL_PREFIX = /\.setGlobalPrefix\s*\(\s*(['"`])([^'"`]*)\1/;
const JS_REQUIRE =
  /(?:const|let|var)\s+(\{[^}]*\}|[\w$]+)\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)/g;
const JS_IMPORT =
  /import\s+(?:type\s+)?(\*\s+as\s+[\w$]+|[\w$]+(?:\s*,\s*\{[^}]*\})?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g;
const APP_CREATE =
  /(?:const|let|var)\s+([\w$]+)\s*(?::\s*[\w$.<>, ]+)?=\s*(?:await\s+)?(?:express|fastify|Fastify|new\s+Koa|Koa|(?:Hapi|hapi)\.server|new\s+(?:Hapi|hapi)\.Server|require\(\s*['"](?:express|fastify)['"]\s*\))\s*\(/g;
const ROUTER_PREFIX =
  /(?:const|let|var)\s+([\w$]+)\s*(?::\s*[\w$.<>]+\s*)?=\s*(?:new\s+)?[\w$.]*Router\s*\(\s*\{[^}]*?\bprefix\s*:\s*(['"`])([^'"`]*)\2/g;
const ROUTER_PREFIX_CALL = /\b([\w$]+)\s*\.\s*prefix\s*\(\s*(['"`])([^'"`]*)\2\s*\)/g;
const AUTOLOAD_MODULE = /['"](?:@fastify\/autoload|fastify-autoload)['"]/;
const PREFIX_OPTION = /\bprefix\s*:\s*(['"`])([^'"`]*)\1/;

interface Binding {
  module: string;
  /** The exported name for `{ x } = require(…)` / `import { x }`; undefined for a default or namespace import. */
  imported?: string;
}

/** Local name → the module it was imported from (relative modules and packages alike). */
function jsImports(text: string): Map<string, Binding> {
  const out = new Map<string, Binding>();
  for (const re of [JS_REQUIRE, JS_IMPORT]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const module = m[2]!;
      for (const part of m[1]!.split(/,(?![^{]*\})/)) {
        const binding = part.trim().replace(/^\*\s+as\s+/, '');
        if (!binding) continue;
        if (binding.startsWith('{')) {
          for (const p of binding.slice(1, -1).split(',')) {
            const [imported, local] = p.split(/\s+as\s+|:/).map((x) => x.trim());
            if (imported) out.set(local || imported, { module, imported });
          }
        } else out.set(binding, { module });
      }
    }
  }
  return out;
}

const INLINE_FN = /^(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[\w$]+\s*=>)/;

/**
 * Classifies a handler argument: `async (req, res) => …`, `function (…)`, `getOrder`, `users.get`,
 * a wrapper call around any of these (`asyncHandler(fn)`, `catchAsync(async (req, res) => …)`,
 * nested up to three deep), or a handler array whose last element handles.
 */
function jsHandler(
  arg: CallArgument,
  lines: LineMap,
  imports: Map<string, Binding>,
  instances: ReadonlyMap<string, string> = new Map(),
): HandlerRef | undefined {
  let t = arg.text;
  let offset = arg.offset;
  for (let unwrap = 0; unwrap < 4; unwrap++) {
    if (INLINE_FN.test(t)) return { kind: 'inline', line: lines.lineAt(offset) };
    if (/^[\w$]+(?:\.[\w$]+)*$/.test(t)) {
      // `controller.list` where `controller = new ProductsController(…)`: the class's member.
      const cls = instances.get(t.split('.')[0]!);
      if (cls && t.includes('.')) t = `${cls}${t.slice(t.indexOf('.'))}`;
      const head = t.split('.')[0]!;
      const binding = imports.get(head);
      if (binding && isRelative(binding.module)) {
        // `{ login } = require('./users')` names `login` there; `users.login` names `login` in `users`.
        const name = binding.imported && head === t ? binding.imported : t;
        return { kind: 'named', name, module: binding.module };
      }
      return { kind: 'named', name: t };
    }
    if (t.startsWith('[')) {
      // [auth, validate(schema), handler]: the last element handles the request.
      const elements = scanCall(t, 0)?.args;
      const last = elements?.[elements.length - 1];
      if (!last) return undefined;
      offset += last.offset;
      t = last.text;
      continue;
    }
    // A wrapper call: its last argument is what it wraps.
    const w = /^[\w$.]+\s*\(/.exec(t);
    if (!w) return undefined;
    const inner = scanCall(t, w[0].length - 1);
    const last = inner?.args[inner.args.length - 1];
    if (!inner || !last || inner.close !== t.length - 1) return undefined;
    offset += last.offset;
    t = last.text;
  }
  return undefined;
}

function isRelative(module: string): boolean {
  return module.startsWith('./') || module.startsWith('../');
}

/** A Fastify/Hapi route object's handler: `handler: getOrder`, `handler: async (…) => …`, `handler(req, reply) {…}`. */
function objectHandler(
  body: CallArgument,
  lines: LineMap,
  imports: Map<string, Binding>,
): HandlerRef | undefined {
  const h = /\bhandler\s*(:|\()/.exec(body.text);
  if (!h) return undefined;
  if (h[1] === '(') return { kind: 'inline', line: lines.lineAt(body.offset + h.index) };
  const start = h.index + h[0].length;
  const value = leadingExpression(body.text.slice(start));
  if (!value) return undefined;
  const ref = jsHandler(
    { text: value.text, offset: body.offset + start + value.offset },
    lines,
    imports,
  );
  // An inline handler under a key is the `handler` pair itself, which starts on the key's line.
  return ref?.kind === 'inline'
    ? { kind: 'inline', line: lines.lineAt(body.offset + h.index) }
    : ref;
}

/** What a mount argument refers to: a router in this file, another module, or (unknown) something else. */
function mountTarget(t: string, imports: Map<string, Binding>): MountTarget | undefined {
  const req =
    /^(?:await\s+)?\(?\s*(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)\s*\)?(?:\.default)?$/.exec(
      t,
    );
  if (req) return isRelative(req[1]!) ? { kind: 'module', module: req[1]! } : undefined;
  const ident = /^([\w$]+)(?:\.default|\.routes\(\s*\)|\.middleware\(\s*\)|\.plugin)?$/.exec(t);
  if (!ident) return undefined;
  const binding = imports.get(ident[1]!);
  if (binding) {
    if (!isRelative(binding.module)) return undefined;
    return binding.imported
      ? { kind: 'module', module: binding.module, name: binding.imported }
      : { kind: 'module', module: binding.module };
  }
  return { kind: 'local', name: ident[1]! };
}

/** `path.join(__dirname, 'routes')`, `join(import.meta.dirname, 'routes', 'v1')`, `new URL('./routes', import.meta.url)`. */
function autoloadDir(options: string): string | undefined {
  const joined =
    /\bdir\s*:\s*(?:[\w$]+\.)?(?:join|resolve)\s*\(\s*(?:__dirname|import\.meta\.dirname)\s*,([^)]*)\)/.exec(
      options,
    );
  if (joined) {
    const parts = [...joined[1]!.matchAll(/(['"`])([^'"`]*)\1/g)].map((x) => x[2]!);
    return parts.length ? parts.join('/') : undefined;
  }
  const url = /\bdir\s*:[^,}]*new\s+URL\s*\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url/.exec(
    options,
  );
  return url ? url[2] : undefined;
}

export function jsRouteFacts(file: string, text: string, lines: LineMap): RouteFacts {
  const facts = emptyFacts();
  const out = facts.registrations;
  const imports = jsImports(text);
  // Verb registrations read alike in Express, Koa and Fastify; the file's imports say which one it is.
  const framework = /['"](?:fastify|fastify-plugin)['"]|\bfastify\s*\./.test(text)
    ? 'fastify'
    : /['"](?:koa|@koa\/router|koa-router)['"]/.test(text)
      ? 'koa'
      : 'express';
  const autoloaders = new Set(
    [...imports].filter(([, b]) => AUTOLOAD_MODULE.test(`'${b.module}'`)).map(([name]) => name),
  );

  const instances = new Map<string, string>();
  for (const m of text.matchAll(
    /(?:const|let|var)\s+([\w$]+)\s*(?::\s*[\w$.<>]+\s*)?=\s*new\s+([A-Z][\w$]*)\s*\(/g,
  ))
    instances.set(m[1]!, m[2]!);
  JS_VERB.lastIndex = 0;
  for (let m = JS_VERB.exec(text); m; m = JS_VERB.exec(text)) {
    const call = scanCall(text, text.indexOf('(', m.index + m[1]!.length));
    const args = call?.args;
    if (!args || args.length < 2) continue;
    const last = args[args.length - 1]!;
    // Fastify shorthand with the handler inside the options: fastify.get('/x', { schema, handler }).
    const handler = last.text.startsWith('{')
      ? objectHandler(last, lines, imports)
      : jsHandler(last, lines, imports, instances);
    if (!handler) continue;
    const method = m[2] === 'all' ? ANY_METHOD : m[2]!;
    out.push(reg(file, framework, method, m[4]!, lines.lineAt(m.index), handler, { owner: m[1]! }));
  }

  // router.route('/users/:id').get(getUser).put(updateUser)
  JS_ROUTE_CHAIN.lastIndex = 0;
  for (let m = JS_ROUTE_CHAIN.exec(text); m; m = JS_ROUTE_CHAIN.exec(text)) {
    let at = m.index + m[0].length;
    for (let link = 0; link < 10; link++) {
      const verb = CHAIN_VERB.exec(text.slice(at, at + 200));
      if (!verb) break;
      const call = scanCall(text, at + verb[0].length - 1);
      if (!call) break;
      const last = call.args[call.args.length - 1];
      const handler = last ? jsHandler(last, lines, imports, instances) : undefined;
      const method = verb[1] === 'all' ? ANY_METHOD : verb[1]!;
      if (handler)
        out.push(
          reg(
            file,
            framework,
            method,
            m[3]!,
            lines.lineAt(at + verb.index + verb[0].indexOf('.')),
            handler,
            { owner: m[1]! },
          ),
        );
      at = call.close + 1;
    }
  }

  // Fastify's full declaration route({ method, url, handler }); Hapi's route({ method, path, handler }) or route([...]).
  JS_ROUTE_OBJECT.lastIndex = 0;
  for (let m = JS_ROUTE_OBJECT.exec(text); m; m = JS_ROUTE_OBJECT.exec(text)) {
    const open = text.indexOf('(', m.index + m[1]!.length);
    const first = scanCall(text, open)?.args[0];
    if (!first) continue;
    const objects = first.text.startsWith('[')
      ? (scanCall(first.text, 0)?.args ?? []).map((a) => ({
          text: a.text,
          offset: first.offset + a.offset,
        }))
      : [first];
    for (const obj of objects) {
      if (!obj.text.startsWith('{')) continue;
      const url = /\b(?:url|path)\s*:\s*(['"`])([^'"`]+)\1/.exec(obj.text);
      if (!url) continue;
      const methods = /\bmethod\s*:\s*(\[[^\]]*\]|(['"`])[\w*]+\2)/.exec(obj.text);
      const list = methods
        ? [...methods[1]!.matchAll(/(['"`])([\w*]+)\1/g)].map((x) =>
            x[2] === '*' ? ANY_METHOD : x[2]!,
          )
        : [ANY_METHOD];
      const handler = objectHandler(obj, lines, imports);
      if (!handler) continue;
      const objectFramework =
        /\bpath\s*:/.test(obj.text) && !/\burl\s*:/.test(obj.text) ? 'hapi' : 'fastify';
      for (const method of list)
        out.push(
          reg(file, objectFramework, method, url[2]!, lines.lineAt(obj.offset), handler, {
            owner: m[1]!,
          }),
        );
    }
  }

  // Mounts: app.use('/api', routes), router.use('/users', require('./users')), app.use(router.routes()),
  // fastify.register(plugin, { prefix }), fastify.register(AutoLoad, { dir }), server.register({ plugin, routes: { prefix } }).
  JS_MOUNT.lastIndex = 0;
  for (let m = JS_MOUNT.exec(text); m; m = JS_MOUNT.exec(text)) {
    const args = scanCall(text, text.indexOf('(', m.index + m[1]!.length))?.args;
    if (!args || args.length === 0) continue;
    const line = lines.lineAt(m.index);
    const owner = m[1]!;
    if (m[2] === 'use') {
      // A route table mounted in a loop: [{ path: '/users', route: userRoute }, …].forEach((r) => router.use(r.path, r.route)).
      const table = /^([\w$]+)\.([\w$]+)$/.exec(args[0]!.text);
      const tableTarget =
        table && args.length === 2
          ? new RegExp(`^${table[1]}\\.([\\w$]+)$`).exec(args[1]!.text)
          : null;
      if (table && tableTarget) {
        const entry = new RegExp(
          `\\{\\s*(?:${table[2]}\\s*:\\s*(['"\`])([^'"\`]*)\\1\\s*,\\s*${tableTarget[1]}\\s*:\\s*([\\w$.]+)|${tableTarget[1]}\\s*:\\s*([\\w$.]+)\\s*,\\s*${table[2]}\\s*:\\s*(['"\`])([^'"\`]*)\\5)\\s*,?\\s*\\}`,
          'g',
        );
        for (const e of text.matchAll(entry)) {
          const t = mountTarget(e[3] ?? e[4]!, imports);
          const mount = { owner, prefix: e[2] ?? e[6]!, target: t, line: lines.lineAt(e.index) };
          // Two loops over two tables (routes, devRoutes) each see every entry: keep one of each.
          if (t && !facts.mounts.some((x) => x.line === mount.line && x.prefix === mount.prefix))
            facts.mounts.push(mount as (typeof facts.mounts)[number]);
        }
        continue;
      }
      const prefix = stringLiteral(args[0]!.text);
      // A path prefix starts with '/': `passport.use('jwt', strategy)` is not a mount.
      if (prefix !== undefined && !prefix.startsWith('/')) continue;
      const rest = prefix === undefined ? args : args.slice(1);
      let target: MountTarget | undefined;
      for (let i = rest.length - 1; i >= 0 && !target; i--)
        target = mountTarget(rest[i]!.text, imports);
      if (target) facts.mounts.push({ owner, prefix: prefix ?? '', target, line });
      else if (prefix !== undefined && rest.length)
        facts.mounts.push({
          owner,
          prefix,
          target: { kind: 'unknown', text: rest[rest.length - 1]!.text.slice(0, 80) },
          line,
        });
      continue;
    }
    // register
    let targetText = args[0]!.text;
    let options = args[1]?.text ?? '';
    if (targetText.startsWith('{')) {
      // Hapi: register({ plugin: require('./users'), routes: { prefix: '/users' } }).
      const plugin = /\bplugin\s*:\s*([^,}]+(?:\([^)]*\))?)/.exec(targetText);
      if (!plugin) continue;
      options = targetText;
      targetText = plugin[1]!.trim();
    }
    const head = /^[\w$]+/.exec(targetText)?.[0];
    if (head && autoloaders.has(head)) {
      const dir = autoloadDir(options);
      if (!dir) continue;
      const prefix = PREFIX_OPTION.exec(options)?.[2] ?? '';
      facts.mounts.push({
        owner,
        prefix,
        target: {
          kind: 'autoload',
          dir,
          folderPrefixes: !/\bdirNameRoutePrefix\s*:\s*false/.test(options),
        },
        line,
      });
      continue;
    }
    const routesPrefix = /\broutes\s*:\s*\{[^}]*?\bprefix\s*:\s*(['"`])([^'"`]*)\1/.exec(
      options,
    )?.[2];
    const prefix = routesPrefix ?? PREFIX_OPTION.exec(options)?.[2] ?? '';
    const target = mountTarget(targetText, imports);
    if (target) facts.mounts.push({ owner, prefix, target, line });
  }

  APP_CREATE.lastIndex = 0;
  for (let m = APP_CREATE.exec(text); m; m = APP_CREATE.exec(text)) facts.apps.push(m[1]!);
  for (const re of [ROUTER_PREFIX, ROUTER_PREFIX_CALL]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text))
      facts.ownPrefixes.push({ owner: m[1]!, prefix: m[3]! });
  }
  facts.exported = exportedNames(text);
  facts.reexports = reexports(text);
  // const users = require('./users'); module.exports = { users }
  for (const name of facts.exported) {
    const b = imports.get(name);
    if (b && isRelative(b.module) && !b.imported) facts.reexports.push({ name, module: b.module });
  }

  nestRoutes(file, text, lines, facts);
  return facts;
}

/** Names a module exports: `module.exports = x`, `module.exports = { a, b }`, `export default x`, `export { a }`, `export const a`. */
function exportedNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bmodule\.exports\s*=\s*([\w$]+)\s*;?\s*$/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\bmodule\.exports\s*=\s*\{([^}]*)\}/g))
    for (const p of m[1]!.split(',')) names.add(p.split(':').pop()!.trim());
  for (const m of text.matchAll(/\bexport\s+default\s+([\w$]+)\s*;?\s*$/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\bexport\s*\{([^}]*)\}/g))
    for (const p of m[1]!.split(',')) names.add(p.split(/\s+as\s+/)[0]!.trim());
  for (const m of text.matchAll(/\bexport\s+(?:const|let|var)\s+([\w$]+)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\b(?:module\.)?exports\.([\w$]+)\s*=\s*([\w$]+)\s*;?\s*$/gm))
    names.add(m[2]!);
  names.delete('');
  return [...names];
}

/** `exports.users = require('./users')`, `module.exports = { users: require('./users') }`, `export * as users from`, `export { default as users } from`. */
function reexports(text: string): { name: string; module: string }[] {
  const out: { name: string; module: string }[] = [];
  for (const m of text.matchAll(
    /\b(?:module\.)?exports\.([\w$]+)\s*=\s*require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  ))
    out.push({ name: m[1]!, module: m[2]! });
  for (const m of text.matchAll(/\b([\w$]+)\s*:\s*require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g))
    out.push({ name: m[1]!, module: m[2]! });
  for (const m of text.matchAll(
    /\bexport\s+\*\s+as\s+([\w$]+)\s+from\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  ))
    out.push({ name: m[1]!, module: m[2]! });
  for (const m of text.matchAll(
    /\bexport\s*\{\s*default\s+as\s+([\w$]+)\s*\}\s*from\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  ))
    out.push({ name: m[1]!, module: m[2]! });
  return out;
}

/** NestJS: @Controller('orders') (or { path, version }) on the class, @Get(':id') on the method. */
function nestRoutes(file: string, text: string, lines: LineMap, facts: RouteFacts): void {
  const global = NEST_GLOBAL_PREFIX.exec(text);
  if (global) facts.globalPrefix = { prefix: global[2]!, line: lines.lineAt(global.index) };
  if (
    /\.enableVersioning\s*\(/.test(text) &&
    !/VersioningType\.(?:Header|MediaType|Custom)/.test(text)
  )
    facts.uriVersioning = true;
  const controllers: { offset: number; prefix: string; version?: string; name?: string }[] = [];
  NEST_CONTROLLER.lastIndex = 0;
  for (let m = NEST_CONTROLLER.exec(text); m; m = NEST_CONTROLLER.exec(text)) {
    const options = m[3] ?? '';
    const path = m[2] ?? /\bpath\s*:\s*(['"`])([^'"`]*)\1/.exec(options)?.[2] ?? '';
    const version = /\bversion\s*:\s*(['"`])([^'"`]*)\1/.exec(options)?.[2];
    const name = /\bclass\s+([\w$]+)/.exec(text.slice(m.index, m.index + 2000))?.[1];
    controllers.push({
      offset: m.index,
      prefix: path,
      ...(version ? { version } : {}),
      ...(name ? { name } : {}),
    });
  }
  if (!controllers.length) return;
  NEST_METHOD.lastIndex = 0;
  for (let m = NEST_METHOD.exec(text); m; m = NEST_METHOD.exec(text)) {
    const owner = controllers.filter((c) => c.offset < m!.index).pop();
    if (!owner) continue;
    const line = lines.lineAt(m.index);
    const method = m[1] === 'All' ? ANY_METHOD : m[1]!;
    // @Version('2') among the method's decorators (after the previous member, before the body) overrides the controller's.
    const before = text.slice(Math.max(owner.offset, m.index - 200), m.index);
    const after = text.slice(m.index, m.index + 200);
    const region =
      before.slice(before.lastIndexOf('}') + 1) +
      after.slice(0, after.indexOf('{') >= 0 ? after.indexOf('{') : after.length);
    const version = /@Version\s*\(\s*(['"`])([^'"`]*)\1/.exec(region)?.[2] ?? owner.version;
    const extra = {
      ...(owner.name ? { controller: owner.name } : {}),
      ...(version ? { version } : {}),
    };
    facts.registrations.push(
      reg(
        file,
        'nestjs',
        method,
        joinRoute(owner.prefix, m[3] ?? ''),
        line,
        { kind: 'decorated', line },
        extra,
      ),
    );
  }
}
