// A multi-root workspace: every folder is scanned, indexed and mapped; files are named
// `folder/path`; a deployed path that fits files of two folders equally is ambiguous and says so.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { WorkspaceFiles, workspaceRoots } from '../../src/core/mapping/workspace-files';
import { codeSpan, span } from '../support/spans';

const SHOP = join(__dirname, '..', 'fixtures', 'plain-express');
const CORE = join(__dirname, '..', 'fixtures', 'workspace');
const Q = { windowMs: 15 * 60_000 };

describe('multi-root workspaces', () => {
  test('folder names are unique, and workspace paths go both ways', () => {
    const roots = workspaceRoots([
      { path: '/a/api' },
      { path: '/b/api/' },
      { name: 'web', path: '/c/site' },
    ]);
    assert.deepEqual(
      roots.map((r) => r.name),
      ['api', 'api-2', 'web'],
    );
    const files = new WorkspaceFiles(roots);
    files.replaceAll(['api/src/orders.ts', 'api-2/src/orders.ts', 'web/index.ts']);
    assert.equal(files.absolute('api-2/src/orders.ts'), '/b/api/src/orders.ts');
    assert.equal(files.relativeOf('/c/site/index.ts'), 'web/index.ts');
    assert.equal(files.relativeOf('/elsewhere/x.ts'), undefined);
    assert.equal(
      files.resolve('/b/api/src/orders.ts').file,
      'api-2/src/orders.ts',
      'a path inside a folder is that folder’s file',
    );
    const both = files.resolve('/deploy/src/orders.ts');
    assert.equal(both.confidence, 'ambiguous');
    assert.deepEqual(both.candidates?.sort(), ['api-2/src/orders.ts', 'api/src/orders.ts']);
    // One folder: paths stay as they were, without a folder name.
    const single = new WorkspaceFiles('/a/api');
    assert.equal(single.absolute('src/x.ts'), '/a/api/src/x.ts');
    assert.equal(single.relativeOf('/a/api/src/x.ts'), 'src/x.ts');
  });

  let engine: Engine;
  before(async () => {
    ({ engine } = await createWorkspaceEngine(
      workspaceRoots([
        { name: 'shop', path: SHOP },
        { name: 'core', path: CORE },
      ]),
    ));
  });

  test('both folders are scanned and their routes indexed under their names', () => {
    assert.ok(engine.files.has('shop/handlers/orders.js'));
    assert.ok(engine.files.has('core/src/orders.ts'));
    assert.ok(
      ![...engine.files.list()].some((f) => !f.startsWith('shop/') && !f.startsWith('core/')),
    );
  });

  test('one service’s spans land in both folders: code attributes, deployed paths and routes', async () => {
    engine.ingestSpans([
      ...Array.from({ length: 4 }, () =>
        codeSpan(join(SHOP, 'handlers', 'orders.js'), 'getOrder', 8, 3),
      ),
      ...Array.from({ length: 3 }, () =>
        codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, 5),
      ),
      ...Array.from({ length: 2 }, () =>
        span({
          name: 'POST /api/orders',
          kind: 2,
          attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders' },
        }),
      ),
    ]);
    await engine.functionsIn('shop/handlers/orders.js');
    await engine.functionsIn('core/src/orders.ts');
    const shop = engine
      .fileStats('shop/handlers/orders.js', Q)
      .map((r) => `${r.function.qualifiedName} ${r.stats.count} ${r.mapping.rule}`);
    assert.deepEqual(shop, ['getOrder 4 code.file.path+line', 'createOrder 2 http.route']);
    const core = engine
      .fileStats('core/src/orders.ts', Q)
      .map((r) => `${r.function.qualifiedName} ${r.stats.count}`);
    assert.deepEqual(core, ['OrderService.placeOrder 3']);
  });
});

describe('multi-root impact review', () => {
  test("each folder's changes are named as the engine names its files, and merged", async () => {
    const { mergeChangeSets, underFolder } =
      await import('../../src/core/impact/changed-functions');
    const fn = {
      name: 'getOrder',
      qualifiedName: 'getOrder',
      startLine: 8,
      endLine: 12,
      nameLine: 8,
      nameColumn: 16,
      nameEndColumn: 24,
      kind: 'function',
    } as never;
    const api = underFolder(
      {
        base: { rev: 'HEAD', commit: 'a1', mergeBase: false },
        files: 1,
        functions: [
          {
            file: 'src/orders.js',
            function: fn,
            change: 'modified',
            previous: fn,
            bodyChanged: true,
            previousFile: 'src/old.js',
          },
        ],
        notes: [
          {
            kind: 'syntax-error',
            file: 'src/orders.js',
            message: 'src/orders.js: syntax error near line 3',
          },
        ],
        previousFunctions: new Map([['src/old.js', [fn]]]),
      },
      'api/',
    );
    const web = underFolder(
      {
        base: { rev: 'HEAD', commit: 'b2', mergeBase: false },
        files: 2,
        functions: [],
        notes: [],
        previousFunctions: new Map(),
      },
      'web/',
    );
    const merged = mergeChangeSets(
      [api, web],
      [{ kind: 'base', message: 'docs: not a git repository' }],
    );
    assert.equal(merged.files, 3);
    assert.deepEqual(
      merged.functions.map((f) => `${f.file} <- ${f.previousFile}`),
      ['api/src/orders.js <- api/src/old.js'],
    );
    assert.deepEqual(
      merged.notes.map((n) => n.message),
      ['api/src/orders.js: syntax error near line 3', 'docs: not a git repository'],
    );
    assert.deepEqual([...merged.previousFunctions.keys()], ['api/src/old.js']);
  });
});
