// Python routing facts: Flask and FastAPI decorators on an app, a Blueprint or an APIRouter (with
// its own prefix), the mounts that give a blueprint or router its place (`register_blueprint(bp,
// url_prefix=…)`, `include_router(router, prefix=…)`) followed through `from … import …`, and
// Django's urlpatterns with `include('app.urls')`.
import { ANY_METHOD, joinRoute } from './route-pattern';
import { emptyFacts, reg, type HandlerRef, type MountTarget, type RouteFacts } from './route-facts';
import { callArguments, type LineMap, stringLiteral } from '../workspace/source-text';

const PY_DECORATOR = /^[ \t]*@([\w.]+)\.(route|get|post|put|delete|patch|api_route)\s*\(/gm;
const PY_PREFIXED = /^[ \t]*(\w+)\s*=\s*(?:[\w.]+\.)?(APIRouter|Blueprint)\s*\(/gm;
const PY_APP = /^[ \t]*(\w+)\s*=\s*(?:[\w.]+\.)?(?:Flask|FastAPI|Quart)\s*\(/gm;
const PY_MOUNT = /\b(\w+)\.(register_blueprint|include_router)\s*\(/g;
const PY_FROM_IMPORT = /^[ \t]*from\s+([\w.]+)\s+import\s+\(?([^)\n]+)\)?/gm;
const PY_IMPORT = /^[ \t]*import\s+([\w.]+)(?:\s+as\s+(\w+))?/gm;
const DJANGO_PATH = /\bpath\s*\(/g;
/** Django's URLconf list: the owner of its registrations and of its includes. */
const URLPATTERNS = 'urlpatterns';

/** A Python module as a module specifier: `.routers.users` → `./routers/users`, `app.users` → `app/users` (absolute). */
function moduleSpec(dotted: string): { module: string; absolute: boolean } {
  const dots = /^\.*/.exec(dotted)![0].length;
  const rest = dotted.slice(dots).replace(/\./g, '/');
  if (dots === 0) return { module: rest, absolute: true };
  const up = dots === 1 ? './' : '../'.repeat(dots - 1);
  return { module: `${up}${rest}`, absolute: false };
}

interface PyBinding {
  module: string;
  absolute: boolean;
  /** The imported attribute, when `from pkg import name` may name an attribute rather than a module. */
  attribute?: string;
}

function pyImports(text: string): Map<string, PyBinding> {
  const out = new Map<string, PyBinding>();
  PY_FROM_IMPORT.lastIndex = 0;
  for (let m = PY_FROM_IMPORT.exec(text); m; m = PY_FROM_IMPORT.exec(text)) {
    const base = moduleSpec(m[1]!);
    for (const part of m[2]!.split(',')) {
      const [name, alias] = part
        .trim()
        .split(/\s+as\s+/)
        .map((x) => x.trim());
      if (!name || !/^\w+$/.test(name)) continue;
      out.set(alias || name, {
        module:
          base.module.endsWith('/') || !base.module
            ? `${base.module}${name}`
            : `${base.module}/${name}`,
        absolute: base.absolute,
        attribute: name,
      });
    }
  }
  PY_IMPORT.lastIndex = 0;
  for (let m = PY_IMPORT.exec(text); m; m = PY_IMPORT.exec(text)) {
    const spec = moduleSpec(m[1]!);
    out.set(m[2] ?? m[1]!.split('.')[0]!, spec);
  }
  return out;
}

/** `users.router`, `users_bp`, `api.v1.router`: the module binding and the attribute named in it. */
function pyTarget(t: string, imports: Map<string, PyBinding>): MountTarget {
  const parts = t.split('.');
  const head = imports.get(parts[0]!);
  if (!head)
    return /^\w+$/.test(t) ? { kind: 'local', name: t } : { kind: 'unknown', text: t.slice(0, 80) };
  if (parts.length === 1) {
    // `from .users import bp`: bp is an attribute of users.py (the module spec ends with it).
    const module = head.attribute
      ? head.module.slice(0, head.module.length - head.attribute.length - 1)
      : head.module;
    return {
      kind: 'module',
      module: module || '.',
      name: head.attribute ?? t,
      ...(head.absolute ? { absolute: true } : {}),
    };
  }
  // `users.router`: users is a module, router its attribute.
  return {
    kind: 'module',
    module: [head.module, ...parts.slice(1, -1)].join('/'),
    name: parts[parts.length - 1]!,
    ...(head.absolute ? { absolute: true } : {}),
  };
}

export function pyRouteFacts(file: string, text: string, lines: LineMap): RouteFacts {
  const facts = emptyFacts();
  const out = facts.registrations;
  const imports = pyImports(text);
  const prefixes = new Map<string, string>();
  PY_PREFIXED.lastIndex = 0;
  for (let m = PY_PREFIXED.exec(text); m; m = PY_PREFIXED.exec(text)) {
    const args = callArguments(text, text.indexOf('(', m.index + m[0].length - 1)) ?? [];
    const kw = args.find((a) => /^(?:url_)?prefix\s*=/.test(a.text));
    const value = kw ? stringLiteral(kw.text.slice(kw.text.indexOf('=') + 1)) : undefined;
    if (value) prefixes.set(m[1]!, value);
  }
  PY_APP.lastIndex = 0;
  for (let m = PY_APP.exec(text); m; m = PY_APP.exec(text)) facts.apps.push(m[1]!);
  PY_DECORATOR.lastIndex = 0;
  for (let m = PY_DECORATOR.exec(text); m; m = PY_DECORATOR.exec(text)) {
    const args = callArguments(text, m.index + m[0].length - 1);
    if (!args || args.length === 0) continue;
    const positional =
      args.find((a) => !/^\w+\s*=/.test(a.text)) ?? args.find((a) => /^path\s*=/.test(a.text));
    const path = positional
      ? stringLiteral(positional.text.replace(/^path\s*=\s*/, ''))
      : undefined;
    if (path === undefined) continue;
    const owner = m[1]!.split('.')[0]!;
    const template = joinRoute(prefixes.get(owner) ?? '', path);
    const line = lines.lineAt(m.index + (m[0].length - m[0].trimStart().length));
    let methods: string[];
    if (m[2] === 'route' || m[2] === 'api_route') {
      const kw = args.find((a) => /^methods\s*=/.test(a.text));
      methods = kw
        ? [...kw.text.matchAll(/(['"])(\w+)\1/g)].map((x) => x[2]!)
        : m[2] === 'route'
          ? ['GET']
          : [ANY_METHOD];
    } else methods = [m[2]!];
    const framework = m[2] === 'route' ? 'flask' : 'fastapi';
    for (const method of methods)
      out.push(
        reg(file, framework, method, template, line, { kind: 'decorated', line }, { owner }),
      );
  }
  // app.register_blueprint(users_bp, url_prefix='/users'); app.include_router(users.router, prefix='/users')
  PY_MOUNT.lastIndex = 0;
  for (let m = PY_MOUNT.exec(text); m; m = PY_MOUNT.exec(text)) {
    const args = callArguments(text, m.index + m[0].length - 1);
    const first = args?.find((a) => !/^\w+\s*=/.test(a.text));
    if (!args || !first) continue;
    const kw = args.find((a) => /^(?:url_)?prefix\s*=/.test(a.text));
    const prefix = kw ? (stringLiteral(kw.text.slice(kw.text.indexOf('=') + 1)) ?? '') : '';
    facts.mounts.push({
      owner: m[1]!,
      prefix,
      target: pyTarget(first.text, imports),
      line: lines.lineAt(m.index),
    });
  }
  // Django: path('orders/<int:pk>/', views.order_detail) in a urls module; path('api/', include('shop.urls')).
  if (text.includes(URLPATTERNS)) {
    facts.apps.push(URLPATTERNS);
    DJANGO_PATH.lastIndex = 0;
    for (let m = DJANGO_PATH.exec(text); m; m = DJANGO_PATH.exec(text)) {
      if (/re_$/.test(text.slice(Math.max(0, m.index - 3), m.index))) continue;
      const args = callArguments(text, m.index + m[0].length - 1);
      if (!args || args.length < 2) continue;
      const path = stringLiteral(args[0]!.text);
      if (path === undefined) continue;
      const include = /^include\s*\(\s*(['"])([\w.]+)\1/.exec(args[1]!.text);
      if (include) {
        const spec = moduleSpec(include[2]!);
        facts.mounts.push({
          owner: URLPATTERNS,
          prefix: `/${path}`,
          target: { kind: 'module', module: spec.module, name: URLPATTERNS, absolute: true },
          line: lines.lineAt(m.index),
        });
        continue;
      }
      const view = /^([\w.]+?)(?:\.as_view\s*\([^)]*\))?$/.exec(args[1]!.text);
      if (!view) continue;
      const name = view[1]!;
      const parts = name.split('.');
      const handler: HandlerRef =
        parts.length > 1
          ? { kind: 'named', name, module: `./${parts.slice(0, -1).join('/')}` }
          : { kind: 'named', name };
      out.push(
        reg(file, 'django', ANY_METHOD, `/${path}`, lines.lineAt(m.index), handler, {
          owner: URLPATTERNS,
        }),
      );
    }
  }
  return facts;
}
