// The core's shape, kept by a test: its folders (ingest, store, mapping, routes, …) depend on one
// another without cycles, and nothing in the core reaches into the editor adapter, the panel
// protocol or the webview — so the CLI and the tests run it as plain Node; and the engine is a
// facade: its stores and indexes are private (the compiler keeps callers on its query methods;
// this test keeps them private).
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

/** Engine members that are fields, not methods: `readonly x`, `x =`, `x:`, and constructor parameters. */
function engineFields(): { name: string; private: boolean }[] {
  const text = readFileSync(join(CORE, 'engine', 'engine.ts'), 'utf8');
  const start = text.indexOf('export class Engine {');
  const body = text.slice(start, text.indexOf('\n}\n', start));
  const fields = [
    ...body.matchAll(/^ {2}((?:private |protected )?(?:readonly )?)([A-Za-z_]\w*)\??(?::|\s*=)/gm),
    ...body.matchAll(/^ {4}((?:private |protected )?readonly )([A-Za-z_]\w*):/gm),
  ];
  return fields.map((m) => ({ name: m[2]!, private: /private|protected/.test(m[1]!) }));
}

test('the engine is a facade: its stores, indexes and resolver are private fields', () => {
  const fields = engineFields();
  // Found at all (the pattern above still matches the class as written).
  for (const name of ['store', 'ring', 'resolver', 'topology', 'errors', 'routes', 'sources'])
    assert.ok(
      fields.some((f) => f.name === name),
      `Engine.${name} not found in engine.ts: update this test`,
    );
  // What the faces may read or set directly: the workspace's file list and the receipt counters.
  const allowed = ['files', 'lastDataAtMs', 'logsReceived', 'metricPointsReceived'];
  assert.deepEqual(
    fields.filter((f) => !f.private && !allowed.includes(f.name)).map((f) => f.name),
    [],
    'Engine fields must be private: add a query method that returns a domain type instead',
  );
});

test('nothing outside the engine reaches its stores and indexes by name (faces, core builders, tests, benchmarks)', () => {
  const ROOT = join(CORE, '..', '..');
  const self = join(__dirname, 'architecture.test.ts');
  const files = ['src', 'test', 'bench']
    .flatMap((d) => sources(join(ROOT, d)))
    .filter((f) => f !== join(CORE, 'engine', 'engine.ts') && f !== self);
  const internal =
    /\bengine\??\.(store|ring|topology|routes|errors|statementLogs|sources|ingestRate|functions|resolver|logStatements)\b/g;
  const reaches = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(internal)].map(
      (m) => `${relative(ROOT, file)}: engine.${m[1]}`,
    ),
  );
  assert.deepEqual(reaches, []);
});
