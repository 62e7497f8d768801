import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { scanSourceFiles } from '../../src/core/workspace/scan-files';

const root = mkdtempSync(join(tmpdir(), 'prodlens-scan-'));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text = 'export function f() {}\n'): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

test('the scan honours .gitignore files at every level, the built-in and the extra excluded folders', async () => {
  put('.gitignore', 'generated/\n*.gen.ts\n!keep.gen.ts\n');
  put('src/app.ts');
  put('src/types.gen.ts');
  put('src/keep.gen.ts');
  put('generated/client.ts');
  put('packages/api/.gitignore', 'local.ts\n/fixtures\n');
  put('packages/api/local.ts');
  put('packages/api/server.ts');
  put('packages/api/fixtures/sample.ts');
  put('packages/web/fixtures/page.ts'); // the api package's "/fixtures" does not reach here
  put('node_modules/dep/index.js');
  put('legacy/old.js');
  put('README.md', '# not source\n');
  const { files, truncated } = await scanSourceFiles(root, {
    excludeDirs: ['node_modules', 'legacy'],
  });
  assert.equal(truncated, false);
  assert.deepEqual(files, [
    'packages/api/server.ts',
    'packages/web/fixtures/page.ts',
    'src/app.ts',
    'src/keep.gen.ts',
  ]);
  const all = await scanSourceFiles(root, { excludeDirs: ['node_modules'], gitignore: false });
  assert.equal(all.files.length, 9);
});
