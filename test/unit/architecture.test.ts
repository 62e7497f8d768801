// The core's shape, kept by a test: its folders (ingest, store, mapping, routes, …) depend on one
// another without cycles, and nothing in the core reaches into the editor adapter, the panel
// protocol or the webview — so the CLI and the tests run it as plain Node; and the faces read the
// engine through its queries.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';

const CORE = join(__dirname, '..', '..', 'src', 'core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** The unit a core file belongs to: its top folder, or the file itself at the top. */
const unitOf = (file: string) => relative(CORE, file).split(sep)[0]!.replace(/\.ts$/, '');

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    join(file, '..', m[1]!),
  );
}

test('core folders import one another without cycles', () => {
  const edges = new Map<string, Set<string>>();
  for (const file of sources(CORE)) {
    const from = unitOf(file);
    for (const target of imports(file)) {
      if (!target.startsWith(CORE + sep)) continue;
      const to = unitOf(target);
      if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (u: string, path: string[]): void => {
    if (state.get(u) === 'done') return;
    if (state.get(u) === 'open') {
      cycles.push([...path.slice(path.indexOf(u)), u].join(' → '));
      return;
    }
    state.set(u, 'open');
    for (const v of edges.get(u) ?? []) visit(v, [...path, u]);
    state.set(u, 'done');
  };
  for (const u of edges.keys()) visit(u, []);
  assert.deepEqual(cycles, []);
});

test('the core imports nothing from the editor adapter, the panel protocol or the webview', () => {
  const outside = sources(CORE).flatMap((file) =>
    imports(file)
      .filter((t) => !t.startsWith(CORE + sep))
      .map((t) => `${relative(CORE, file)} → ${relative(join(CORE, '..', '..'), t)}`),
  );
  assert.deepEqual(outside, []);
});

test('the faces (extension, CLI) read the engine through its queries, not its stores and indexes', () => {
  const faces = ['extension', 'cli'].flatMap((d) => sources(join(CORE, '..', d)));
  const internal =
    /\bengine\??\.(store|ring|topology|routes|errors|statementLogs|sources|ingestRate)\b/g;
  const reaches = faces.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(internal)].map(
      (m) => `${relative(join(CORE, '..'), file)}: engine.${m[1]}`,
    ),
  );
  assert.deepEqual(reaches, []);
});
