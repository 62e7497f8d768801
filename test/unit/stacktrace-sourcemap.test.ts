// Bundled JavaScript: a real esbuild bundle (minified, one line) of programs/bundle/src is run with
// node from a "deploy" folder, and its real stack must map back through the source map to the
// TypeScript lines. Missing and broken maps keep the bundle location, marked, and never throw.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { parseStackTrace } from '../../src/core/stacktrace/parse';
import { FrameResolution, StackResolver } from '../../src/core/stacktrace/resolve';

const PROGRAM = join(__dirname, '..', 'fixtures', 'stacktraces', 'programs', 'bundle');
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A workspace holding src/*.ts and, per variant, dist/app.js with the given map treatment. */
async function variant(
  name: string,
  sourcemap: 'external' | 'inline' | 'none',
): Promise<{ ws: string; stack: string }> {
  const ws = join(tmp, name);
  cpSync(join(PROGRAM, 'src'), join(ws, 'src'), { recursive: true });
  await build({
    entryPoints: [join(ws, 'src', 'app.ts')],
    outfile: join(ws, 'dist', 'app.js'),
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    ...(sourcemap === 'none' ? {} : { sourcemap: sourcemap === 'inline' ? 'inline' : true }),
  });
  // Run it where it is deployed, not in the workspace: the stack then names /…/deploy/dist/app.js.
  const deploy = join(tmp, `${name}-deploy`);
  mkdirSync(deploy);
  cpSync(join(ws, 'dist'), join(deploy, 'dist'), { recursive: true });
  const out = JSON.parse(
    execFileSync(process.execPath, [join(deploy, 'dist', 'app.js')], { encoding: 'utf8' }),
  ) as { stack: string };
  return { ws, stack: out.stack.split(deploy).join('/deploy/app') };
}

async function resolveIn(ws: string, stack: string): Promise<FrameResolution[]> {
  const { engine } = await createWorkspaceEngine(ws);
  const resolver = new StackResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
  });
  return resolver.resolveAll(parseStackTrace(stack).frames);
}

function lineOf(file: string, needle: string): number {
  const i = readFileSync(join(PROGRAM, 'src', file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

let external: { ws: string; stack: string };
before(async () => {
  external = await variant('external', 'external');
});

test('the bundle is one minified line and its real stack points into it', () => {
  assert.equal(
    readFileSync(join(external.ws, 'dist', 'app.js'), 'utf8')
      .trimEnd()
      .split('\n').length,
    2,
  ); // code + sourceMappingURL
  assert.match(external.stack, /at .*\/deploy\/app\/dist\/app\.js:1:\d+/);
});

test('a bundled frame maps through its source map to the TypeScript source line and function', async () => {
  const app = (await resolveIn(external.ws, external.stack)).filter((r) => r.frame.kind === 'app');
  assert.deepEqual(
    app.map((r) => [r.file, r.line, r.function?.qualifiedName ?? null, r.rule]),
    [
      [
        'src/pricing.ts',
        lineOf('pricing.ts', 'throw new Error'),
        'PriceList.priceOf',
        'stack-frame+source-map',
      ],
      ['src/pricing.ts', lineOf('pricing.ts', 'skus.reduce'), 'total', 'stack-frame+source-map'],
      ['src/pricing.ts', lineOf('pricing.ts', 'skus.reduce'), 'total', 'stack-frame+source-map'],
      ['src/app.ts', lineOf('app.ts', 'return total('), 'checkout', 'stack-frame+source-map'],
      ['src/app.ts', lineOf('app.ts', "checkout(['A1'"), null, 'stack-frame+source-map'],
    ],
  );
  for (const r of app) {
    assert.equal(r.sourceMap?.status, 'mapped');
    assert.equal(r.sourceMap?.bundle, 'dist/app.js');
    assert.equal(r.inWorkspace, true);
  }
});

test('an inline (data: URI) source map maps the same way', async () => {
  const v = await variant('inline', 'inline');
  const first = (await resolveIn(v.ws, v.stack)).find((r) => r.frame.kind === 'app');
  assert.equal(first?.file, 'src/pricing.ts');
  assert.equal(first?.line, lineOf('pricing.ts', 'throw new Error'));
  assert.match(first?.sourceMap?.detail ?? '', /inline source map/);
});

test('no source map: the bundle location is kept, marked, at low confidence', async () => {
  const v = await variant('nomap', 'none');
  const first = (await resolveIn(v.ws, v.stack)).find((r) => r.frame.kind === 'app');
  assert.equal(first?.file, 'dist/app.js');
  assert.equal(first?.line, 1);
  assert.equal(first?.sourceMap?.status, 'no-map');
  assert.equal(first?.confidence, 'low');
  assert.match(first?.explanation ?? '', /not mapped to its source/);
});

test('a missing or broken map file is reported as broken, never thrown', async () => {
  const v = await variant('broken', 'external');
  writeFileSync(join(v.ws, 'dist', 'app.js.map'), '{"version":3,"sources":["x"],"mappings":');
  const broken = (await resolveIn(v.ws, v.stack)).find((r) => r.frame.kind === 'app');
  assert.equal(broken?.sourceMap?.status, 'broken');
  assert.equal(broken?.file, 'dist/app.js');
  unlinkSync(join(v.ws, 'dist', 'app.js.map'));
  const missing = (await resolveIn(v.ws, v.stack)).find((r) => r.frame.kind === 'app');
  assert.equal(missing?.sourceMap?.status, 'broken');
  assert.match(missing?.sourceMap?.detail ?? '', /cannot be read/);
});

test('garbage mappings in a well-formed map do not throw', async () => {
  const v = await variant('garbage', 'external');
  writeFileSync(
    join(v.ws, 'dist', 'app.js.map'),
    JSON.stringify({
      version: 3,
      sources: ['../src/app.ts'],
      names: [],
      mappings: '!!!!;;;@@@,,,zzzz',
    }),
  );
  const r = (await resolveIn(v.ws, v.stack)).find((x) => x.frame.kind === 'app');
  assert.equal(r?.inWorkspace, true);
  // Either trace-mapping finds no segment (bundle kept, marked) or it maps somewhere in the workspace.
  if (r?.sourceMap?.status !== 'mapped') assert.equal(r?.file, 'dist/app.js');
});

test('the minified bundle itself, fed as a trace, yields no frames and no hang', () => {
  const code = readFileSync(join(external.ws, 'dist', 'app.js'), 'utf8');
  const p = parseStackTrace(code.repeat(50));
  assert.equal(p.frames.length, 0);
  assert.ok(p.oversizedLines > 0 || p.unparsedLines > 0);
});
