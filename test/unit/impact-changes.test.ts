// Changed functions from real git repositories: what counts as modified, added, deleted or
// renamed, against HEAD or a base, and the clear errors and notes for bad input.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findChangedFunctions, type ChangeSet } from '../../src/core/impact/changed-functions';
import { NotAGitRepoError, UnknownRevisionError } from '../../src/core/impact/git';
import { tempDir, tempRepo, type TempRepo } from './impact-repo';

const cleanup: (() => void)[] = [];
after(() => cleanup.forEach((f) => f()));
function repo(files: Record<string, string> = {}): TempRepo {
  const r = tempRepo(files);
  cleanup.push(r.remove);
  return r;
}

/** `change file:line name [<- previous]`, sorted as the change set lists them. */
function summary(cs: ChangeSet): string[] {
  return cs.functions.map((f) => {
    const prev =
      f.previousFile !== undefined || f.previousName !== undefined
        ? ` <- ${f.previousFile ?? ''}${f.previousName !== undefined ? `#${f.previousName}` : ''}`
        : '';
    return `${f.change} ${f.file}:${f.function.startLine} ${f.function.qualifiedName}${prev}${f.change === 'renamed' && f.bodyChanged ? ' (body changed)' : ''}`;
  });
}

const ORDERS = `export class OrderService {
  placeOrder(id: string): string {
    return 'placed ' + id;
  }

  cancelOrder(id: string): string {
    return 'cancelled ' + id;
  }

  refund(id: string): number {
    return id.length * 100 + 42;
  }
}

export function total(items: number[]): number {
  return items.reduce((a, b) => a + b, 0);
}
`;

test('modified, added, deleted and renamed functions in one file; unchanged ones are not listed', async () => {
  const r = repo({ 'src/orders.ts': ORDERS });
  r.write(
    'src/orders.ts',
    `export class OrderService {
  placeOrder(id: string): string {
    return 'placed order ' + id;
  }

  reimburse(id: string): number {
    return id.length * 100 + 42;
  }

  audit(id: string): void {
    console.log(id);
  }
}

export function total(items: number[]): number {
  return items.reduce((a, b) => a + b, 0);
}
`,
  );
  const cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), [
    'modified src/orders.ts:2 OrderService.placeOrder',
    'deleted src/orders.ts:6 OrderService.cancelOrder',
    'renamed src/orders.ts:6 OrderService.reimburse <- #OrderService.refund',
    'added src/orders.ts:10 OrderService.audit',
  ]);
  assert.equal(cs.base.rev, 'HEAD');
  assert.equal(cs.files, 1);
  assert.deepEqual(cs.notes, []);
  assert.equal(cs.functions.find((f) => f.change === 'deleted')?.previous?.startLine, 6);
});

test('re-indenting a whole function is no change; a change inside a nested function lists only it', async () => {
  const r = repo({
    'a.ts':
      'export function outer() {\n  const inner = () => {\n    return 1;\n  };\n  return inner();\n}\n',
    'b.py': 'def f(x):\n    if x:\n        return 1\n    return 2\n',
  });
  r.write(
    'a.ts',
    'export function outer() {\n  const inner = () => {\n    return 2;\n  };\n  return inner();\n}\n',
  );
  // Whole-function indentation (as when wrapping it in a block) vs relative indentation.
  r.write(
    'b.py',
    'if True:\n    def f(x):\n        if x:\n            return 1\n        return 2\n',
  );
  let cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), ['modified a.ts:2 outer.inner']);
  r.write('b.py', 'def f(x):\n    if x:\n        return 1\n        return 2\n');
  cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), ['modified a.ts:2 outer.inner', 'modified b.py:1 f']);
});

test('git mv follows the file: unchanged functions are renamed only, edited ones say so', async () => {
  const r = repo({ 'src/orders.ts': ORDERS });
  mkdirSync(join(r.dir, 'src', 'billing'));
  r.git('mv', 'src/orders.ts', 'src/billing/orders.ts');
  r.write('src/billing/orders.ts', ORDERS.replace("'placed ' + id", "'placed: ' + id"));
  const cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), [
    'renamed src/billing/orders.ts:2 OrderService.placeOrder <- src/orders.ts (body changed)',
    'renamed src/billing/orders.ts:6 OrderService.cancelOrder <- src/orders.ts',
    'renamed src/billing/orders.ts:10 OrderService.refund <- src/orders.ts',
    'renamed src/billing/orders.ts:15 total <- src/orders.ts',
  ]);
});

