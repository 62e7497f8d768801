import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { codiconSubsetCss } from '../../scripts/codicon-subset.mjs';

test('the shipped codicon stylesheet keeps the font and every icon the panel names, and little else', () => {
  const css = (codiconSubsetCss as () => string)();
  assert.match(css, /@font-face \{[^}]*font-family: "codicon"/);
  assert.match(css, /\.codicon\[class\*='codicon-'\]/);
  // Icons the webview asks for by name: icon('…'), iconName: '…', and the level table in logs.ts.
  const dir = join(__dirname, '..', '..', 'webview', 'src');
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:icon\(|iconName: )'([a-z0-9-]+)'/g)) names.add(m[1]!);
  }
  const table =
    /const ICONS[^=]*=\s*\{([^}]*)\}/.exec(readFileSync(join(dir, 'logs.ts'), 'utf8'))?.[1] ?? '';
  for (const m of table.matchAll(/'([a-z0-9-]+)'/g)) names.add(m[1]!);
  assert.ok(names.size >= 6, [...names].join(' '));
  for (const n of names) assert.match(css, new RegExp(`\\.codicon-${n}:before \\{ content:`), n);
  const rules = css.match(/^\.codicon-[a-z0-9-]+:before/gm) ?? [];
  assert.ok(rules.length < 40, `${rules.length} icon rules kept`);
});
