// Finds HTTP route registrations in one source file, per framework family, and says how to find
// the handler: an inline function at a line, the function a decorator/annotation sits on, or a
// function named in the registration. Text patterns, not a parse: the index must cover a large
// workspace in seconds, and a registration is a short, stylised line in every framework.
// JavaScript/TypeScript (whose routers are mounted across files) live in route-extract-js.ts.
import { ANY_METHOD, HTTP_METHODS, joinRoute } from './route-pattern';
import { callArguments, LineMap, stringLiteral } from '../workspace/source-text';
import { emptyFacts, reg, type HandlerRef, type RouteFacts, type RouteRegistration } from './route-facts';
import { jsRouteFacts } from './route-extract-js';

export type { HandlerRef, RouteRegistration } from './route-facts';

type Extractor = (file: string, text: string, lines: LineMap) => RouteRegistration[] | RouteFacts;

/** Cheap gate: files that cannot hold a registration or a mount are skipped without running the patterns. */
const HINT = /^\s*(?:resources?|get|post|put|patch|delete)\s|\.(?:get|post|put|delete|patch|all|route|use|register|setGlobalPrefix|Map\w*|GET|POST|PUT|DELETE|PATCH|Any|Handle|HandleFunc)\s*\(|@(?:Get|Post|Put|Delete|Patch|All|Controller|\w+Mapping|\w+\.(?:route|get|post|put|delete|patch))\b|\[(?:Http\w+|Route)\b|\bpath\(|\bexports\b[^\n]*require\(|\bexport\s*(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s+)?from|module\.exports\s*=\s*\{/m;

/** Everything one file says about routing (registrations, and for JS its mounts). */
export function extractRouteFacts(file: string, text: string): RouteFacts {
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

// ---- Python: Flask, FastAPI, Django ---------------------------------------------------------------

const PY_DECORATOR = /^[ \t]*@([\w.]+)\.(route|get|post|put|delete|patch|api_route)\s*\(/gm;
const PY_PREFIXED = /^[ \t]*(\w+)\s*=\s*(?:[\w.]+\.)?(APIRouter|Blueprint)\s*\(/gm;
const DJANGO_PATH = /\bpath\s*\(/g;

const pyRoutes: Extractor = (file, text, lines) => {
  const out: RouteRegistration[] = [];
  const prefixes = new Map<string, string>();
  PY_PREFIXED.lastIndex = 0;
  for (let m = PY_PREFIXED.exec(text); m; m = PY_PREFIXED.exec(text)) {
    const args = callArguments(text, text.indexOf('(', m.index + m[0].length - 1)) ?? [];
    const kw = args.find((a) => /^(?:url_)?prefix\s*=/.test(a.text));
    const value = kw ? stringLiteral(kw.text.slice(kw.text.indexOf('=') + 1)) : undefined;
    if (value) prefixes.set(m[1]!, value);
  }
  PY_DECORATOR.lastIndex = 0;
  for (let m = PY_DECORATOR.exec(text); m; m = PY_DECORATOR.exec(text)) {
    const args = callArguments(text, m.index + m[0].length - 1);
    if (!args || args.length === 0) continue;
    const positional = args.find((a) => !/^\w+\s*=/.test(a.text)) ?? args.find((a) => /^path\s*=/.test(a.text));
    const path = positional ? stringLiteral(positional.text.replace(/^path\s*=\s*/, '')) : undefined;
    if (path === undefined) continue;
    const owner = m[1]!.split('.')[0]!;
    const template = joinRoute(prefixes.get(owner) ?? '', path);
    const line = lines.lineAt(m.index + (m[0].length - m[0].trimStart().length));
    let methods: string[];
    if (m[2] === 'route' || m[2] === 'api_route') {
      const kw = args.find((a) => /^methods\s*=/.test(a.text));
      methods = kw ? [...kw.text.matchAll(/(['"])(\w+)\1/g)].map((x) => x[2]!) : m[2] === 'route' ? ['GET'] : [ANY_METHOD];
    } else methods = [m[2]!];
    const framework = m[2] === 'route' ? 'flask' : 'fastapi';
    for (const method of methods) out.push(reg(file, framework, method, template, line, { kind: 'decorated', line }));
  }
  // Django: path('orders/<int:pk>/', views.order_detail) in a urls module.
  if (/\burlpatterns\b/.test(text)) {
    DJANGO_PATH.lastIndex = 0;
    for (let m = DJANGO_PATH.exec(text); m; m = DJANGO_PATH.exec(text)) {
      if (/re_$/.test(text.slice(Math.max(0, m.index - 3), m.index))) continue;
      const args = callArguments(text, m.index + m[0].length - 1);
      if (!args || args.length < 2) continue;
      const path = stringLiteral(args[0]!.text);
      const view = /^([\w.]+?)(?:\.as_view\s*\([^)]*\))?$/.exec(args[1]!.text);
      if (path === undefined || !view) continue;
      const name = view[1]!;
      const parts = name.split('.');
      const handler: HandlerRef = parts.length > 1 ? { kind: 'named', name, module: `./${parts.slice(0, -1).join('/')}` } : { kind: 'named', name };
      out.push(reg(file, 'django', ANY_METHOD, `/${path}`, lines.lineAt(m.index), handler));
    }
  }
  return out;
};

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
      end = text.indexOf(')', args.length ? args[args.length - 1]!.offset + args[args.length - 1]!.text.length : end) + 1;
    }
    const pathArg = args.find((a) => !/^\w+\s*=/.test(a.text)) ?? args.find((a) => /^(?:value|path)\s*=/.test(a.text));
    const raw = pathArg?.text.replace(/^(?:value|path)\s*=\s*/, '').replace(/^\{\s*|\s*\}$/g, '') ?? '';
    const path = stringLiteral(raw.split(',')[0] ?? '') ?? '';
    // Class-level when the next declaration after the annotations is a class or interface.
    const rest = text.slice(end, end + 600).replace(/@\w+(?:\([^)]*\))?/g, ' ');
    if (/^\s*(?:(?:public|private|protected|abstract|final|open|data|internal)\s+)*(?:class|interface)\b/.test(rest)) {
      prefix = path;
      continue;
    }
    const methods =
      m[1] === 'Request' ? [...(args.map((a) => a.text).join(',').matchAll(/RequestMethod\.(\w+)/g))].map((x) => x[1]!) : [m[1]!];
    const line = lines.lineAt(m.index);
    for (const method of methods.length ? methods : [ANY_METHOD]) out.push(reg(file, 'spring', method, joinRoute(prefix, path), line, { kind: 'decorated', line }));
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
    const template = path.startsWith('/') || path.startsWith('~/') ? path.replace(/^~/, '') : joinRoute(owner?.prefix ?? '', path);
    const line = lines.lineAt(m.index);
    out.push(reg(file, 'aspnet', m[1]!, template, line, { kind: 'decorated', line }));
  }
  CS_MINIMAL.lastIndex = 0;
  for (let m = CS_MINIMAL.exec(text); m; m = CS_MINIMAL.exec(text)) {
    const args = callArguments(text, text.indexOf('(', m.index));
    const last = args?.[args.length - 1];
    if (!args || args.length < 2 || !last) continue;
    const handler: HandlerRef = /^[\w.]+$/.test(last.text) ? { kind: 'named', name: last.text } : { kind: 'inline', line: lines.lineAt(last.offset) };
    const method = !m[1] || m[1] === 'Methods' ? ANY_METHOD : m[1];
    out.push(reg(file, 'aspnet-minimal', method, m[2]!, lines.lineAt(m.index), handler));
  }
  return out;
};

// ---- Go: net/http ServeMux, Gin, echo, chi ---------------------------------------------------------

const GO_ROUTE = /\.(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|Any|Get|Post|Put|Delete|Patch|Head|Options|Handle|HandleFunc)\s*\(\s*"([^"]*)"\s*,/g;
const GO_PATTERN_METHOD = new RegExp(`^(${HTTP_METHODS.join('|')})\\s+`);

const goRoutes: Extractor = (file, text, lines) => {
  const out: RouteRegistration[] = [];
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
    const handler: HandlerRef = name ? { kind: 'named', name: name[1]! } : { kind: 'inline', line: lines.lineAt(last.offset) };
    const framework = /^(Handle|HandleFunc)$/.test(m[1]!) ? 'net/http' : /^[A-Z]+$/.test(m[1]!) || m[1] === 'Any' ? 'gin/echo' : 'chi';
    out.push(reg(file, framework, method, pattern, lines.lineAt(m.index), handler));
  }
  return out;
};

// ---- Ruby: Rails config/routes.rb ------------------------------------------------------------------

const RAILS_VERB = /^[ \t]*(get|post|put|patch|delete)\s*\(?\s*['"]([^'"]+)['"]\s*(?:,\s*to:\s*|=>\s*)['"](\w+(?:\/\w+)*)#(\w+)['"]/gm;
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
  const controllers = file.includes('config/') ? `${'../'.repeat(file.slice(file.indexOf('config/')).split('/').length - 1)}app/controllers` : 'app/controllers';
  const handler = (controller: string, action: string): HandlerRef => ({ kind: 'named', name: action, module: `./${controllers}/${controller}_controller` });
  RAILS_VERB.lastIndex = 0;
  for (let m = RAILS_VERB.exec(text); m; m = RAILS_VERB.exec(text)) {
    out.push(reg(file, 'rails', m[1]!, joinRoute('', m[2]!), lines.lineAt(m.index), handler(m[3]!, m[4]!)));
  }
  RAILS_RESOURCES.lastIndex = 0;
  for (let m = RAILS_RESOURCES.exec(text); m; m = RAILS_RESOURCES.exec(text)) {
    const only = m[2] ? new Set([...m[2].matchAll(/:(\w+)/g)].map((x) => x[1]!)) : undefined;
    const line = lines.lineAt(m.index);
    for (const [method, suffix, action] of RESTFUL) {
      if (only && !only.has(action)) continue;
      out.push(reg(file, 'rails', method, `/${m[1]}${suffix}`, line, handler(m[1]!, action)));
    }
  }
  return out;
};

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
  py: pyRoutes,
  java: springRoutes,
  kt: springRoutes,
  cs: aspnetRoutes,
  go: goRoutes,
};
