// Where the harness finds the repository, whichever way tsx loaded this file.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function moduleDir(): string {
  // Loaded as ESM (`node --import tsx`, tsx's tsImport) only import.meta.url is right (tsImport even
  // defines a bogus __dirname); loaded as CommonJS, tsx leaves import.meta.url undefined.
  const url: unknown = import.meta.url;
  if (typeof url === 'string' && url.startsWith('file:')) return dirname(fileURLToPath(url));
  return __dirname;
}

/** The repository root (holds package.json). */
export const repoRoot = join(moduleDir(), '..', '..', '..');

/** Screenshots land here, one PNG per name; git-ignored with the rest of test-results/. */
export const screenshotsDir = join(repoRoot, 'test-results', 'screenshots');

/** A fresh temporary folder (its name starts with `prefix`) holding a copy of the fixture workspace. */
export function fixtureWorkspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), dir, { recursive: true });
  return dir;
}
