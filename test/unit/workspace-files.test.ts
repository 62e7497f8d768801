import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePathRules } from '../../src/core/mapping/path-rules';
import { WorkspaceFiles } from '../../src/core/mapping/workspace-files';

function ws(): WorkspaceFiles {
  const w = new WorkspaceFiles('/home/dev/shop');
  w.replaceAll([
    'services/api/src/orders.ts',
    'services/worker/src/orders.ts',
    'services/api/src/pay.ts',
    'lib/util.py',
    'main.go',
  ]);
  return w;
}

test('the longest path-suffix match wins', () => {
  const r = ws().resolve('/app/services/api/src/orders.ts');
  assert.equal(r.file, 'services/api/src/orders.ts');
  assert.equal(r.rule, 'path-suffix');
  assert.equal(r.confidence, 'high');
});

test('equal suffix matches are ambiguous, with candidates, never picked', () => {
  const r = ws().resolve('/app/src/orders.ts');
  assert.equal(r.file, undefined);
  assert.equal(r.confidence, 'ambiguous');
  assert.deepEqual(r.candidates?.sort(), [
    'services/api/src/orders.ts',
    'services/worker/src/orders.ts',
  ]);
});

test('a unique file name matched only by name is medium confidence', () => {
  const r = ws().resolve('/opt/deploy/pay.ts');
  assert.equal(r.file, 'services/api/src/pay.ts');
  assert.equal(r.confidence, 'medium');
});

test('user prefix rules come first and resolve exactly', () => {
  const w = ws();
  const { rules, problems } = validatePathRules([{ from: '/srv/', to: 'services/worker/' }]);
  assert.deepEqual(problems, []);
  w.setRules(rules);
  const r = w.resolve('/srv/src/orders.ts');
  assert.equal(r.file, 'services/worker/src/orders.ts');
  assert.equal(r.rule, 'path-rewrite');
  assert.equal(r.confidence, 'exact');
});

test('paths inside the workspace, file:// URLs and Windows separators resolve', () => {
  const w = ws();
  assert.equal(w.resolve('/home/dev/shop/lib/util.py').rule, 'workspace-path');
  assert.equal(w.resolve('file:///home/dev/shop/main.go').file, 'main.go');
  assert.equal(w.resolve('C:\\build\\services\\api\\src\\pay.ts').file, 'services/api/src/pay.ts');
});

test('no file of that name: unmapped with a reason that suggests a path mapping', () => {
  const r = ws().resolve('/app/checkout.ts');
  assert.equal(r.file, undefined);
  assert.equal(r.confidence, 'none');
  assert.match(r.explanation, /no workspace file is named checkout\.ts/);
});

test('bad path-mapping settings are reported, good ones kept', () => {
  const { rules, problems } = validatePathRules([
    { from: '/a/', to: 'b/' },
    { from: '', to: 'x' },
    { to: 'y' },
    'nope',
  ]);
  assert.equal(rules.length, 1);
  assert.deepEqual(
    problems.map((p) => p.index),
    [1, 2, 3],
  );
  assert.equal(validatePathRules({}).problems.length, 1);
});

test('resolution follows file additions and removals', () => {
  const w = ws();
  assert.equal(w.resolve('/x/new.ts').file, undefined);
  w.add('src/new.ts');
  assert.equal(w.resolve('/x/new.ts').file, 'src/new.ts');
  w.remove('src/new.ts');
  assert.equal(w.resolve('/x/new.ts').file, undefined);
});