test('a function moved to another file without git knowing (plain mv, untracked) is a move', async () => {
  const r = repo({
    'lib/util.ts':
      'export function slugify(text: string): string {\n  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");\n}\n\nexport function keep() {\n  return 1;\n}\n',
  });
  r.write('lib/util.ts', 'export function keep() {\n  return 1;\n}\n');
  r.write(
    'lib/text.ts',
    'export function slugify(text: string): string {\n  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");\n}\n',
  );
  const cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), ['renamed lib/text.ts:1 slugify <- lib/util.ts']);
});

test('staged, unstaged and untracked changes are all reviewed against HEAD', async () => {
  const r = repo({
    'staged.ts': 'export function s() {\n  return 1;\n}\n',
    'unstaged.ts': 'export function u() {\n  return 1;\n}\n',
    'both.ts': 'export function b() {\n  return 1;\n}\nexport function c() {\n  return 1;\n}\n',
  });
  r.write('staged.ts', 'export function s() {\n  return 2;\n}\n');
  r.git('add', 'staged.ts');
  r.write('unstaged.ts', 'export function u() {\n  return 2;\n}\n');
  // Staged one edit, then another on top in the working tree: both count.
  r.write(
    'both.ts',
    'export function b() {\n  return 2;\n}\nexport function c() {\n  return 1;\n}\n',
  );
  r.git('add', 'both.ts');
  r.write(
    'both.ts',
    'export function b() {\n  return 2;\n}\nexport function c() {\n  return 2;\n}\n',
  );
  r.write('new/fresh.ts', 'export const fresh = (x: number) => x + 1;\n');
  const cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), [
    'modified both.ts:1 b',
    'modified both.ts:4 c',
    'added new/fresh.ts:1 fresh',
    'modified staged.ts:1 s',
    'modified unstaged.ts:1 u',
  ]);
});

test('--base compares the working tree with the merge base of the base and HEAD', async () => {
  const r = repo({ 'app.ts': 'export function one() {\n  return 1;\n}\n' });
  r.git('checkout', '-q', '-b', 'feature');
  r.write(
    'app.ts',
    'export function one() {\n  return 1;\n}\nexport function two() {\n  return 2;\n}\n',
  );
  r.git('commit', '-qam', 'two');
  // main moves on after the branch point: its change must not show as reverted here.
  r.git('checkout', '-q', 'main');
  r.write('other.ts', 'export function onMain() {\n  return 0;\n}\n');
  r.git('add', 'other.ts');
  r.git('commit', '-qm', 'main moves');
  r.git('checkout', '-q', 'feature');
  r.write(
    'app.ts',
    'export function one() {\n  return 11;\n}\nexport function two() {\n  return 2;\n}\n',
  );
  assert.deepEqual(summary(await findChangedFunctions(r.dir)), ['modified app.ts:1 one']);
  const cs = await findChangedFunctions(r.dir, { base: 'main' });
  assert.deepEqual(summary(cs), ['modified app.ts:1 one', 'added app.ts:4 two']);
  assert.equal(cs.base.rev, 'main');
  assert.equal(cs.base.mergeBase, true);
});

test('a base that does not exist, and a folder outside git, fail with typed errors', async () => {
  const r = repo({ 'a.ts': 'export function a() {}\n' });
  await assert.rejects(
    findChangedFunctions(r.dir, { base: 'no-such-branch' }),
    (e: unknown) =>
      e instanceof UnknownRevisionError &&
      !e.shallow &&
      /unknown revision no-such-branch/.test(e.message),
  );
  await assert.rejects(findChangedFunctions(r.dir, { base: '--output=x' }), UnknownRevisionError);
  const plain = tempDir();
  cleanup.push(() => rmSync(plain, { recursive: true, force: true }));
  await assert.rejects(
    findChangedFunctions(plain),
    (e: unknown) =>
      e instanceof NotAGitRepoError && /is not inside a git repository/.test(e.message),
  );
});

