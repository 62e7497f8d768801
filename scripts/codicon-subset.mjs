// The codicon stylesheet cut down to the icons the panel names: the full sheet has ~650 icon
// rules, and parsing it was one of the larger costs of opening the panel (measured in a Chromium
// trace). Every quoted word in the webview's sources that is a codicon name is kept, so icons
// chosen at run time from a table (levels → icons) stay; the font file is shipped whole.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RULE = /^\.codicon-([a-z0-9-]+):before \{ content: "[^"]*" \}\r?\n?/gm;

/** The names quoted anywhere in the webview's TypeScript sources. */
function quotedWords() {
  const dir = join(root, 'webview', 'src');
  const words = new Set();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/['"`]([a-z0-9-]+)['"`]/g))
      words.add(m[1]);
  }
  return words;
}

/** codicon.css with only the icon rules the webview can use. */
export function codiconSubsetCss() {
  const dist = join(
    dirname(createRequire(import.meta.url).resolve('@vscode/codicons/package.json')),
    'dist',
  );
  const used = quotedWords();
  return readFileSync(join(dist, 'codicon.css'), 'utf8').replace(RULE, (rule, name) =>
    used.has(name) ? rule : '',
  );
}
