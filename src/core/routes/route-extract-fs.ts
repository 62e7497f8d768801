// File-system routing: the route is the file's path, the handlers its exports. Next.js App Router
// route handlers (`app/api/orders/[id]/route.ts` exporting `GET`), Medusa v2 API routes
// (`src/api/admin/products/[id]/route.ts`, the same convention) and Next.js Pages Router API
// routes (`pages/api/orders/[id].ts`, a default export answering every method). Such a file
// registers nothing a pattern could find, so its path decides.
import { ANY_METHOD, HTTP_METHODS } from './route-pattern';
import { reg, type HandlerRef, type RouteRegistration } from './route-facts';
import type { LineMap } from '../workspace/source-text';

const EXT = String.raw`\.(?:[cm]?[jt]sx?)$`;
/** Medusa: `…/src/api/<folders>/route.ts`. */
const MEDUSA = new RegExp(String.raw`(?:^|/)src/api/((?:[^/]+/)*)route${EXT}`);
/** Next.js App Router: `…/app/<folders>/route.ts` (the last `app` folder). */
const NEXT_APP = new RegExp(String.raw`(?:^|/)app/((?:(?!app/)[^/]+/)*)route${EXT}`);
/** Next.js Pages Router: `…/pages/api/<folders>/<name>.ts`. */
const NEXT_PAGES = new RegExp(String.raw`(?:^|/)pages/api/((?:[^/]+/)*)([^/]+?)${EXT}`);

const METHODS = HTTP_METHODS.join('|');
/** `export const GET =`, `export async function GET(`, `export function POST<T>(`. */
const EXPORTED_METHOD = new RegExp(
  String.raw`^export\s+(?:(?:const|let|var)\s+(${METHODS})\s*[=:]|(?:async\s+)?function\s*\*?\s*(${METHODS})\s*[(<])`,
  'gm',
);
/** `export { handler as GET, handler as POST }`. */
const EXPORT_LIST = /^export\s*\{([^}]*)\}/gm;
/** `export default function handler(`, `export default async function (`, `export default handler`. */
const EXPORT_DEFAULT =
  /^export\s+default\s+(?:(?:async\s+)?function\s*\*?\s*([\w$]*)\s*[(<]|([\w$]+)\s*;?\s*$|(?:async\s*)?\(?)/m;

/** True when the path is a file-system route file, whatever its text. */
export function isRouteFile(file: string): boolean {
  return MEDUSA.test(file) || NEXT_APP.test(file) || NEXT_PAGES.test(file);
}

/**
 * A route template from folder names: `[id]` as `:id`, `[...slug]` and `[[...slug]]` as
 * catch-alls; Next.js route groups `(name)` do not appear in the URL, and parallel slots `@name`
 * and private folders `_name` are not routes.
 */
function templateOf(segments: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const seg of segments) {
    if (/^\(.*\)$/.test(seg)) continue;
    if (seg.startsWith('@') || seg.startsWith('_')) return undefined;
    const catchAll = /^\[\[?\.\.\.(\w+)\]\]?$/.exec(seg);
    out.push(catchAll ? `*${catchAll[1]}` : seg.replace(/^\[(\w+)\]$/, ':$1'));
  }
  return `/${out.join('/')}`;
}

const folders = (path: string | undefined) => (path ?? '').split('/').filter(Boolean);

export function fileRouteRegistrations(
  file: string,
  text: string,
  lines: LineMap,
): RouteRegistration[] {
  const pages = NEXT_PAGES.exec(file);
  if (pages) {
    const name = pages[2]!;
    const template = templateOf(['api', ...folders(pages[1]), ...(name === 'index' ? [] : [name])]);
    const d = EXPORT_DEFAULT.exec(text);
    if (!template || !d) return [];
    const named = d[1] || d[2];
    const handler: HandlerRef = named
      ? { kind: 'named', name: named }
      : { kind: 'inline', line: lines.lineAt(d.index) };
    return [reg(file, 'nextjs', ANY_METHOD, template, lines.lineAt(d.index), handler)];
  }
  const medusa = MEDUSA.exec(file);
  const app = medusa ?? NEXT_APP.exec(file);
  const template = app ? templateOf(folders(app[1])) : undefined;
  if (!app || !template) return [];
  const framework = medusa ? 'medusa' : 'nextjs';
  const out: RouteRegistration[] = [];
  const add = (method: string, name: string, at: number) =>
    out.push(reg(file, framework, method, template, lines.lineAt(at), { kind: 'named', name }));
  EXPORTED_METHOD.lastIndex = 0;
  for (let e = EXPORTED_METHOD.exec(text); e; e = EXPORTED_METHOD.exec(text)) {
    const method = (e[1] ?? e[2])!;
    add(method, method, e.index);
  }
  EXPORT_LIST.lastIndex = 0;
  for (let e = EXPORT_LIST.exec(text); e; e = EXPORT_LIST.exec(text)) {
    for (const part of e[1]!.split(',')) {
      const alias = /^\s*([\w$]+)\s+as\s+(\w+)\s*$/.exec(part);
      if (alias && (HTTP_METHODS as readonly string[]).includes(alias[2]!))
        add(alias[2]!, alias[1]!, e.index);
    }
  }
  return out;
}