test('a shallow clone whose base is missing says to fetch more history', async () => {
  const r = repo({ 'a.ts': 'export function a() {\n  return 1;\n}\n' });
  r.write('a.ts', 'export function a() {\n  return 2;\n}\n');
  r.git('commit', '-qam', 'second');
  const clone = tempDir();
  cleanup.push(() => rmSync(clone, { recursive: true, force: true }));
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${r.dir}`, clone], {
    stdio: 'ignore',
  });
  await assert.rejects(
    findChangedFunctions(clone, { base: 'HEAD~1' }),
    (e: unknown) =>
      e instanceof UnknownRevisionError &&
      e.shallow &&
      /shallow clone\? fetch more history/.test(e.message),
  );
  // HEAD itself is there: reviewing uncommitted changes still works.
  assert.deepEqual(summary(await findChangedFunctions(clone)), []);
});

test('binary files, syntax errors and oversized files give notes; the rest is still reviewed', async () => {
  const r = repo({
    'ok.ts': 'export function ok() {\n  return 1;\n}\n',
    'logo.png': 'placeholder',
    'broken.ts':
      'export function fine() {\n  return 1;\n}\nexport function later() {\n  return 2;\n}\n',
  });
  r.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]));
  r.write('blob.ts', Buffer.from([0x00, 0x01, 0x02, 0x03]));
  r.write('ok.ts', 'export function ok() {\n  return 2;\n}\n');
  r.write(
    'broken.ts',
    'export function fine() {\n  return 1;\n}\nexport function later( {\n  return 3;\n}\n',
  );
  r.write('big.ts', `export function big() {\n${'  const x = 1;\n'.repeat(200)}}\n`);
  const cs = await findChangedFunctions(r.dir, { maxFileBytes: 1_000 });
  assert.deepEqual(
    cs.notes.map((n) => n.message),
    [
      'big.ts: larger than 0 MiB, not parsed',
      'blob.ts: binary content, skipped',
      'logo.png: binary file, skipped',
      'broken.ts: syntax error near line 4; functions after it may be missing or misplaced',
    ],
  );
  const later = cs.functions.find((f) => f.function.name === 'later');
  assert.equal(later?.syntaxErrorLine, 4, 'what the broken parse lost carries the warning');
  assert.ok(summary(cs).includes('modified ok.ts:1 ok'));
});

test('a workspace inside the repository: paths are relative to it, the rest is counted', async () => {
  const r = repo({
    'services/api/src/h.ts': 'export function h() {\n  return 1;\n}\n',
    'web/app.ts': 'export function w() {\n  return 1;\n}\n',
    'README.md': 'hi\n',
  });
  r.write('services/api/src/h.ts', 'export function h() {\n  return 2;\n}\n');
  r.write('web/app.ts', 'export function w() {\n  return 2;\n}\n');
  r.write('services/api/notes.txt', 'text\n');
  const cs = await findChangedFunctions(join(r.dir, 'services', 'api'));
  assert.deepEqual(summary(cs), ['modified src/h.ts:1 h']);
  assert.deepEqual(
    cs.notes.map((n) => n.kind),
    ['outside-workspace', 'unsupported'],
  );
});

test('too many changed files: the first ones are reviewed and a note says how many were left', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 5; i++) files[`f${i}.ts`] = `export function f${i}() {\n  return ${i};\n}\n`;
  const r = repo(files);
  for (let i = 0; i < 5; i++)
    r.write(`f${i}.ts`, `export function f${i}() {\n  return ${i + 10};\n}\n`);
  const cs = await findChangedFunctions(r.dir, { maxFiles: 3 });
  assert.equal(cs.functions.length, 3);
  assert.deepEqual(
    cs.notes.map((n) => n.message),
    ['the change touches 5 source files; only the first 3 were reviewed'],
  );
});

test('a repository without commits: everything is new', async () => {
  const r = repo();
  r.write('a.ts', 'export function a() {\n  return 1;\n}\n');
  const cs = await findChangedFunctions(r.dir);
  assert.deepEqual(summary(cs), ['added a.ts:1 a']);
  assert.equal(cs.notes[0]?.kind, 'base');
});

test('a file the parser fails on is listed with the parser’s reason, never as all its functions deleted', async () => {
  const { diffFunctions } = await import('../../src/core/impact/changed-functions');
  const { FunctionParser } = await import('../../src/core/mapping/function-parser');
  const real = await FunctionParser.create();
  await real.ensureLanguage('typescript');
  // The parser refuses the new side of one file (as tree-sitter does past its limits), reads the rest.
  const parser = Object.create(real) as typeof real;
  parser.parse = (text, language) => {
    if (text.includes('REFUSED')) throw new Error('parse exceeded its time budget');
    return real.parse(text, language);
  };
  const { functions, notes } = diffFunctions(parser, [
    {
      file: 'orders.ts',
      language: 'typescript',
      oldText: ORDERS,
      newText: `${ORDERS}\n// REFUSED\n`,
    },
    {
      file: 'ok.ts',
      language: 'typescript',
      oldText: 'export function ok() {\n  return 1;\n}\n',
      newText: 'export function ok() {\n  return 2;\n}\n',
    },
  ]);
  assert.deepEqual(
    functions.map((f) => `${f.change} ${f.file} ${f.function.qualifiedName}`),
    ['modified ok.ts ok'],
  );
  assert.deepEqual(notes, [
    {
      kind: 'parse-failed',
      file: 'orders.ts',
      message:
        'orders.ts: could not be parsed (parse exceeded its time budget); its functions were not reviewed',
    },
  ]);
  real.dispose();
});
