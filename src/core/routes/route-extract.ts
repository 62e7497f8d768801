// Finds HTTP route registrations in one source file, per framework family, and says how to find
// the handler: an inline function at a line, the function a decorator/annotation sits on, or a
// function named in the registration. Text patterns, not a parse: the index must cover a large
// workspace in seconds, and a registration is a short, stylised line in every framework.
// JavaScript/TypeScript and Python (whose routers are mounted across files) live in
// route-extract-js.ts and route-extract-py.ts; file-system routes (Next.js, Medusa) in
// route-extract-fs.ts.
import { ANY_METHOD, HTTP_METHODS, joinRoute } from './route-pattern';
import { callArguments, LineMap, stringLiteral } from '../workspace/source-text';
import {
  emptyFacts,
  reg,
  type HandlerRef,
  type RouteFacts,
  type RouteRegistration,
} from './route-facts';
import { jsRouteFacts } from './route-extract-js';
import { pyRouteFacts } from './route-extract-py';
import { fileRouteRegistrations, isRouteFile } from './route-extract-fs';

export type { HandlerRef, RouteRegistration } from './route-facts';

type Extractor = (file: string, text: string, lines: LineMap) => RouteRegistration[] | RouteFacts;

/** Cheap gate: files that cannot hold a registration or a mount are skipped without running the patterns. */
const HINT =
  /^\s*(?:resources?|get|post|put|patch|delete)\s|\.(?:get|post|put|delete|patch|all|route|use|register|register_blueprint|include_router|setGlobalPrefix|Map\w*|GET|POST|PUT|DELETE|PATCH|Any|Handle|HandleFunc)\s*\(|@(?:Get|Post|Put|Delete|Patch|All|Controller|\w+Mapping|\w+\.(?:route|get|post|put|delete|patch))\b|\[(?:Http\w+|Route)\b|\bpath\(|\bexports\b[^\n]*require\(|\bexport\s*(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s+)?from|module\.exports\s*=\s*\{/m;

/** Everything one file says about routing (registrations, and for JS its mounts). */
export function extractRouteFacts(file: string, text: string): RouteFacts {
  // Next.js and Medusa route files: the path is the route, the exports its handlers.
  if (isRouteFile(file)) return emptyFacts(fileRouteRegistrations(file, text, new LineMap(text)));
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  const extractor = EXTRACTORS[ext];
  if (!extractor || !HINT.test(text)) return emptyFacts();
  const found = extractor(file, text, new LineMap(text));
  return Array.isArray(found) ? emptyFacts(found) : found;
}

/** The route registrations of one file, prefixes from other files not applied. */
export function extractRoutes(file: string, text: string): RouteRegistration[] {
  return extractRouteFacts(file, text).registrations;
}

// ---- Java / Kotlin: Spring MVC ---------------------------------------------------------------------

const SPRING = /@(Request|Get|Post|Put|Delete|Patch)Mapping\b/g;

const springRoutes: Extractor = (file, text, lines) => {
  const out: RouteRegistration[] = [];
  let prefix = '';
  SPRING.lastIndex = 0;
  for (let m = SPRING.exec(text); m; m = SPRING.exec(text)) {
    let end = m.index + m[0].length;
    let args: ReturnType<typeof callArguments> = [];
    if (text[end] === '(') {
      args = callArguments(text, end);
      if (!args) continue;
      end =
        text.indexOf(
          ')',
          args.length ? args[args.length - 1]!.offset + args[args.length - 1]!.text.length : end,
        ) + 1;
    }
    const pathArg =
      args.find((a) => !/^\w+\s*=/.test(a.text)) ??
      args.find((a) => /^(?:value|path)\s*=/.test(a.text));
    const raw =
      pathArg?.text.replace(/^(?:value|path)\s*=\s*/, '').replace(/^\{\s*|\s*\}$/g, '') ?? '';
    const path = stringLiteral(raw.split(',')[0] ?? '') ?? '';
    // Class-level when the next declaration after the annotations is a class or interface.
    const rest = text.slice(end, end + 600).replace(/@\w+(?:\([^)]*\))?/g, ' ');
    if (
      /^\s*(?:(?:public|private|protected|abstract|final|open|data|internal)\s+)*(?:class|interface)\b/.test(
        rest,
      )
    ) {
      prefix = path;
      continue;
    }
    const methods =
      m[1] === 'Request'
        ? [
            ...args
              .map((a) => a.text)
              .join(',')
              .matchAll(/RequestMethod\.(\w+)/g),
          ].map((x) => x[1]!)
        : [m[1]!];
    const line = lines.lineAt(m.index);
    for (const method of methods.length ? methods : [ANY_METHOD])
      out.push(
        reg(file, 'spring', method, joinRoute(prefix, path), line, { kind: 'decorated', line }),
      );
  }
  return out;
};

// ---- C#: ASP.NET Core controllers and minimal APIs -------------------------------------------------

const CS_CLASS_ROUTE = /\[Route\s*\(\s*"([^"]*)"\s*\)\][\s\S]{0,400}?\bclass\s+(\w+)/g;
const CS_HTTP = /\[Http(Get|Post|Put|Delete|Patch|Head|Options)(?:\s*\(\s*"([^"]*)"[^)]*\))?\s*\]/g;
const CS_MINIMAL = /\.Map(Get|Post|Put|Delete|Patch|Methods)?\s*\(\s*"([^"]*)"\s*,/g;

const aspnetRoutes: Extractor = (file, text, lines) => {
  const out: RouteRegistration[] = [];
  const classes: { offset: number; prefix: string }[] = [];
  CS_CLASS_ROUTE.lastIndex = 0;
  for (let m = CS_CLASS_ROUTE.exec(text); m; m = CS_CLASS_ROUTE.exec(text)) {
    const controller = m[2]!.replace(/Controller$/, '');
    classes.push({ offset: m.index, prefix: m[1]!.replace(/\[controller\]/gi, controller) });
  }
  CS_HTTP.lastIndex = 0;
  for (let m = CS_HTTP.exec(text); m; m = CS_HTTP.exec(text)) {
    const owner = classes.filter((c) => c.offset < m!.index).pop();
    const path = m[2] ?? '';
    const template =
      path.startsWith('/') || path.startsWith('~/')
        ? path.replace(/^~/, '')
        : joinRoute(owner?.prefix ?? '', path);
    const line = lines.lineAt(m.index);
    out.push(reg(file, 'aspnet', m[1]!, template, line, { kind: 'decorated', line }));
  }
  CS_MINIMAL.lastIndex = 0;
  for (let m = CS_MINIMAL.exec(text); m; m = CS_MINIMAL.exec(text)) {
    const args = callArguments(text, text.indexOf('(', m.index));
    const last = args?.[args.length - 1];
    if (!args || args.length < 2 || !last) continue;
    const handler: HandlerRef = /^[\w.]+$/.test(last.text)
      ? { kind: 'named', name: last.text }
      : { kind: 'inline', line: lines.lineAt(last.offset) };
    const method = !m[1] || m[1] === 'Methods' ? ANY_METHOD : m[1];
    out.push(reg(file, 'aspnet-minimal', method, m[2]!, lines.lineAt(m.index), handler));
  }
  return out;
};

// ---- Go: net/http ServeMux, Gin, echo, chi ---------------------------------------------------------

const GO_ROUTE =
  /\.(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|Any|Get|Post|Put|Delete|Patch|Head|Options|Handle|HandleFunc)\s*\(\s*"([^"]*)"\s*,/g;
const GO_PATTERN_METHOD = new RegExp(`^(${HTTP_METHODS.join('|')})\\s+`);

// Gin/echo groups (`v1 := r.Group("/v1")`) and gorilla subrouters (`s := r.PathPrefix("/api").Subrouter()`).
const GO_GROUP = /\b(\w+)\s*:?=\s*(\w+)\.(?:Group|PathPrefix)\(\s*"([^"]*)"/g;

const goRoutes: Extractor = (file, text, lines) => {
  const facts = emptyFacts();
  const out = facts.registrations;
  const groups = new Set<string>();
  GO_GROUP.lastIndex = 0;
  for (let m = GO_GROUP.exec(text); m; m = GO_GROUP.exec(text)) {
    groups.add(m[1]!);
    facts.mounts.push({
      owner: m[2]!,
      prefix: m[3]!,
      target: { kind: 'local', name: m[1]! },
      line: lines.lineAt(m.index),
    });
  }
  GO_ROUTE.lastIndex = 0;
  for (let m = GO_ROUTE.exec(text); m; m = GO_ROUTE.exec(text)) {
    const args = callArguments(text, text.indexOf('(', m.index));
    const last = args?.[args.length - 1];
    if (!args || args.length < 2 || !last) continue;
    let pattern = m[2]!;
    let method = /^(Any|Handle|HandleFunc)$/.test(m[1]!) ? ANY_METHOD : m[1]!;
    const pm = GO_PATTERN_METHOD.exec(pattern);
    if (pm) {
      method = pm[1]!;
      pattern = pattern.slice(pm[0].length);
    }
    if (!pattern.startsWith('/')) pattern = pattern.slice(Math.max(0, pattern.indexOf('/'))); // host-qualified pattern
    const name = /^(?:http\.HandlerFunc\s*\(\s*)?([\w.]+)\s*\)?$/.exec(last.text);
    const handler: HandlerRef = name
      ? { kind: 'named', name: name[1]! }
      : { kind: 'inline', line: lines.lineAt(last.offset) };
    const framework = /^(Handle|HandleFunc)$/.test(m[1]!)
      ? 'net/http'
      : /^[A-Z]+$/.test(m[1]!) || m[1] === 'Any'
        ? 'gin/echo'
        : 'chi';
    // Routes on a group take its prefix; a group's parent is the app unless it is a group too.
    const receiver = /(\w+)\s*\.\s*\w+\s*\($/.exec(
      text.slice(Math.max(0, m.index - 40), m.index + m[1]!.length + 2),
    )?.[1];
    const owner =
      receiver && (groups.has(receiver) || facts.mounts.some((g) => g.owner === receiver))
        ? { owner: receiver }
        : {};
    out.push(reg(file, framework, method, pattern, lines.lineAt(m.index), handler, owner));
  }
  // Parents of groups that are not groups themselves are the application.
  for (const g of facts.mounts)
    if (!groups.has(g.owner) && !facts.apps.includes(g.owner)) facts.apps.push(g.owner);
  return facts;
};

// ---- Ruby: Rails config/routes.rb ------------------------------------------------------------------

const RAILS_VERB =
  /^[ \t]*(get|post|put|patch|delete)\s*\(?\s*['"]([^'"]+)['"]\s*(?:,\s*to:\s*|=>\s*)['"](\w+(?:\/\w+)*)#(\w+)['"]/gm;
const RAILS_RESOURCES = /^[ \t]*resources?\s+:(\w+)(?:\s*,\s*only:\s*\[([^\]]*)\])?/gm;
/** The seven routes `resources :orders` draws, as [method, path suffix, action]. */
const RESTFUL: [string, string, string][] = [
  ['GET', '', 'index'],
  ['GET', '/new', 'new'],
  ['POST', '', 'create'],
  ['GET', '/:id', 'show'],
  ['GET', '/:id/edit', 'edit'],
  ['PATCH', '/:id', 'update'],
  ['PUT', '/:id', 'update'],
  ['DELETE', '/:id', 'destroy'],
];

const railsRoutes: Extractor = (file, text, lines) => {
  if (!/(?:^|\/)routes\.rb$/.test(file)) return [];
  const out: RouteRegistration[] = [];
  // Controllers live in app/controllers beside config/.
  const controllers = file.includes('config/')
    ? `${'../'.repeat(file.slice(file.indexOf('config/')).split('/').length - 1)}app/controllers`
    : 'app/controllers';
  const handler = (controller: string, action: string): HandlerRef => ({
    kind: 'named',
    name: action,
    module: `./${controllers}/${controller}_controller`,
  });
  const scopes = railsScopes(text);
  RAILS_VERB.lastIndex = 0;
  for (let m = RAILS_VERB.exec(text); m; m = RAILS_VERB.exec(text)) {
    const line = lines.lineAt(m.index);
    const scope = scopes[line - 1] ?? { path: '', module: '' };
    out.push(
      reg(
        file,
        'rails',
        m[1]!,
        joinRoute(scope.path, m[2]!),
        line,
        handler(`${scope.module}${m[3]!}`, m[4]!),
      ),
    );
  }
  RAILS_RESOURCES.lastIndex = 0;
  for (let m = RAILS_RESOURCES.exec(text); m; m = RAILS_RESOURCES.exec(text)) {
    const only = m[2] ? new Set([...m[2].matchAll(/:(\w+)/g)].map((x) => x[1]!)) : undefined;
    const line = lines.lineAt(m.index);
    const scope = scopes[line - 1] ?? { path: '', module: '' };
    for (const [method, suffix, action] of RESTFUL) {
      if (only && !only.has(action)) continue;
      out.push(
        reg(
          file,
          'rails',
          method,
          joinRoute(scope.path, `/${m[1]}${suffix}`),
          line,
          handler(`${scope.module}${m[1]!}`, action),
        ),
      );
    }
  }
  return out;
};

/**
 * The path prefix and controller module in force at each line of a routes.rb (before that line's
 * own block opens): `namespace :admin do` adds `/admin` and `admin/`, `scope '/api' do` a path,
 * `scope module: :v1 do` a module, `resources :orders do` nests under `/orders/:order_id`.
 */
function railsScopes(text: string): { path: string; module: string }[] {
  const out: { path: string; module: string }[] = [];
  const stack: { path: string; module: string }[] = [{ path: '', module: '' }];
  for (const raw of text.split('\n')) {
    const top = stack[stack.length - 1]!;
    out.push(top);
    const line = raw.trim();
    if (/^end\b/.test(line)) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    if (!/\bdo(?:\s*\|[^|]*\|)?\s*(?:#.*)?$/.test(line)) continue;
    const ns = /^namespace\s+:(\w+)/.exec(line);
    const scopePath = /^scope\s+(?:path:\s*)?['"]\/?([^'"]+)['"]/.exec(line);
    const scopeModule = /^scope\b.*\bmodule:\s*:?['"]?(\w+)/.exec(line);
    const nested = /^resources\s+:(\w+)/.exec(line);
    if (ns) stack.push({ path: joinRoute(top.path, ns[1]!), module: `${top.module}${ns[1]}/` });
    else if (scopePath || scopeModule)
      stack.push({
        path: scopePath ? joinRoute(top.path, scopePath[1]!) : top.path,
        module: scopeModule ? `${top.module}${scopeModule[1]}/` : top.module,
      });
    else if (nested)
      stack.push({
        path: joinRoute(top.path, `${nested[1]}/:${nested[1]!.replace(/s$/, '')}_id`),
        module: top.module,
      });
    else stack.push(top);
  }
  return out;
}

const EXTRACTORS: Record<string, Extractor> = {
  rb: railsRoutes,
  js: jsRouteFacts,
  mjs: jsRouteFacts,
  cjs: jsRouteFacts,
  jsx: jsRouteFacts,
  ts: jsRouteFacts,
  mts: jsRouteFacts,
  cts: jsRouteFacts,
  tsx: jsRouteFacts,
  py: pyRouteFacts,
  java: springRoutes,
  kt: springRoutes,
  cs: aspnetRoutes,
  go: goRoutes,
};
